"""The pages over plain HTTP (no browser needed): replayed and cross-site forms change
nothing, output is escaped, headers keep link tokens private, and bearer access."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio

from tests.browser.conftest import Site
from tests.browser.people import Reader, email_reader, stored_profile

TOKEN_FIELD = re.compile(r'name="form_token" value="([^"]+)"')


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _form(http: aiohttp.ClientSession, url: str, **changes: str) -> dict[str, str]:
    """The form as the page renders it (daily at 08:00 in London, one prompt), changed."""
    async with http.get(url) as response:
        match = TOKEN_FIELD.search(await response.text())
    assert match
    fields = {
        "form_token": match.group(1),
        "frequency": "daily",
        "time_of_day": "08:00",
        "timezone": "Europe/London",
        "prompt_1": "Find latest research on NLP",
        "new_prompt": "",
        "style": "balanced",
        "tone": "formal",
        "format": "bullet-points",
        "min_score": "0.85",
        "quiet_hours": "",
    }
    return fields | changes


async def _reader(site: Site) -> tuple[Reader, str]:
    reader = await email_reader(site.runtime)
    return reader, site.local(reader.link)


async def test_a_form_sent_twice_is_saved_once(site: Site, http: aiohttp.ClientSession) -> None:
    reader, url = await _reader(site)
    form = await _form(http, url, new_prompt="Quantum error correction")
    async with http.post(url, data=form, headers={"Sec-Fetch-Site": "same-origin"}) as first:
        assert first.status == 200
        assert "Prompt 2 added" in await first.text()
    async with http.post(url, data=form) as again:
        assert again.status == 200
        assert "already saved" in await again.text()
    meta = (await stored_profile(site.runtime, reader.subscriber_id))["ai_metadata"]
    assert meta["prompts"] == ["Find latest research on NLP", "Quantum error correction"]  # type: ignore[index]


async def test_cross_site_and_forged_forms_change_nothing(
    site: Site, http: aiohttp.ClientSession
) -> None:
    reader, url = await _reader(site)
    before = await stored_profile(site.runtime, reader.subscriber_id)
    form = await _form(http, url, frequency="monthly")
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        async with http.post(url, data=form, headers=headers) as response:
            assert response.status == 403
            assert "Nothing was changed" in await response.text()
    forged = form | {"form_token": "eyJzIjoxfQ.forged"}
    async with http.post(url, data=forged) as response:
        assert response.status == 403
        page = await response.text()
        assert "out of date, so nothing was saved" in page
        assert '<option value="monthly" selected>' in page  # the choice survives for a retry
    assert await stored_profile(site.runtime, reader.subscriber_id) == before
    # The same form, sent properly, still works: nothing above used it up.
    async with http.post(url, data=form) as response:
        assert response.status == 200
    assert (await stored_profile(site.runtime, reader.subscriber_id))["frequency"] == "monthly"


async def test_what_people_typed_is_escaped_and_the_link_stays_private(
    site: Site, http: aiohttp.ClientSession
) -> None:
    reader, url = await _reader(site)
    evil = '<script>alert("x")</script>'
    async with http.post(url, data=await _form(http, url, new_prompt=evil)) as response:
        page = await response.text()
        headers = response.headers
    assert evil not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none' holds
    assert reader.link.startswith("https://digest.example.org/preferences/")


async def test_the_dashboard_answers_bearer_tokens_only_when_they_match(
    site: Site, http: aiohttp.ClientSession
) -> None:
    url = f"{site.base}/admin"
    async with http.get(url, headers={"Authorization": "Bearer wrong"}) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    async with http.get(url + "?token=not-a-token") as response:
        assert response.status == 403
        assert "not valid" in await response.text()
