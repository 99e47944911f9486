"""Digests in Slack end to end: the scheduler tick, the outbox, the real SlackDeliverer and
the Bolt app's 👍/👎 buttons, against the fake Web API."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.slack.digest_post import SUPERSEDED
from core.actor import Actor
from core.delivery import OutboundMessage
from core.mockdata import mock_content
from core.render import FOOTER, SLACK_MAX_BLOCKS, SLACK_MAX_HEADER, SLACK_MAX_TEXT, slack_blocks
from storage.redis.engagement import EngagementCounters
from storage.redis.rate_limit import bucket_key
from tests.bot.slack_harness import (
    SlackHarness,
    block_action,
    slack_running,
    slack_settings,
    wait_until,
)
from tests.fakes.slack_api import Call, FakeSlackApi

PROMPT = '/digest prompt add "Find latest research on NLP and language models"'


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        yield api


@pytest.fixture
async def slack(pg_url: str, redis_url: str, fake: FakeSlackApi) -> AsyncIterator[SlackHarness]:
    settings = slack_settings(pg_url, redis_url, fake, admin_user_ids="slack:UADMIN")
    async with slack_running(settings, fake) as harness:
        await harness.runtime.ctx.content.add_many(mock_content(60, 7, datetime.now(UTC)))
        yield harness


async def subscribe(slack: SlackHarness, *users: str) -> None:
    """Slack members subscribed through the command service (as /subscribe would)."""
    for user in users:
        actor = Actor(platform="slack", user_id=user, display_name=user, team_id="T0000")
        for line in ("/subscribe daily at 08:00 tz UTC", PROMPT):
            reply = await slack.runtime.service.handle(actor, line)
            assert not reply.is_error, reply.as_text()


async def run_schedule(slack: SlackHarness) -> None:
    """Everyone is due now: one scheduler tick, then drain the outbox once."""
    pool = slack.runtime.pool
    await pool.execute("UPDATE publishing_subscribers SET next_due_at = now() - interval '1 m'")
    await pool.execute("UPDATE publishing_channels SET next_due_at = now() - interval '1 m'")
    await slack.runtime.tick.run()
    await slack.runtime.delivery.drain()


def elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]


def assert_within_slack_limits(blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= SLACK_MAX_BLOCKS
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= SLACK_MAX_HEADER
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SLACK_MAX_TEXT


async def test_a_scheduled_digest_arrives_as_a_block_kit_dm(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    await subscribe(slack, "U1")
    await run_schedule(slack)

    assert [c.body["users"] for c in fake.calls_to("conversations.open")] == ["U1"]
    [post] = fake.ok_calls_to("chat.postMessage")
    blocks = post.body["blocks"]
    assert post.body["channel"] == "DU1" and post.token == "xoxb-test"
    assert_within_slack_limits(blocks)
    assert blocks[0]["type"] == "header"
    items = [
        b for b in blocks if b["type"] == "section" and re.match(r"\*\d+\. <", b["text"]["text"])
    ]
    assert items, "one section per item, title linked"
    assert "_Why:_" in items[0]["text"]["text"]  # the reason it was picked
    buttons = elements(blocks)
    feedback = [b for b in buttons if b["action_id"].startswith("feedback_")]
    assert len(feedback) == 2 * len(items)
    assert all(re.fullmatch(r"\d+:\d+", b["value"]) for b in feedback)
    assert [b["action_id"] for b in buttons[-2:]] == ["digest_settings", "digest_unsubscribe"]
    rows = await slack.runtime.pool.fetch("SELECT state FROM delivery_outbox")
    assert [r["state"] for r in rows] == ["sent"]


async def test_thumbs_up_is_recorded_once_and_shown_on_the_message(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    await subscribe(slack, "U1")
    await run_schedule(slack)
    [post] = fake.ok_calls_to("chat.postMessage")
    like = next(b for b in elements(post.body["blocks"]) if b["action_id"] == "feedback_like")
    publication_id, item_id = map(int, like["value"].split(":"))
    message = {"ts": "1700000001.000100", "text": post.body["text"], "blocks": post.body["blocks"]}
    press = block_action(like, channel="DU1", message=message)

    for _ in range(2):  # a double click counts once
        status, _ = await slack.interact(press)
        assert status == 200
        await slack.settle()

    counters = EngagementCounters(slack.runtime.redis)
    assert (await counters.publication_totals(publication_id))["like"] == 1
    assert (await counters.item_totals(item_id))["like"] == 1
    update = fake.calls_to("chat.update")[-1].body
    assert (update["channel"], update["ts"]) == ("DU1", "1700000001.000100")
    shown = [b for b in elements(update["blocks"]) if b.get("value") == like["value"]]
    assert shown[0]["text"]["text"] == "👍 Noted, thanks" and shown[0]["style"] == "primary"


async def test_a_429_storm_slows_sending_without_losing_or_doubling(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    users = [f"U{n}" for n in range(1, 7)]
    await subscribe(slack, *users)
    fake.limit_per_second("chat.postMessage", 2)  # Slack says 429 + Retry-After beyond that

    await run_schedule(slack)
    limited = [c for c in fake.calls_to("chat.postMessage") if c.status == 429]
    assert limited, "the storm happened"
    workspace = await slack.runtime.redis.hget(bucket_key("slack:workspace"), "blocked_until")
    assert workspace is not None  # Retry-After held every sender back, not just this one

    async def all_sent() -> bool:
        await slack.runtime.delivery.drain()
        rows = await slack.runtime.pool.fetch("SELECT state FROM delivery_outbox")
        return all(r["state"] == "sent" for r in rows)

    for _ in range(300):  # retries wait for Retry-After and backoff: up to 30 s
        if await all_sent():
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("not everything was sent")
    delivered = sorted(c.body["channel"] for c in fake.ok_calls_to("chat.postMessage"))
    assert delivered == sorted(f"D{u}" for u in users)  # each exactly once


async def test_a_channel_digest_posts_a_summary_with_items_in_its_thread(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    line = 'channel subscribe weekly on mon at 09:00 tz UTC topics "natural language processing"'
    await slack.command(f"/digest {line}", user="UADMIN", channel="C1", channel_name="research")
    await wait_until(lambda: fake.responses)
    await slack.settle()

    await run_schedule(slack)

    posts = fake.ok_calls_to("chat.postMessage")
    parent, replies = posts[0], posts[1:]
    assert parent.body["channel"] == "C1" and "thread_ts" not in parent.body
    assert_within_slack_limits(parent.body["blocks"])
    assert not elements(parent.body["blocks"])  # compact: no buttons on the summary
    threads = {r.body.get("thread_ts") for r in replies}
    assert replies and threads == {parent.response["ts"]}  # all in the summary's thread
    summary = "\n".join(str(b.get("text") or b.get("elements")) for b in parent.body["blocks"])
    for reply in replies:  # each item's details and 👍/👎 sit in the thread
        title_line = reply.body["blocks"][0]["text"]["text"].splitlines()[0]
        assert title_line in summary
        assert {b["action_id"] for b in elements(reply.body["blocks"])} == {
            "feedback_like", "feedback_dislike",
        }  # fmt: skip

    await vote_in_channel(slack, fake, replies[0])


async def vote_in_channel(slack: SlackHarness, fake: FakeSlackApi, reply: Call) -> None:
    """Members' 👍 on a thread item count for the channel and show as a tally in place."""
    like = next(b for b in elements(reply.body["blocks"]) if b["action_id"] == "feedback_like")
    message = {"ts": "1700000002.000100", "text": "item", "blocks": reply.body["blocks"]}
    for user in ("U7", "U8"):
        await slack.interact(block_action(like, user=user, channel="C1", message=message))
        await slack.settle()
    publication_id = int(like["value"].split(":")[0])
    counters = EngagementCounters(slack.runtime.redis)
    assert (await counters.publication_totals(publication_id))["like"] == 2
    update = fake.calls_to("chat.update")[-1].body
    labels = [b["text"]["text"] for b in elements(update["blocks"])]
    assert labels == ["👍 2", "👎 0"]


async def test_a_newer_channel_digest_supersedes_the_last_in_place(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    deliverer = slack.runtime.delivery.deliverers["slack"]

    def digest(key: str) -> OutboundMessage:
        sections = [(f"*{n}. <https://e.org/{n}|Paper {n}>*\n_arXiv_\n• s", f"5:{n}")
                    for n in range(1, 4)]  # fmt: skip
        blocks = slack_blocks("Team digest", "Three picks", sections, FOOTER)
        return OutboundMessage(channel_id=1, destination="slack", address="C9", text="Three",
                               idempotency_key=key, payload={"blocks": blocks})  # fmt: skip

    first = await deliverer.deliver(digest("chan:1:w1:slack"))
    assert not fake.calls_to("chat.update")
    await deliverer.deliver(digest("chan:1:w2:slack"))

    [update] = fake.calls_to("chat.update")
    assert f"C9:{update.body['ts']}" == first.provider_message_id
    assert update.body["blocks"][0]["elements"][0]["text"] == SUPERSEDED
