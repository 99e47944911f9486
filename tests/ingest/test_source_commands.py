"""`/digest source add|list|remove` through the wired bot: admins share, anyone adds
their own, health and pause reasons are shown, a re-add resumes a paused source."""

from __future__ import annotations

from bot.runtime import Runtime
from core.actor import Actor
from tests.fakes.feeds_server import FakeFeedServer

ADMIN = Actor(platform="slack", user_id="UADMIN", display_name="Ada", is_admin=True)
BOB = Actor(platform="slack", user_id="UBOB", display_name="Bob")
CAROL = Actor(platform="slack", user_id="UCAROL", display_name="Carol")


async def say(runtime: Runtime, actor: Actor, line: str) -> str:
    return (await runtime.service.handle(actor, line)).as_text()


async def test_admins_share_sources_and_anyone_adds_their_own(
    feeds_runtime: Runtime, site: FakeFeedServer
) -> None:
    blog = site.serve("/feed.xml", "blog_rss.xml")
    added = await say(feeds_runtime, ADMIN, f"/digest source add {blog} as Lab Notes")
    assert "Added feed “Lab Notes” (shared with everyone)" in added
    mine = await say(feeds_runtime, BOB, "/digest source add arxiv:quant-ph")
    assert "Added arXiv query “arXiv quant-ph” (yours: its items go only to you)" in mine

    listed = await say(feeds_runtime, BOB, "/digest source list")
    assert "• Lab Notes (shared)" in listed and "• arXiv quant-ph (yours) arxiv:quant-ph" in listed
    assert listed.count("waiting for its first fetch") == 2
    assert "arXiv quant-ph" not in await say(feeds_runtime, CAROL, "/digest source list")

    refused = await say(feeds_runtime, BOB, "/digest source remove lab notes")
    assert "“Lab Notes” is a shared source; only admins can remove it." in refused
    assert "already a shared source “Lab Notes”" in await say(
        feeds_runtime, BOB, f"/digest source add {blog}"
    )
    assert "already a source named “arXiv quant-ph”" in await say(
        feeds_runtime, BOB, f"/digest source add {site.url('/other.xml')} as arXiv quant-ph"
    )
    assert "Removed source “arXiv quant-ph”" in await say(
        feeds_runtime, BOB, "/digest source remove arXiv quant-ph"
    )
    assert "Removed source “Lab Notes”" in await say(
        feeds_runtime, ADMIN, "/digest source remove Lab Notes"
    )
    assert "No sources yet" in await say(feeds_runtime, BOB, "/digest source list")


async def test_bad_source_input_gets_a_clear_message_and_changes_nothing(
    feeds_runtime: Runtime,
) -> None:
    for line, message in [
        ("/digest source add ftp://example.org/feed", "bad URL"),
        ("/digest source add arxiv:%%%", "bad arXiv query"),
        ("/digest source remove Nothing", "there is no source named “Nothing”"),
    ]:
        reply = await feeds_runtime.service.handle(BOB, line)
        assert reply.is_error and message in reply.text, reply.text
    assert "No sources yet" in await say(feeds_runtime, BOB, "/digest source list")


async def test_a_paused_source_shows_why_and_a_re_add_resumes_it(
    feeds_runtime: Runtime, site: FakeFeedServer
) -> None:
    url = site.serve("/gone.xml", b"", status=410)
    await say(feeds_runtime, BOB, f"/digest source add {url} as Old Blog")
    assert feeds_runtime.ingest is not None
    await feeds_runtime.ingest.run()

    listed = await say(feeds_runtime, BOB, "/digest source list")
    assert "⏸️ paused: the feed is gone for good (HTTP 410 Gone)" in listed
    site.serve("/gone.xml", "atom.xml")  # the site came back
    resumed = await say(feeds_runtime, BOB, f"/digest source add {url}")
    assert "“Old Blog” was paused: the feed is gone for good" in resumed
    assert "active again" in resumed
    report = await feeds_runtime.ingest.run()
    assert report.by_source()["Old Blog"].new == 2
    assert "✅ ok" in await say(feeds_runtime, BOB, "/digest source list")
