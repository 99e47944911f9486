"""Scheduled digests as Discord DMs: the scheduler tick and the delivery worker of the real
runtime, its DiscordDeliverer driving discord.py against the fake REST API, and feedback
buttons pressed through the fake gateway."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from bot.discord.supersede import SUPERSEDED
from bot.email import make_email_deliverer, make_sesv2_client, verify_sender
from bot.runtime import Runtime
from core.models import AIScores, ContentItem
from storage.redis.rate_limit import bucket_key
from tests.fakes.discord_interactions import component, slash
from tests.fixtures.discord import DiscordHarness

DM = "94242"  # the fake opens DM channel "9" + user id
GOOD = AIScores(relevance=0.9, quality=0.9, novelty=0.9, credibility=0.9, overall=0.9)


async def seed_items(runtime: Runtime, tag: str, n: int = 3) -> None:
    now = datetime.now(UTC)
    items = [
        ContentItem(title=f"Sparse attention {tag}{i} @everyone", url=f"https://papers.example/{tag}{i}",
                    summary="Attention gets cheaper. Quality holds. Code is out.", source="arXiv",
                    published_at=now - timedelta(minutes=10 + i), ai_scores=GOOD)
        for i in range(n)
    ]  # fmt: skip
    await runtime.ctx.content.add_many(items)


async def due_now(h: DiscordHarness) -> None:
    await h.runtime.pool.execute(
        "UPDATE publishing_subscribers SET next_due_at = now() - interval '1 minute'"
    )


async def scheduled_run(h: DiscordHarness) -> None:
    await due_now(h)
    assert (await h.runtime.tick.run()).published >= 1
    await h.runtime.delivery.drain()


async def first_digest(h: DiscordHarness, tag: str = "a") -> dict[str, Any]:
    await h.ask(slash("subscribe", frequency="daily"))
    await seed_items(h.runtime, tag)
    await scheduled_run(h)
    [dm] = h.api.sent(DM)
    return dm


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in message["components"] for b in row["components"]]


async def press(
    h: DiscordHarness, message: dict[str, Any], custom_id: str, guild: str | None = None
) -> None:
    """Press a button; wait for the bot to edit the message in place (after deferring)."""
    token = await h.interact(component(message, custom_id, guild=guild))
    edits = await h.api.until(lambda: [c for c in h.api.calls if token in c.path][1:])
    assert h.api.callbacks(6) and edits[0].method == "PATCH"  # deferred update, then the edit


async def test_a_scheduled_digest_arrives_as_a_dm_with_embeds_and_buttons(
    discord_harness: DiscordHarness,
) -> None:
    h = discord_harness
    dm = await first_digest(h)
    [post] = [c for c in h.api.calls if c.path == f"/channels/{DM}/messages"]
    assert post.json["enforce_nonce"] is True and post.json["nonce"]
    assert post.json["allowed_mentions"] == {"parse": []}
    header, *items = dm["embeds"]
    assert len(items) == 3 and header["title"]
    for embed in items:
        assert embed["url"].startswith("https://") and "@\u200beveryone" in embed["title"]
        assert "*arXiv" in embed["description"] and "**Why:**" in embed["description"]
        assert "Attention gets cheaper" in embed["description"]
    ids = [b["custom_id"] for b in buttons(dm)]
    assert len(ids) == 6 and [len(row["components"]) for row in dm["components"]] == [4, 2]
    assert ids[0].startswith("digestbot:feedback:like:") and ids[1].startswith(
        "digestbot:feedback:dislike:"
    )
    [row] = await h.runtime.pool.fetch("SELECT state FROM delivery_outbox")
    assert row["state"] == "sent"


async def test_feedback_is_recorded_and_shown_in_place_across_restarts(
    discord_harness: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = discord_harness
    dm = await first_digest(h)
    like, dislike = buttons(dm)[0]["custom_id"], buttons(dm)[3]["custom_id"]
    await press(h, dm, like)
    assert buttons(dm)[0]["style"] == 3  # 👍 acknowledged: the message was edited in place

    await h.stop_bot()
    await h.start_bot()  # custom-id routing: the buttons need no state in the process
    await press(h, dm, dislike)
    await press(h, dm, like)  # the same vote again counts once
    assert [b["style"] for b in buttons(dm)] == [3, 2, 2, 4, 2, 2]
    pub, first = map(int, like.split(":")[-2:])
    second = int(dislike.split(":")[-1])
    counters = h.deps.engagement
    assert (await counters.item_totals(first))["like"] == 1
    assert (await counters.item_totals(second))["dislike"] == 1
    assert (await counters.publication_totals(pub))["like"] == 1

    async def redis_away(*args: object) -> bool:
        raise ConnectionError("redis is restarting")

    monkeypatch.setattr(counters, "record", redis_away)
    token = await h.interact(component(dm, buttons(dm)[4]["custom_id"]))
    [*_, answer] = await h.api.until(lambda: h.api.sent(f"webhook:{token}"))
    assert "something went wrong" in answer["content"] and answer["flags"] == 64
    assert [b["style"] for b in buttons(dm)] == [3, 2, 2, 4, 2, 2]  # nothing changed


async def test_a_newer_digest_marks_the_previous_one_superseded(
    discord_harness: DiscordHarness,
) -> None:
    h = discord_harness
    old = await first_digest(h)
    await seed_items(h.runtime, "b")
    await h.ask(slash("digest now"))  # a second digest (a later slot would do the same)
    await h.api.until(lambda: old["content"] == SUPERSEDED)  # edited in place
    older, newer = h.api.sent(DM)
    assert older is old and old["content"] == SUPERSEDED and old["edited_timestamp"]
    assert old["components"] and newer["embeds"] and newer["content"] != SUPERSEDED


async def test_a_dm_refused_with_50007_falls_back_to_email(
    discord_harness: DiscordHarness,
    moto_aws: dict[str, str],
    moto_sent_emails: Callable[..., list[Any]],
) -> None:
    h = discord_harness
    sender = f"digest-{uuid4().hex[:10]}@example.com"
    assert await verify_sender(make_sesv2_client(**moto_aws), sender) == "SUCCESS"
    email = make_email_deliverer(sender=sender, unsubscribe_url_for=lambda m: None, **moto_aws)
    h.runtime.delivery.deliverers["email"] = email  # type: ignore[index]
    await h.ask(slash("subscribe", frequency="daily"))
    await h.ask(slash("digest email", address="ada@example.com"))
    await seed_items(h.runtime, "c")
    h.api.fail_next("POST", rf"/channels/{DM}/messages", ("forbidden", 50007))

    await scheduled_run(h)
    await h.runtime.delivery.drain()  # the fallback row queued by the failure

    assert not h.api.sent(DM)
    rows = await h.runtime.pool.fetch("SELECT destination, state FROM delivery_outbox ORDER BY id")
    assert [(r["destination"], r["state"]) for r in rows] == [
        ("discord", "failed"),
        ("email", "sent"),
    ]
    [mail] = moto_sent_emails(sender)
    assert mail.destinations == ["ada@example.com"] or "ada@example.com" in str(mail.destinations)
    assert "Sparse attention c0" in mail.raw_data


async def test_429s_slow_sending_without_losing_or_doubling_a_message(
    discord_harness: DiscordHarness,
) -> None:
    h = discord_harness
    users = ["4242", "4243", "4244"]
    for user in users:
        await h.ask(slash("subscribe", frequency="daily", user_id=user))
    await seed_items(h.runtime, "d")
    h.api.fail_next("POST", r"/channels/94242/messages", ("ratelimit", 0.4))  # slept through
    h.api.fail_next("POST", r"/channels/94243/messages", ("ratelimit", 45))  # over 30 s: later
    started = asyncio.get_running_loop().time()
    await scheduled_run(h)
    assert asyncio.get_running_loop().time() - started >= 0.4

    assert [len(h.api.sent(f"9{u}")) for u in users] == [1, 0, 1]
    assert await h.runtime.redis.hget(bucket_key("discord:channel:94243"), "blocked_until")
    [waiting] = await h.runtime.pool.fetch(
        "SELECT next_attempt_at - now() AS wait FROM delivery_outbox WHERE state = 'pending'"
    )
    assert waiting["wait"] >= timedelta(seconds=40)  # honours retry_after, not lost
    await h.runtime.pool.execute("UPDATE delivery_outbox SET next_attempt_at = now()")
    await h.runtime.redis.delete(bucket_key("discord:channel:94243"))  # as if 45 s went by
    await h.runtime.delivery.drain()

    assert [len(h.api.sent(f"9{u}")) for u in users] == [1, 1, 1]  # each exactly once
    posts = [c for c in h.api.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert len(posts) == 5  # two 429s answered, three messages created
    states = await h.runtime.pool.fetch("SELECT state FROM delivery_outbox")
    assert {r["state"] for r in states} == {"sent"}


async def test_a_preview_offers_a_send_it_now_button(discord_harness: DiscordHarness) -> None:
    h = discord_harness
    await h.ask(slash("subscribe", frequency="daily"))
    await seed_items(h.runtime, "e")
    preview = await h.ask(slash("digest preview"))
    assert "3 of 3 new items" in preview["content"]
    [button] = buttons(preview)
    token = await h.interact(component(preview, button["custom_id"]))
    answers = await h.api.until(lambda: h.api.sent(f"webhook:{token}")[1:])
    assert "Sent your digest: 3 items" in answers[-1]["content"]
    [dm] = await h.api.until(lambda: h.api.sent(DM))
    assert len(dm["embeds"]) == 4
