"""The console bot as transcripts: what a user types and what digestbot answers."""

from __future__ import annotations

import asyncio

from bot.runtime import Runtime
from tests.fixtures.runtime import Transcript

SUBSCRIBE = "/subscribe weekly at morning tz Europe/Paris on wed"


async def test_guided_setup_creates_the_profile_only_at_the_end(
    console: Transcript, runtime: Runtime
) -> None:
    assert "Set-up 1/5" in await console.say("/subscribe")
    assert "[2] weekly" in console.out.getvalue()
    assert "Set-up 2/5" in await console.say("2")  # numbered choice: weekly
    assert await runtime.ctx.subscribers.find_by_identity("console", "console-user") is None
    assert "bad time '25:00'" in await console.say("25:00")
    assert "Set-up 3/5" in await console.say("evening")
    assert "Set-up 4/5" in await console.say("Europe/Berlin")
    assert "Set-up 5/5" in await console.say("fri")
    done = await console.say("Find latest research on reinforcement learning")
    assert "Subscribed: weekly on Friday at 18:00 (evening) Europe/Berlin" in done
    assert "reinforcement learning" in done
    stored = await runtime.ctx.subscribers.find_by_identity("console", "console-user")
    assert stored is not None and stored.ai_metadata.prompts


async def test_abandoned_setup_expires_and_leaves_nothing(runtime: Runtime) -> None:
    runtime.ctx.sessions._ttl = 1  # type: ignore[attr-defined]
    console = Transcript(runtime)
    await console.say("/subscribe")
    await console.say("daily")
    await asyncio.sleep(1.3)
    assert "Commands start with a slash" in await console.say("08:00")
    assert await runtime.ctx.subscribers.find_by_identity("console", "console-user") is None


async def test_cancel_stops_the_setup(console: Transcript, runtime: Runtime) -> None:
    await console.say("/subscribe")
    assert "nothing was saved" in await console.say("cancel")
    assert await runtime.ctx.subscribers.find_by_identity("console", "console-user") is None


async def test_profile_commands_round_trip(console: Transcript) -> None:
    await console.say(SUBSCRIBE)
    await console.say('/digest prompt add "Graph neural networks for molecules"')
    assert "graph neural networks" in await console.say("/digest prompt list")
    refined = await console.say("/digest refine topics +robotics -'graph neural networks'")
    assert "robotics" in refined
    assert "excluded: crypto" in await console.say("/digest refine exclude +crypto")
    assert "0.70" in await console.say("/digest refine threshold 0.7")
    assert "Novelty minimum set to 0.20" in await console.say("/digest refine novelty 0.2")
    assert "Style: concise" in await console.say("/digest style concise")
    assert "Tone: casual" in await console.say("/digest tone casual")
    assert "Format: paragraph" in await console.say("/digest format paragraph")
    assert "Email set to ada@example.org" in await console.say("/digest email ada@example.org")
    assert "Alerts on" in await console.say("/digest alerts on 0.9")
    assert "Quiet hours 22:00-07:00" in await console.say("/digest quiet 22:00-07:00")
    settings = await console.say("/digest settings")
    for expected in ("concise", "casual", "paragraph", "ada@example.org", "on ≥ 0.90"):
        assert expected in settings
    assert "Paused" in await console.say("/digest pause until 2099-01-01")
    assert "Paused until 2099-01-01" in await console.say("/digest status")
    assert "Resumed" in await console.say("/digest resume")
    assert "Removed prompt" in await console.say("/digest prompt remove 1")
    assert "How I rank items" in await console.say("/digest why")
    assert "Unsubscribed" in await console.say("/unsubscribe")


async def test_resubscribe_after_unsubscribe_reactivates(console: Transcript) -> None:
    await console.say(SUBSCRIBE)
    await console.say("/digest unsubscribe")
    assert "status: unsubscribed" in await console.say("/digest settings")
    assert "Subscribed: weekly" in await console.say("/subscribe weekly")
    assert "status: active" in await console.say("/digest settings")


async def test_empty_digest_sends_a_note_or_nothing(console: Transcript) -> None:
    await console.say(SUBSCRIBE)
    await console.say('/digest prompt add "quantum computing"')
    note = await console.say("/digest now")
    assert "nothing new cleared your bar" in note
    assert "one-line note" in await console.say("/digest status")
    await console.say("/digest empty silent")
    assert "nothing was sent" in await console.say("/digest now")


async def test_admin_stats_and_help(console: Transcript) -> None:
    help_text = await console.say("/digest")
    for sub in ("preview", "history", "refine", "alerts", "admin seed"):
        assert sub in help_text
    await console.say("/digest admin seed --subscribers 3 --content 10 --seed 5 --dispatch")
    stats = await console.say("/digest admin stats")
    assert "Subscribers by status" in stats and "active: 3" in stats
    assert "Outbox by state" in stats


async def test_non_admins_cannot_seed(runtime: Runtime) -> None:
    from core.actor import Actor

    stranger = Actor(platform="console", user_id="guest", display_name="guest")
    reply = await runtime.service.handle(stranger, "/digest admin seed")
    assert reply.is_error and "only admins" in reply.text


async def test_a_new_prompt_is_shown_back_with_sample_matches(console: Transcript) -> None:
    await console.say("/digest admin seed --subscribers 2 --content 60 --seed 9")
    await console.say(SUBSCRIBE)
    reply = await console.say('/digest prompt add "new work on robotics and robot learning"')
    assert "topics: robotics" in reply
    samples = reply.split("Sample matches", 1)[1]
    assert samples.count("• ") >= 1 and "score" in samples
