"""Slack re-sends an event it thinks we missed (X-Slack-Retry-Num); run each event once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.response import BoltResponse

from bot.slack.services import SlackServices
from storage.redis.client import REDIS_DOWN

log = logging.getLogger(__name__)


def event_key(body: dict[str, Any]) -> str | None:
    """The dedupe key of an Events API delivery; None for commands and interactions."""
    event_id = body.get("event_id")
    if body.get("type") != "event_callback" or not event_id:
        return None
    return f"slack:event:{body.get('api_app_id', '-')}:{event_id}"


def dedupe_events(
    services: SlackServices,
) -> Callable[..., Awaitable[BoltResponse | None]]:
    """A global Bolt middleware: the first delivery of an event_id runs, repeats get a 200."""

    async def middleware(body: dict[str, Any], next_: Callable[[], Awaitable[None]]) -> Any:
        key = event_key(body)
        if key is None:
            return await next_()
        try:
            first = await services.redis.set(key, "1", nx=True, ex=services.event_dedupe_seconds)
        except REDIS_DOWN:
            # Better to risk a double Home refresh than to drop events while Redis is away.
            log.warning("event dedupe unavailable; processing %s", key)
            first = True
        if not first:
            log.info("skipping a repeated delivery of %s", key)
            return BoltResponse(status=200, body="")
        return await next_()

    return middleware
