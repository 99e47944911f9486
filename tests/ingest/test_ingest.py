"""Ingestion end to end against a local feed site and real PostgreSQL and Redis."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from core.sources import parse_source
from storage.postgres.sources import PgSourceRegistry
from storage.redis.alerts import AlertBus
from tests.fakes.feeds_server import FakeFeedServer
from tests.ingest.conftest import SettableClock, add_source

LATER = timedelta(hours=2)  # past the one-hour poll interval


async def count_items(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM content_items"))


def serve_fixtures(site: FakeFeedServer) -> dict[str, str]:
    return {
        "blog": site.serve("/blog/feed.xml", "blog_rss.xml", etag='"blog-1"'),
        "atom": site.serve("/atom.xml", "atom.xml", last_modified="Wed, 15 Jan 2025 12:00:00 GMT"),
        "arxiv": site.serve("/api/query", "arxiv.xml", etag='"arxiv-1"'),
    }


async def test_fixture_feeds_are_stored_once_and_a_refetch_adds_nothing(
    pg_pool, registry, site, make_job, clock: SettableClock
) -> None:
    urls = serve_fixtures(site)
    await add_source(registry, urls["blog"], "Lab Notes")
    await add_source(registry, urls["atom"], "Physics Digest")
    await add_source(registry, "arxiv:quant-ph", "arXiv quant-ph")
    job = make_job()

    first = (await job.run()).by_source()
    assert {name: o.status for name, o in first.items()} == {
        "Lab Notes": "ok",
        "Physics Digest": "ok",
        "arXiv quant-ph": "ok",
    }
    # 3 + 2 + 3 entries; the blog post about arXiv 2501.00002 and the paper are one item.
    assert sum(o.new for o in first.values()) == 7
    assert sum(o.merged for o in first.values()) == 1
    assert await count_items(pg_pool) == 7
    query = site.hits_to("/api/query")[0].query
    assert query["search_query"] == "cat:quant-ph" and query["sortBy"] == "submittedDate"

    clock.advance(LATER)
    second = (await job.run()).by_source()
    assert {o.status for o in second.values()} == {"not-modified"}
    assert await count_items(pg_pool) == 7
    assert site.hits_to("/blog/feed.xml")[-1].headers["If-None-Match"] == '"blog-1"'
    assert site.hits_to("/atom.xml")[-1].headers["If-Modified-Since"].startswith("Wed, 15 Jan")

    # A server that ignores validators sends it all again: upserts by URL add nothing.
    site.routes["/blog/feed.xml"].etag = '"blog-2"'
    clock.advance(LATER)
    third = (await job.run()).by_source()
    assert (third["Lab Notes"].status, third["Lab Notes"].new) == ("ok", 0)
    assert third["Lab Notes"].known == 3
    assert await count_items(pg_pool) == 7

    health = {s.name: s for s in await registry.visible_to("console:anyone")}
    assert health["Lab Notes"].etag == '"blog-2"' and health["Lab Notes"].items_added >= 2
    assert all(s.consecutive_failures == 0 and s.last_success_at for s in health.values())


async def test_a_merged_story_shows_its_most_credible_version_under_both_urls(
    pg_pool, registry, site, make_job
) -> None:
    urls = serve_fixtures(site)
    # The blog post comes first; the paper it describes, more credible, becomes its face.
    await add_source(registry, urls["blog"], "Lab Notes")
    await add_source(registry, "arxiv:quant-ph", "arXiv quant-ph")
    outcomes = (await make_job(concurrency=1).run()).by_source()
    assert (outcomes["Lab Notes"].new, outcomes["arXiv quant-ph"].merged) == (3, 1)
    paper = await pg_pool.fetchrow(
        "SELECT * FROM content_items WHERE url = 'https://arxiv.org/abs/2501.00002'"
    )
    assert paper["title"] == "Neural Decoders for Surface Codes on Superconducting Qubits"
    assert paper["source"] == "arXiv quant-ph"
    assert paper["arxiv_id"] == "2501.00002" and paper["content_type"] == "paper"
    assert "quantum computing" in paper["entities"]["topics"]
    assert paper["ai_scores"]["credibility"] == 0.7  # arXiv's standing
    assert 0 < paper["ai_scores"]["overall"] <= 1
    urls_of_paper = await pg_pool.fetch(
        "SELECT url FROM content_item_urls WHERE content_id = $1 ORDER BY url", paper["id"]
    )
    assert [r["url"] for r in urls_of_paper] == [
        "https://arxiv.org/abs/2501.00002",
        "https://lab.example.org/posts/neural-decoders",
    ]


async def test_hostile_feeds_are_rejected_with_their_reason_while_a_good_feed_ingests(
    registry, site, make_job
) -> None:
    good = site.serve("/atom.xml", "atom.xml")
    hostile = {
        "malformed": site.serve("/malformed.xml", "malformed.xml"),
        "laughs": site.serve("/laughs.xml", "billion_laughs.xml"),
        "huge": site.serve("/huge.xml", b"", stream_bytes=50_000_000),
        "loop": site.redirect("/loop-a", "/loop-b"),
        "slow": site.serve("/slow.xml", "atom.xml", delay=5),
    }
    site.redirect("/loop-b", "/loop-a")
    await add_source(registry, good, "Good")
    for name, url in hostile.items():
        await add_source(registry, url, name)
    from scheduler.feeds.fetch import FetchLimits

    limits = FetchLimits(timeout_seconds=0.5, max_bytes=1_000_000, allow_private_hosts=True)
    outcomes = (await make_job(limits=limits).run()).by_source()

    assert (outcomes["Good"].status, outcomes["Good"].new) == ("ok", 2)
    health = {s.name: s for s in await registry.visible_to("console:anyone")}
    expected = {
        "malformed": "malformed XML: mismatched tag",
        "laughs": "declares entities",
        "huge": "exceeds the 1 MB cap",
        "loop": "redirect loop",
        "slow": "timed out after 0.5 s",
    }
    for name, reason in expected.items():
        assert outcomes[name].status == "failed"
        assert reason in (health[name].last_error or ""), (name, health[name].last_error)
        assert health[name].consecutive_failures == 1 and health[name].status == "active"
    assert health["Good"].last_error is None


async def test_a_source_that_keeps_failing_is_paused_and_its_owner_told(
    registry: PgSourceRegistry, site, make_job, clock: SettableClock, alerts: AlertBus
) -> None:
    url = site.serve("/broken.xml", b"oops", status=500)
    await add_source(registry, url, "Flaky", owner="slack:U1")
    job = make_job(max_failures=2)

    assert (await job.run()).by_source()["Flaky"].status == "failed"
    assert (await job.run()).outcomes == []  # backing off: not due yet
    clock.advance(LATER)
    paused = (await job.run()).by_source()["Flaky"]
    assert paused.status == "paused"

    [source] = await registry.visible_to("slack:U1")
    assert source.status == "paused" and source.consecutive_failures == 2
    assert source.paused_reason == (
        "paused after 2 failed fetches in a row; last error: HTTP 500 Internal Server Error"
    )
    [alert] = await alerts.recent()
    assert alert["kind"] == "source-paused" and alert["recipient"] == "slack:U1"
    assert (alert["destination"], alert["address"]) == ("slack", "U1")
    assert "HTTP 500" in alert["text"]

    clock.advance(timedelta(days=2))
    assert (await job.run()).outcomes == []  # paused: never fetched, never dropped
    assert len(site.hits_to("/broken.xml")) == 2


async def test_private_items_reach_their_owner_until_a_shared_source_carries_them(
    pg_pool, registry, site, make_job, clock: SettableClock
) -> None:
    from core.models import Subscriber
    from storage.postgres.alert_log import PgAlertLog
    from storage.postgres.content import PgContentRepository
    from storage.postgres.subscribers import PgSubscriberRepository

    people = PgSubscriberRepository(pg_pool)
    alice = await people.save(Subscriber(name="Alice", platform="slack", platform_user_id="UA"))
    bob = await people.save(Subscriber(name="Bob", platform="slack", platform_user_id="UB"))
    url = site.serve("/atom.xml", "atom.xml")
    await add_source(registry, url, "Alice's physics", owner="slack:UA")
    job = make_job()
    await job.run()

    content = PgContentRepository(pg_pool)
    assert len(await content.candidates_for(alice.id, None, 50)) == 2
    assert await content.candidates_for(bob.id, None, 50) == []
    assert await content.recent(50) == []  # samples show shared items only
    alert_log = PgAlertLog(pg_pool)
    assert await alert_log.new_content(clock.now() - timedelta(days=1), 50) == []  # no alerts

    await registry.add(parse_source(url), "Physics (shared)", None, "slack:ADMIN")
    clock.advance(LATER)
    await job.run()
    assert len(await content.candidates_for(bob.id, None, 50)) == 2
    assert await count_items(pg_pool) == 2
    assert len(await alert_log.new_content(clock.now() - timedelta(days=1), 50)) == 2


async def test_fetches_to_one_host_are_paced_through_the_shared_limiter(
    registry, site, make_job
) -> None:
    for n in range(3):
        await add_source(registry, site.serve(f"/f{n}.xml", "atom.xml"), f"Feed {n}")
    await make_job(paced=True, host_interval_seconds=0.3).run()
    times = sorted(hit.at for hit in site.hits)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 3 and min(gaps) >= 0.25, gaps
