"""Real-time alerts: stored under `alert:{id}`, announced on a pub/sub channel, and
claimed by exactly one delivering process."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis

ALERT_TTL_SECONDS = 7 * 24 * 3600
RECENT_KEY = "alert:recent"  # sorted set of ids by publish time


def alert_key(alert_id: str) -> str:
    return f"alert:{alert_id}"


class AlertBus:
    def __init__(self, redis: Redis, channel: str = "alerts") -> None:
        self._redis = redis
        # Pub/sub channels ignore the database index: deployments sharing a server
        # need distinct channel names.
        self.channel = channel

    async def publish(self, alert: dict[str, Any]) -> str:
        """Store the alert for 7 days and announce it; returns its id."""
        alert_id = str(alert.get("id") or uuid.uuid4().hex)
        payload = json.dumps({**alert, "id": alert_id})
        now = time.time()
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(alert_key(alert_id), payload, ex=ALERT_TTL_SECONDS)
            pipe.zadd(RECENT_KEY, {alert_id: now})
            pipe.zremrangebyscore(RECENT_KEY, "-inf", now - ALERT_TTL_SECONDS)
            pipe.expire(RECENT_KEY, ALERT_TTL_SECONDS)
            pipe.publish(self.channel, payload)
            await pipe.execute()
        return alert_id

    async def claim(self, alert_id: str, worker: str) -> bool:
        """True for exactly one caller per alert: that one delivers it."""
        claimed = await self._redis.set(
            f"{alert_key(alert_id)}:claimed", worker, nx=True, ex=ALERT_TTL_SECONDS
        )
        return bool(claimed)

    async def get(self, alert_id: str) -> dict[str, Any] | None:
        raw = await self._redis.get(alert_key(alert_id))
        return json.loads(raw) if raw is not None else None

    async def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        """The newest alerts still stored, newest first."""
        ids = await self._redis.zrevrange(RECENT_KEY, 0, limit - 1)
        if not ids:
            return []
        raws = await self._redis.mget([alert_key(i) for i in ids])
        return [json.loads(raw) for raw in raws if raw is not None]

    @asynccontextmanager
    async def subscription(self) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """Subscribe now, iterate later: alerts published after entering are not missed."""
        pubsub = self._redis.pubsub()
        try:
            await pubsub.subscribe(self.channel)
            # Wait for the server's confirmation; until then a PUBLISH could pass us by.
            async with asyncio.timeout(10):
                while (await pubsub.get_message(timeout=1.0) or {}).get("type") != "subscribe":
                    pass
            yield _alerts(pubsub)
        finally:
            # Closing drops the connection, which ends the subscription server-side.
            await pubsub.aclose()

    async def listen(self) -> AsyncIterator[dict[str, Any]]:
        """Alerts as they are published, for as long as the caller keeps iterating."""
        async with self.subscription() as alerts:
            async for alert in alerts:
                yield alert


async def _alerts(pubsub: Any) -> AsyncIterator[dict[str, Any]]:
    async for message in pubsub.listen():
        if message["type"] == "message":
            yield json.loads(message["data"])
