"""SlackDeliverer driving the real slack_sdk AsyncWebClient against a local fake Web API."""

from __future__ import annotations

import io
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deliver import SlackDeliverer
from bot.slack.placeholder import PlaceholderSlackDeliverer
from core.delivery import DeliveryOutcome, OutboundMessage
from tests.fakes.slack_api import FakeSlackApi

TEXT = "Your digest\n1. Attention is all you need"
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Your digest*"}}]


class RecordingLimiter:
    def __init__(self) -> None:
        self.waits: list[str] = []
        self.blocks: list[tuple[str, float]] = []

    async def wait(self, bucket: str, rate_per_second: float, burst: int) -> None:
        self.waits.append(bucket)

    async def block(self, bucket: str, seconds: float) -> None:
        self.blocks.append((bucket, seconds))


def message(address: str = "U123", **payload: Any) -> OutboundMessage:
    return OutboundMessage(
        destination="slack", address=address, idempotency_key="pub-1:U123", text=TEXT,
        payload={"blocks": BLOCKS, **payload},
    )  # fmt: skip


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        yield api


@pytest.fixture
def limiter() -> RecordingLimiter:
    return RecordingLimiter()


@pytest.fixture
def deliverer(fake: FakeSlackApi, limiter: RecordingLimiter) -> SlackDeliverer:
    # slack_sdk's default connection-retry handler is left in: the deliverer must drop it.
    client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url, timeout=1)
    return SlackDeliverer(client, rate_limiter=limiter)


async def test_dm_opens_a_conversation_then_posts_the_blocks(
    fake: FakeSlackApi, deliverer: SlackDeliverer, limiter: RecordingLimiter
) -> None:
    result = await deliverer.deliver(message())

    assert result.outcome is DeliveryOutcome.SENT
    assert [c.method for c in fake.calls] == ["conversations.open", "chat.postMessage"]
    opened, posted = fake.calls
    assert (opened.body["users"], posted.token) == ("U123", "xoxb-test")
    body = posted.body
    assert (body["channel"], body["blocks"], body["unfurl_links"]) == ("DU123", BLOCKS, False)
    assert body["text"].startswith("Your digest")  # the notification fallback
    assert body["metadata"]["event_payload"]["idempotency_key"] == "pub-1:U123"
    assert result.provider_message_id == "DU123:1700000001.000100"  # the fake's first ts
    assert {"slack:channel:DU123", "slack:workspace"} <= set(limiter.waits)
    await deliverer.deliver(message())  # the DM channel is remembered
    assert len(fake.calls_to("conversations.open")) == 1


async def test_channel_ids_post_directly_and_threads_follow(
    fake: FakeSlackApi, deliverer: SlackDeliverer
) -> None:
    thread = [{"text": "More on NLP", "blocks": BLOCKS}, {"text": "More on vision"}]
    result = await deliverer.deliver(message("C42", thread=thread))

    assert result.outcome is DeliveryOutcome.SENT and result.detail == ""
    posts = fake.calls_to("chat.postMessage")
    assert not fake.calls_to("conversations.open")
    assert [p.body["channel"] for p in posts] == ["C42"] * 3
    parent_ts = result.provider_message_id.split(":")[1]
    assert [p.body.get("thread_ts") for p in posts] == [None, parent_ts, parent_ts]
    assert posts[2].body["text"] == "More on vision"


@pytest.mark.parametrize("error", ["user_not_found", "cannot_dm_bot", "invalid_auth"])
async def test_gone_recipients_are_permanent(
    fake: FakeSlackApi, deliverer: SlackDeliverer, error: str
) -> None:
    fake.fail_next("conversations.open", ("error", error))
    result = await deliverer.deliver(message())
    assert (result.outcome, result.detail) == (DeliveryOutcome.PERMANENT, error)
    assert not fake.calls_to("chat.postMessage")


async def test_rate_limit_is_transient_and_blocks_the_workspace(
    fake: FakeSlackApi, deliverer: SlackDeliverer, limiter: RecordingLimiter
) -> None:
    fake.fail_next("chat.postMessage", ("ratelimit", 2))
    result = await deliverer.deliver(message("C42"))
    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert result.retry_after == 2
    assert limiter.blocks == [("slack:workspace", 2.0)]
    assert len(fake.calls_to("chat.postMessage")) == 1  # slack_sdk did not retry on its own


TRANSIENT, UNKNOWN = DeliveryOutcome.TRANSIENT, DeliveryOutcome.UNKNOWN
LOST = [(("disconnect",), UNKNOWN), (("delay", 1.5), UNKNOWN)]  # the post may have landed


@pytest.mark.parametrize(("step", "outcome"), [(("status", 500), TRANSIENT), *LOST])
async def test_failed_posts_are_classified_and_not_retried_by_slack_sdk(
    fake: FakeSlackApi, deliverer: SlackDeliverer, step: tuple[Any, ...], outcome: str
) -> None:
    fake.fail_next("chat.postMessage", step)
    result = await deliverer.deliver(message("C42"))
    assert result.outcome == outcome
    assert len(fake.calls_to("chat.postMessage")) == 1


async def test_unreachable_slack_is_transient(limiter: RecordingLimiter) -> None:
    with socket.socket() as unused:  # bound, never listening: connections are refused
        unused.bind(("127.0.0.1", 0))
        base_url = f"http://127.0.0.1:{unused.getsockname()[1]}/api/"
        client = AsyncWebClient(token="xoxb-test", base_url=base_url, timeout=1)
        result = await SlackDeliverer(client, limiter).deliver(message("C42"))
    assert result.outcome is DeliveryOutcome.TRANSIENT


async def test_failed_thread_reply_keeps_the_digest_sent(
    fake: FakeSlackApi, deliverer: SlackDeliverer
) -> None:
    thread = [{"text": "a"}, {"text": "b"}]
    fake.limit_per_second("chat.postMessage", 2)  # parent and first reply pass, then 429
    result = await deliverer.deliver(message("C42", thread=thread))
    assert result.outcome is DeliveryOutcome.SENT
    assert result.detail.startswith("thread incomplete: 1/2")


async def test_limit_per_second_answers_429_with_retry_after(fake: FakeSlackApi) -> None:
    fake.limit_per_second("chat.postMessage", 2)
    client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[])
    await client.chat_postMessage(channel="C1", text="hi")
    await client.chat_postMessage(channel="C1", text="hi")
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C1", text="hi")
    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert int(raised.value.response.headers["Retry-After"]) >= 1


async def test_fake_answers_users_info_with_a_timezone(fake: FakeSlackApi) -> None:
    fake.user_tz["U9"] = "Asia/Tokyo"
    client = AsyncWebClient(token="xoxb-test", base_url=fake.base_url)
    assert (await client.users_info(user="U9"))["user"]["tz"] == "Asia/Tokyo"
    assert (await client.users_info(user="U8"))["user"]["tz"] == "Europe/Paris"
    view = {"type": "home", "blocks": BLOCKS}
    published = await client.views_publish(user_id="U9", view=view)
    assert published["view"]["blocks"] == BLOCKS
    assert fake.calls[-1].body["view"] == view  # views.publish goes out as JSON


async def test_placeholder_prints_the_message() -> None:
    out = io.StringIO()
    result = await PlaceholderSlackDeliverer(out).deliver(message("#general"))
    assert result.outcome is DeliveryOutcome.SENT
    assert out.getvalue() == (
        "💬 PLACEHOLDER SLACK MESSAGE (not actually sent)\n"
        "Channel: #general\n"
        "Message: Your digest\n"
        "  1. Attention is all you need\n\n"
    )
