"""Deliver rendered digests as Slack DMs or channel posts through the Web API."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack.errors import classify_api_error, classify_transport_error, retry_after_of
from core.delivery import DeliveryOutcome, DeliveryResult, OutboundMessage
from core.ratelimit import NoRateLimiter, RateLimiter

WORKSPACE_BUCKET = "slack:workspace"
WORKSPACE_RATE, WORKSPACE_BURST = 5.0, 5
CHANNEL_RATE, CHANNEL_BURST = 1.0, 1  # Slack allows about one post per second per channel
OPEN_BUCKET = "slack:method:conversations.open"
OPEN_RATE, OPEN_BURST = 100 / 60, 20  # conversations.open is a Tier 4 method (100+/min)
METADATA_EVENT = "digestbot_delivery"
DM_CACHE_SIZE = 10_000


class SlackDeliverer:
    """Implements core's Deliverer for destination "slack" (address: U…/W… user, C…/G…/D…)."""

    destination = "slack"

    def __init__(self, client: AsyncWebClient, rate_limiter: RateLimiter | None = None) -> None:
        # slack_sdk's default handler re-sends after a dropped connection, which can post a
        # digest twice; failures are classified here and retried by the outbox instead.
        client.retry_handlers = []
        self._client = client
        self._limiter: RateLimiter = rate_limiter or NoRateLimiter()
        self._dm_channels: dict[str, str] = {}

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        channel = await self._channel_for(message.address)
        if isinstance(channel, DeliveryResult):
            return channel
        text = message.text or message.subject
        posted = await self._post(channel, text, message.payload.get("blocks"), message, 0)
        if isinstance(posted, DeliveryResult):
            return posted
        channel_id, ts = posted
        detail = await self._post_thread(channel_id, ts, message)
        return DeliveryResult(
            outcome=DeliveryOutcome.SENT, provider_message_id=f"{channel_id}:{ts}", detail=detail
        )

    async def _channel_for(self, address: str) -> str | DeliveryResult:
        if address[:1] in ("C", "G", "D", "#"):
            return address
        if address[:1] not in ("U", "W"):
            return DeliveryResult(
                outcome=DeliveryOutcome.PERMANENT, detail=f"not a Slack user or channel: {address}"
            )
        if cached := self._dm_channels.get(address):
            return cached
        await self._limiter.wait(OPEN_BUCKET, OPEN_RATE, OPEN_BURST)
        opened = await self._guard(self._client.conversations_open(users=address), OPEN_BUCKET)
        if isinstance(opened, DeliveryResult):
            return opened
        if len(self._dm_channels) >= DM_CACHE_SIZE:  # drop the oldest entry, keep memory flat
            self._dm_channels.pop(next(iter(self._dm_channels)))
        self._dm_channels[address] = opened["channel"]["id"]
        return self._dm_channels[address]

    async def _post(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None,
        message: OutboundMessage,
        part: int,
        thread_ts: str | None = None,
    ) -> tuple[str, str] | DeliveryResult:
        # Channel first: a token taken from the workspace bucket while the channel bucket
        # makes us wait would be wasted for everybody else.
        await self._limiter.wait(f"slack:channel:{channel}", CHANNEL_RATE, CHANNEL_BURST)
        await self._limiter.wait(WORKSPACE_BUCKET, WORKSPACE_RATE, WORKSPACE_BURST)
        # The key travels as message metadata so a later reconcile can find what was posted.
        metadata = {
            "event_type": METADATA_EVENT,
            "event_payload": {"idempotency_key": message.idempotency_key, "part": part},
        }
        call = self._client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
            metadata=metadata,
        )
        posted = await self._guard(call, WORKSPACE_BUCKET, posting=True)
        if isinstance(posted, DeliveryResult):
            return posted
        return str(posted.get("channel") or channel), str(posted["ts"])

    async def _post_thread(self, channel: str, ts: str, message: OutboundMessage) -> str:
        """Post the payload's `thread` items as replies; returns a note on any that failed."""
        replies: list[dict[str, Any]] = message.payload.get("thread") or []
        for done, reply in enumerate(replies):
            text = str(reply.get("text", ""))
            result = await self._post(channel, text, reply.get("blocks"), message, done + 1, ts)
            if isinstance(result, DeliveryResult):
                # The digest itself is out: retrying the whole message would duplicate it.
                return f"thread incomplete: {done}/{len(replies)} replies ({result.detail})"
        return ""

    async def _guard(
        self, call: Awaitable[AsyncSlackResponse], bucket: str, *, posting: bool = False
    ) -> AsyncSlackResponse | DeliveryResult:
        """Await one Web API call; a failure becomes a DeliveryResult instead of raising."""
        try:
            return await call
        except SlackApiError as exc:
            if (retry_after := retry_after_of(exc)) is not None:
                await self._limiter.block(bucket, retry_after)
            return classify_api_error(exc, posting=posting)
        except (TimeoutError, aiohttp.ClientError) as exc:
            return classify_transport_error(exc, posting=posting)
