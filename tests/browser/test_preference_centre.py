"""The preference centre in headless Chromium: the link from a real digest email, changes
that land in PostgreSQL and in /digest settings, and links that must not work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.links import PREFERENCES
from core.signing import sign
from tests.browser.conftest import Site, artifact
from tests.browser.people import email_reader, stored_profile

NEW_PROMPT = "Robotics and reinforcement learning papers"


async def submit(page: Any) -> int:
    """Press Save and wait for the answer page; its HTTP status."""
    async with page.expect_navigation() as navigation:
        await page.get_by_role("button", name="Save changes").click()
    return int((await navigation.value).status)


async def test_frequency_and_prompt_changed_in_the_browser_reach_postgres_and_chat(
    page: Any, site: Site
) -> None:
    reader = await email_reader(site.runtime)
    response = await page.goto(site.local(reader.link))
    assert response.status == 200
    assert await page.get_by_role("heading", level=1).inner_text() == "Your digest preferences"
    # The last digest is listed with its items.
    assert "Language models, result 0" in await page.locator("#digests-heading + ol").inner_text()

    await page.get_by_label("Frequency", exact=True).select_option("weekly")
    await page.get_by_label("Prompt 1", exact=True).fill(NEW_PROMPT)
    assert await submit(page) == 200

    confirmations = await page.locator(".results li").all_inner_texts()
    assert any("Schedule: weekly" in text for text in confirmations), confirmations
    assert any("Removed prompt" in text for text in confirmations), confirmations
    assert any("Prompt 1 added" in text for text in confirmations), confirmations
    assert await page.locator(".results li.bad").count() == 0
    assert await page.get_by_label("Frequency", exact=True).input_value() == "weekly"
    assert await page.get_by_label("Prompt 1", exact=True).input_value() == NEW_PROMPT

    row = await stored_profile(site.runtime, reader.subscriber_id)
    assert row["frequency"] == "weekly"
    meta: Any = row["ai_metadata"]
    assert meta["prompts"] == [NEW_PROMPT]
    assert set(meta["refined_requests"]["topics"]) == {"reinforcement learning", "robotics"}

    settings = (await site.runtime.service.handle(reader.actor, "/digest settings")).as_text()
    assert "weekly" in settings
    assert f"1. {NEW_PROMPT}" in settings
    assert "Find latest research on NLP" not in settings
    await page.screenshot(path=str(artifact("preferences-saved.png")), full_page=True)


async def test_bad_input_is_explained_at_the_field_and_nothing_is_saved(
    page: Any, site: Site
) -> None:
    reader = await email_reader(site.runtime)
    await page.goto(site.local(reader.link))
    await page.get_by_label("Frequency", exact=True).select_option("monthly")
    time_box = page.get_by_label("Time of day", exact=True)
    await time_box.fill("25:99")
    assert await submit(page) == 400

    assert "bad time '25:99'" in await page.locator("#err-time_of_day").inner_text()
    assert await time_box.get_attribute("aria-invalid") == "true"
    assert "err-time_of_day" in (await time_box.get_attribute("aria-describedby") or "")
    # What was typed is still there to fix, including the untouched-by-error frequency.
    assert await time_box.input_value() == "25:99"
    assert await page.get_by_label("Frequency", exact=True).input_value() == "monthly"
    assert "Nothing was saved" in await page.locator("[role=status]").inner_text()
    row = await stored_profile(site.runtime, reader.subscriber_id)
    assert row["frequency"] == "daily"
    assert row["frequency_settings"]["time_of_day"] == "08:00"  # type: ignore[index]


async def _post_form_to(page: Any, url: str) -> int:
    """Submit the page's (filled-in) form to another link, as a tampered page would."""
    await page.eval_on_selector("form", "(form, url) => form.setAttribute('action', url)", url)
    return await submit(page)


async def test_expired_or_altered_links_show_a_clear_page_and_change_nothing(
    page: Any, site: Site
) -> None:
    reader = await email_reader(site.runtime)
    before = await stored_profile(site.runtime, reader.subscriber_id)
    long_ago = datetime.now(UTC) - timedelta(days=31)
    expired = site.local(
        site.runtime.links.url(
            "/preferences/"
            + sign(site.runtime.links.key, PREFERENCES, {"s": reader.subscriber_id}, long_ago)
        )
    )
    valid = site.local(reader.link)
    body, _, mac = valid.rpartition("/")[2].partition(".")
    altered = valid.replace(body, body[:-2] + ("AA" if body[-2:] != "AA" else "BB"))

    response = await page.goto(expired)
    assert response.status == 403
    assert await page.get_by_role("heading", level=1).inner_text() == "This link has expired"
    assert "Nothing was changed" in await page.get_by_role("alert").inner_text()

    response = await page.goto(altered)
    assert response.status == 404
    assert await page.get_by_role("heading", level=1).inner_text() == "This link is not valid"

    # A genuine form posted to either bad link is refused, and PostgreSQL is untouched.
    for target, status in ((expired, 403), (altered, 404)):
        await page.goto(valid)
        await page.get_by_label("Frequency", exact=True).select_option("weekly")
        await page.get_by_label("Add a prompt", exact=True).fill("Quantum computing")
        assert await _post_form_to(page, target) == status
        assert "Nothing was changed" in await page.get_by_role("alert").inner_text()
    assert await stored_profile(site.runtime, reader.subscriber_id) == before


async def test_the_preference_centre_fits_a_phone_and_labels_every_control(
    phone: Any, site: Site
) -> None:
    reader = await email_reader(site.runtime)
    await phone.goto(site.local(reader.link))
    width = await phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways on a phone: {width}"
    unlabelled = await phone.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter(el => el.type !== 'hidden' && el.labels.length === 0)
            .map(el => el.name)"""
    )
    assert unlabelled == []
    for landmark in ("banner", "main", "contentinfo"):
        assert await phone.get_by_role(landmark).count() == 1
    # Single column: the submit button spans the form's width.
    button = await phone.get_by_role("button", name="Save changes").bounding_box()
    form = await phone.locator("form").bounding_box()
    assert button["width"] > form["width"] * 0.9
    await phone.screenshot(path=str(artifact("preferences-phone.png")), full_page=True)
