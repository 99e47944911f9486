"""A subscriber whose prompt is about the fixtures' topic gets a digest of the right items,
from feeds fetched by the real wiring (settings -> runtime -> ingestion job)."""

from __future__ import annotations

from bot.runtime import Runtime
from core.actor import Actor
from tests.fakes.feeds_server import FakeFeedServer
from tests.fixtures.runtime import Transcript

QUANTUM = [
    "Neural Decoders for Surface Codes on Superconducting Qubits",
    "Low-Overhead Quantum Error Correction with Bivariate Bicycle Codes",
    "Benchmarking Qubit Readout Fidelity Across Cryogenic Amplifiers",
    "Magic state distillation gets cheaper",
]
OFF_TOPIC = ["protein folding", "robot arm", "monsoon"]


async def test_a_prompt_about_the_fixtures_topic_gets_a_digest_of_the_right_items(
    feeds_runtime: Runtime, site: FakeFeedServer
) -> None:
    console = Transcript(feeds_runtime)
    blog = site.serve("/feed.xml", "blog_rss.xml", etag='"1"')
    atom = site.serve("/atom.xml", "atom.xml")
    site.serve("/api/query", "arxiv.xml")
    for line in (
        f"/digest source add {blog} as Lab Notes",
        f"/digest source add {atom}",
        "/digest source add arxiv:quant-ph",
    ):
        assert "Added" in await console.say(line)
    assert feeds_runtime.ingest is not None
    report = await feeds_runtime.ingest.run()
    assert report.new == 7

    await console.say("/subscribe daily at 08:00 tz UTC")
    await console.say('/digest prompt add "quantum error correction"')
    subscriber = await feeds_runtime.ctx.subscribers.find_by_identity("console", "console-user")
    assert subscriber is not None
    digest = await feeds_runtime.ctx.pipeline.assemble(subscriber, "test")
    titles = [d.item.title for d in digest.items]
    assert sorted(titles) == sorted(QUANTUM)
    # The blog post and the paper it describes are one story: sent once.
    assert not any("explained" in t for t in titles)

    sent = await console.say("/digest now")
    assert "Sent your digest: 4 items" in sent
    for title in QUANTUM:
        assert title in sent
    for words in OFF_TOPIC:
        assert words not in sent.lower()


async def test_why_shows_the_scoring_formula(feeds_runtime: Runtime) -> None:
    actor = Actor(platform="console", user_id="console-user", display_name="me", is_admin=True)
    await feeds_runtime.service.handle(actor, "/subscribe daily at 08:00 tz UTC")
    why = (await feeds_runtime.service.handle(actor, "/digest why")).as_text()
    assert "Each new item is scored once, for everyone" in why
    assert "overall = 0.30 relevance + 0.25 quality + 0.25 credibility + 0.20 novelty" in why


def test_the_ingestion_job_is_scheduled_at_its_interval(feeds_runtime: Runtime) -> None:
    from scheduler.jobs import build_scheduler

    scheduler = build_scheduler(
        feeds_runtime.tick,
        feeds_runtime.delivery,
        feeds_runtime.housekeeping,
        ingest=feeds_runtime.ingest,
    )
    job = scheduler.get_job("ingest")
    assert job is not None and job.trigger.interval.total_seconds() == 300
    assert (
        build_scheduler(
            feeds_runtime.tick, feeds_runtime.delivery, feeds_runtime.housekeeping
        ).get_job("ingest")
        is None
    )
