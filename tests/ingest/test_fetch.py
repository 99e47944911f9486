"""The feed fetcher against a local server: conditional GET, the byte cap, redirect
loops, timeouts, HTTP errors and the private-address guard."""

from __future__ import annotations

import pytest

from scheduler.feeds import FeedRejected
from scheduler.feeds.fetch import FeedFetcher, FetchLimits
from tests.fakes.feeds_server import FakeFeedServer

LIMITS = FetchLimits(timeout_seconds=2.0, max_bytes=1_000_000, allow_private_hosts=True)


@pytest.fixture
async def site():
    async with FakeFeedServer() as server:
        yield server


@pytest.fixture
async def fetcher():
    client = FeedFetcher(LIMITS)
    yield client
    await client.close()


async def test_conditional_get_sends_validators_and_gets_304(site, fetcher) -> None:
    url = site.serve("/feed.xml", "blog_rss.xml", etag='"v1"', last_modified="Wed, 15 Jan 2025")
    first = await fetcher.fetch(url)
    assert (first.status, first.etag, first.last_modified) == (200, '"v1"', "Wed, 15 Jan 2025")
    assert b"Lab Notes" in first.body

    again = await fetcher.fetch(url, first.etag, first.last_modified)
    assert again.status == 304 and again.body == b""
    sent = site.hits_to("/feed.xml")[-1].headers
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == "Wed, 15 Jan 2025"


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_a_50_mb_body_is_cut_off_at_the_cap(site, fetcher, declared: bool) -> None:
    url = site.serve("/huge", b"", stream_bytes=50_000_000, declare_length=declared)
    with pytest.raises(FeedRejected, match=r"1 MB cap"):
        await fetcher.fetch(url)


async def test_a_redirect_loop_is_named(site, fetcher) -> None:
    site.redirect("/a", site.url("/b"))
    site.redirect("/b", "/a")  # relative Location, resolved like a browser would
    with pytest.raises(FeedRejected, match=r"redirect loop: .*/a -> .*/b -> .*/a"):
        await fetcher.fetch(site.url("/a"))


async def test_redirects_are_followed_up_to_the_limit(site) -> None:
    site.serve("/final", "atom.xml")
    site.redirect("/hop2", "/final", status=301)
    site.redirect("/hop1", "/hop2", status=308)
    client = FeedFetcher(FetchLimits(max_redirects=1, allow_private_hosts=True))
    try:
        with pytest.raises(FeedRejected, match="more than 1 redirects"):
            await client.fetch(site.url("/hop1"))
        fetched = await client.fetch(site.url("/hop2"))
        assert fetched.status == 200 and fetched.url == site.url("/final")
    finally:
        await client.close()


async def test_a_slow_server_times_out(site) -> None:
    url = site.serve("/slow", "atom.xml", delay=5)
    client = FeedFetcher(FetchLimits(timeout_seconds=0.3, allow_private_hosts=True))
    try:
        with pytest.raises(FeedRejected, match=r"timed out after 0.3 s"):
            await client.fetch(url)
    finally:
        await client.close()


async def test_http_errors_carry_status_retry_after_and_permanence(site, fetcher) -> None:
    missing = site.url("/nothing-here")
    with pytest.raises(FeedRejected, match="HTTP 404") as not_found:
        await fetcher.fetch(missing)
    assert not not_found.value.permanent

    gone = site.serve("/gone", b"", status=410)
    with pytest.raises(FeedRejected) as rejected:
        await fetcher.fetch(gone)
    assert rejected.value.permanent

    busy = site.serve("/busy", b"", status=429, headers={"Retry-After": "120"})
    with pytest.raises(FeedRejected) as limited:
        await fetcher.fetch(busy)
    assert limited.value.retry_after == 120


async def test_private_addresses_are_refused_unless_allowed(site) -> None:
    url = site.serve("/feed.xml", "blog_rss.xml")
    guarded = FeedFetcher(FetchLimits())
    try:
        with pytest.raises(FeedRejected, match="private address"):
            await guarded.fetch(url)
        with pytest.raises(FeedRejected, match="only http and https"):
            await guarded.fetch("file:///etc/passwd")
    finally:
        await guarded.close()
    assert site.hits_to("/feed.xml") == []  # refused before any request was made
