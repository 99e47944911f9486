"""Shape a rendered digest for where it goes in Slack, around the plain SlackDeliverer.

A DM keeps every item in one message and gains Settings/Unsubscribe buttons. A channel
gets a compact summary with each item (and its 👍/👎) as a reply in the thread under it,
and the channel's previous digest is updated in place to say it was superseded."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
from redis.asyncio import Redis
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from core.delivery import DeliveryOutcome, DeliveryResult, OutboundMessage
from core.ports import Deliverer
from core.render import SLACK_MAX_BLOCKS, SLACK_MAX_TEXT, clip
from storage.redis.client import REDIS_DOWN

log = logging.getLogger(__name__)
LAST_POST_TTL_SECONDS = 180 * 24 * 3600
SUPERSEDED = "🗄️ Superseded by a newer digest in this channel."
THREAD_NOTE = "🧵 Each item, with 👍 / 👎, is in the thread below."


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SLACK_MAX_TEXT)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def footer_buttons() -> dict[str, Any]:
    confirm = {
        "title": _plain("Unsubscribe?"),
        "text": _plain("No more digests until you /subscribe again."),
        "confirm": _plain("Unsubscribe"),
        "deny": _plain("Keep"),
    }
    return {"type": "actions", "elements": [
        {"type": "button", "action_id": "digest_settings", "text": _plain("⚙️ Settings"),
         "value": "settings"},
        {"type": "button", "action_id": "digest_unsubscribe", "text": _plain("Unsubscribe"),
         "value": "unsubscribe", "style": "danger", "confirm": confirm},
    ]}  # fmt: skip


def with_footer_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add Settings/Unsubscribe buttons; a full message trades its footer line for them."""
    if len(blocks) < SLACK_MAX_BLOCKS:
        return [*blocks, footer_buttons()]
    return [*blocks[:-1], footer_buttons()]


def _is_item(block: dict[str, Any], after: dict[str, Any] | None) -> bool:
    return block.get("type") == "section" and (after or {}).get("type") == "actions"


def split_for_channel(payload: dict[str, Any]) -> dict[str, Any]:
    """A compact parent (header, intro, one line per item) and one thread reply per item."""
    blocks: list[dict[str, Any]] = payload.get("blocks") or []
    parent: list[dict[str, Any]] = []
    lines: list[str] = []
    thread: list[dict[str, Any]] = []
    i = 0
    while i < len(blocks):
        block, after = blocks[i], blocks[i + 1] if i + 1 < len(blocks) else None
        if _is_item(block, after) and after is not None:
            text = block["text"]["text"]
            lines.append(" — ".join(text.splitlines()[:2]))
            thread.append({"text": text, "blocks": [block, after]})
            i += 2
            continue
        if lines:  # the items' lines go where the items were
            parent += [_section(chunk) for chunk in _chunks(lines)] + [_context(THREAD_NOTE)]
            lines = []
        parent.append(block)
        i += 1
    if lines:  # no footer in the payload
        parent += [_section(chunk) for chunk in _chunks(lines)] + [_context(THREAD_NOTE)]
    return {**payload, "blocks": parent[:SLACK_MAX_BLOCKS], "thread": thread}


def _chunks(lines: list[str]) -> list[str]:
    chunks, current = [], ""
    for line in lines:
        line = clip(line, SLACK_MAX_TEXT)
        if current and len(current) + 1 + len(line) > SLACK_MAX_TEXT:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*chunks, current] if current else chunks


def is_channel_message(message: OutboundMessage) -> bool:
    return message.channel_id is not None or message.address[:1] in ("C", "G", "#")


class SlackDigestDeliverer:
    """core's Deliverer for "slack": shapes the payload, then hands it to `inner`."""

    destination = "slack"

    def __init__(self, inner: Deliverer, client: AsyncWebClient, redis: Redis) -> None:
        self._inner = inner
        self._client = client
        self._redis = redis

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        payload = dict(message.payload)
        channel = is_channel_message(message)
        if channel and payload.get("blocks") and not payload.get("thread"):
            payload = split_for_channel(payload)
        elif not channel and payload.get("blocks"):
            payload["blocks"] = with_footer_buttons(payload["blocks"])
        shaped = message.model_copy(update={"payload": payload})
        result = await self._inner.deliver(shaped)
        if channel and result.outcome is DeliveryOutcome.SENT and result.provider_message_id:
            await self._supersede(message.address, result.provider_message_id, payload)
        return result

    async def _supersede(self, address: str, posted: str, payload: dict[str, Any]) -> None:
        """Mark the channel's previous digest as superseded, and remember this one."""
        channel, _, ts = posted.partition(":")
        current = {"channel": channel, "ts": ts, "blocks": payload.get("blocks") or []}
        try:
            previous = await self._redis.set(
                f"slack:channel-digest:{channel}", json.dumps(current),
                ex=LAST_POST_TTL_SECONDS, get=True,
            )  # fmt: skip
        except REDIS_DOWN:
            log.warning("cannot mark the previous digest in %s as superseded", address)
            return
        if not previous:
            return
        old = json.loads(previous)
        if old.get("ts") == ts:
            return
        blocks = [_context(SUPERSEDED), *old["blocks"]][:SLACK_MAX_BLOCKS]
        try:
            await self._client.chat_update(
                channel=old["channel"], ts=old["ts"], blocks=blocks, text=SUPERSEDED
            )
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
            log.info("could not mark %s as superseded: %s", old.get("ts"), error)
