"""The admin dashboard in headless Chromium: a signed admin link opens it, its SVG charts
draw the engagement stored in PostgreSQL, and it fits a phone. Screenshots are saved
under test-artifacts/."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.http.pages.admin_link import print_admin_link
from tests.browser.conftest import API_TOKEN, DESKTOP, Site, artifact
from tests.browser.people import email_reader

# Days ago -> (kind, how many people): three days of opens, clicks on two, feedback on one.
ENGAGEMENT = {1: [("open", 3), ("click", 2), ("like", 1)], 2: [("open", 1)], 5: [("open", 2)]}
ENGAGEMENT[5].append(("click", 1))
ENGAGEMENT[1].append(("dislike", 1))


async def _engagement(site: Site, subscriber_id: int) -> None:
    pool = site.runtime.pool
    publication_id, content_id = await pool.fetchrow(
        "SELECT publication_id, content_id FROM publishing_publication_items LIMIT 1"
    )
    now = datetime.now(UTC)
    rows = [
        (kind, publication_id, content_id, f"reader-{days}-{n}", now - timedelta(days=days))
        for days, events in ENGAGEMENT.items()
        for kind, people in events
        for n in range(people)
    ]
    await pool.executemany(
        "INSERT INTO engagement_events (kind, publication_id, content_id, person, occurred_at)"
        " VALUES ($1, $2, $3, $4, $5)",
        rows,
    )
    await pool.execute(
        "INSERT INTO delivery_outbox (subscriber_id, destination, address, idempotency_key,"
        " state, last_error) VALUES ($1, 'email', 'gone@example.org', 'k-failed', 'failed',"
        " 'permanent: mailbox does not exist')",
        subscriber_id,
    )


async def _bars(page: Any, chart: str) -> list[float]:
    return await page.eval_on_selector_all(
        f"#chart-{chart} rect.bar", "bars => bars.map(b => b.getBBox().height)"
    )


async def test_the_dashboard_draws_its_charts_from_stored_engagement(
    page: Any, phone: Any, site: Site
) -> None:
    reader = await email_reader(site.runtime)
    await _engagement(site, reader.subscriber_id)
    printed = io.StringIO()
    await print_admin_link(site.runtime, hours=1, out=printed)
    link = site.local(printed.getvalue().strip())

    response = await page.goto(link)
    assert response.status == 200
    assert await page.get_by_role("heading", level=1).inner_text() == "Admin dashboard"
    assert await page.locator("[data-status=active]").inner_text() == "1"
    assert "Ada" in await page.get_by_role("region", name="Newest subscribers").inner_text()
    failures = await page.get_by_role("region", name="Failures by reason").inner_text()
    assert "permanent: mailbox does not exist" in failures

    # Each chart is an SVG image with a title and a description a screen reader can use.
    charts = page.get_by_role("img")
    names = [await charts.nth(i).get_attribute("aria-labelledby") for i in range(4)]
    assert names == [f"{c}-title {c}-desc" for c in ("opens", "clicks", "feedback", "deliveries")]
    opens = await _bars(page, "opens")
    assert len(opens) == 30  # the default range: one bar a day
    assert sum(1 for h in opens if h > 0) == 3
    assert opens[-2] > opens[-6] > opens[-3] > 0  # 3 opens yesterday, 2 five days ago, 1 on day 2
    assert sum(1 for h in await _bars(page, "clicks") if h > 0) == 2
    assert sum(1 for h in await _bars(page, "feedback") if h > 0) == 2  # a like and a dislike
    assert sum(1 for h in await _bars(page, "deliveries") if h > 0) >= 2  # sent and failed
    assert "6 opens" in (await page.locator("#opens-desc").text_content() or "")
    box = await page.locator("#chart-opens svg[role=img]").bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    await page.screenshot(path=str(artifact("admin-dashboard.png")), full_page=True)

    # The range links keep the signed token.
    await page.get_by_role("link", name="7 days").click()
    await page.wait_for_url("**/admin?token=*&days=7")
    assert len(await _bars(page, "opens")) == 7

    await phone.goto(link)
    width = await phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the dashboard scrolls sideways on a phone: {width}"
    first, second = [await phone.locator(f"#chart-{c}").bounding_box() for c in ("opens", "clicks")]
    assert second["y"] >= first["y"] + first["height"]  # one column: stacked, not side by side
    await phone.screenshot(path=str(artifact("admin-dashboard-phone.png")), full_page=True)


async def test_a_bearer_token_opens_the_dashboard_and_nothing_else_does(
    browser: Any, site: Site
) -> None:
    url = f"{site.base}/admin"
    context = await browser.new_context(
        viewport=DESKTOP, extra_http_headers={"Authorization": f"Bearer {API_TOKEN}"}
    )
    try:
        page = await context.new_page()
        assert (await page.goto(url)).status == 200
        assert await page.get_by_role("img").count() == 4
    finally:
        await context.close()
    anonymous = await browser.new_context()
    try:
        page = await anonymous.new_page()
        response = await page.goto(url)
        assert response.status == 401
        assert await page.get_by_role("heading", level=1).inner_text() == "Sign-in needed"
        expired = site.runtime.links.admin_link(datetime.now(UTC) - timedelta(days=2))
        response = await page.goto(site.local(expired))
        assert response.status == 403
        assert "expired" in await page.get_by_role("heading", level=1).inner_text()
    finally:
        await anonymous.close()
