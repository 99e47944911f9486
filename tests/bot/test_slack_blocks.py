"""Block Kit shaping within Slack's limits, replies escaped, and placeholder mode."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from bot.slack.app import slack_mode
from bot.slack.deliver import SlackDeliverer
from bot.slack.digest_post import SlackDigestDeliverer
from bot.slack.factory import make_slack_deliverer
from bot.slack.placeholder import PlaceholderSlackDeliverer
from bot.slack.render_reply import base_action_id, reply_blocks
from core.delivery import DeliveryOutcome, OutboundMessage
from core.render import FOOTER, SLACK_MAX_BLOCKS, SLACK_MAX_TEXT, slack_blocks
from core.reply import Action, Reply, Section
from tests.fakes.slack_api import FakeSlackApi


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        yield api


@pytest.fixture
def deliverer(fake: FakeSlackApi, redis_client: Redis) -> SlackDigestDeliverer:
    client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url)
    return SlackDigestDeliverer(SlackDeliverer(client), client, redis_client)


def long_digest(address: str, items: int = 40, **fields: Any) -> OutboundMessage:
    """A rendered digest with many long items, as core.render builds it for Slack."""
    body = "• " + "A sentence about the finding. " * 120  # over Slack's 3000 characters
    sections = [(f"*{n}. <https://e.org/{n}|Paper {n}>*\n_arXiv_\n{body}", f"3:{n}")
                for n in range(1, items + 1)]  # fmt: skip
    blocks = slack_blocks("📰 " + "A very long digest title " * 10, "intro", sections, FOOTER)
    return OutboundMessage(destination="slack", address=address, idempotency_key="k",
                           text="intro", payload={"blocks": blocks}, **fields)  # fmt: skip


def assert_within_limits(blocks: list[dict[str, Any]]) -> None:
    assert len(blocks) <= SLACK_MAX_BLOCKS
    for block in blocks:
        text = block.get("text") or {}
        assert len(text.get("text", "")) <= SLACK_MAX_TEXT


async def test_a_long_dm_digest_keeps_within_limits_and_gains_footer_buttons(
    fake: FakeSlackApi, deliverer: SlackDigestDeliverer
) -> None:
    result = await deliverer.deliver(long_digest("U1"))

    assert result.outcome is DeliveryOutcome.SENT
    [post] = fake.calls_to("chat.postMessage")
    blocks = post.body["blocks"]
    assert_within_limits(blocks)
    assert len(blocks[0]["text"]["text"]) <= 150  # the header's own limit
    footer = blocks[-1]
    assert [e["action_id"] for e in footer["elements"]] == ["digest_settings", "digest_unsubscribe"]
    assert any("more" in (b.get("text") or {}).get("text", "") for b in blocks)


async def test_a_long_channel_digest_is_a_summary_plus_one_thread_reply_per_item(
    fake: FakeSlackApi, deliverer: SlackDigestDeliverer
) -> None:
    result = await deliverer.deliver(long_digest("C1", items=30, channel_id=4))

    assert result.outcome is DeliveryOutcome.SENT
    parent, *replies = fake.calls_to("chat.postMessage")
    assert_within_limits(parent.body["blocks"])
    assert not any(b["type"] == "actions" for b in parent.body["blocks"])
    shown = sum(1 for b in parent.body["blocks"] for line in (b.get("text") or {}).get(
        "text", "").splitlines() if line.startswith("*"))  # fmt: skip
    assert shown == len(replies) > 0  # one summary line per threaded item
    for reply in replies:
        assert reply.body["thread_ts"] == parent.response["ts"]
        assert_within_limits(reply.body["blocks"])


def test_replies_are_escaped_and_stay_within_limits() -> None:
    reply = Reply(
        text="Added: <!channel> @here <@U1> & co",
        sections=[Section(title=f"<!here> {n}", text="x" * 4000, fields=[("a", "<b>")])
                  for n in range(80)],
        actions=[Action(action_id="setup_days", label=d, value=d) for d in ("mon", "tue")],
    )  # fmt: skip

    blocks = reply_blocks(reply)

    assert_within_limits(blocks)
    text = str(blocks)
    assert "<!channel>" not in text and "<!here>" not in text and "<@U1>" not in text
    assert blocks[0]["text"]["text"] == "Added: &lt;!channel&gt; @\u200bhere &lt;@U1&gt; &amp; co"
    ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert len(set(ids)) == 2 and {base_action_id(i) for i in ids} == {"setup_days"}


def no_slack(**values: Any) -> Settings:
    blank = {"slack_bot_token": "", "slack_client_id": "", "slack_client_secret": ""}
    return Settings(_env_file=None, **(blank | values))


def test_slack_mode_follows_the_settings() -> None:
    assert slack_mode(no_slack()) == "off"
    assert slack_mode(no_slack(slack_bot_token="placeholder-xoxb")) == "off"
    assert slack_mode(no_slack(slack_bot_token="xoxb-1")) == "token"
    assert slack_mode(no_slack(slack_client_id="1.2", slack_client_secret="s")) == "oauth"


async def test_without_a_token_messages_go_to_the_placeholder(redis_client: Redis) -> None:
    out = io.StringIO()
    deliverer = make_slack_deliverer(no_slack(), redis_client, out)

    assert isinstance(deliverer, PlaceholderSlackDeliverer)
    result = await deliverer.deliver(long_digest("U1", items=1))
    assert result.outcome is DeliveryOutcome.SENT
    assert out.getvalue().startswith("💬 PLACEHOLDER SLACK MESSAGE (not actually sent)\n")
    assert isinstance(make_slack_deliverer(no_slack(slack_bot_token="xoxb-1"), redis_client, out),
                      SlackDigestDeliverer)  # fmt: skip
