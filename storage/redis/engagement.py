"""Engagement counters (opens, clicks, feedback) in Redis, plus an event log for roll-ups."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

from redis.asyncio import Redis

EVENTS_KEY = "engagement:events"
Scope = Literal["item", "publication", "subscriber"]

# Dedup, counting and logging in one script: a crash can never count without
# remembering, or remember without counting.
_RECORD = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then
  return 0
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('INCR', KEYS[2])
redis.call('INCR', KEYS[3])
redis.call('INCR', KEYS[4])
redis.call('RPUSH', KEYS[5], ARGV[3])
return 1
"""


class EngagementKind(StrEnum):
    OPEN = "open"
    CLICK = "click"
    LIKE = "like"
    DISLIKE = "dislike"


def counter_key(kind: str, scope: Scope, ident: object) -> str:
    return f"engagement:{kind}:{scope}:{ident}"


class EngagementCounters:
    """Counts each (person, item, kind) once; keeps an event list for the roll-up job."""

    def __init__(self, redis: Redis, seen_ttl_seconds: int = 90 * 24 * 3600) -> None:
        self._redis = redis
        # Dedup sets expire so they do not grow forever; the roll-up has the events by then.
        self._seen_ttl = seen_ttl_seconds
        self._record = redis.register_script(_RECORD)

    async def record(
        self,
        kind: str,
        publication_id: int,
        item_id: int,
        person: str | int,
        at: datetime | None = None,
    ) -> bool:
        """Count one engagement; False when this person already did this to this item."""
        checked = EngagementKind(kind)  # ValueError for anything else
        when = at or datetime.now(UTC)
        event = {
            "kind": checked.value,
            "publication_id": publication_id,
            "item_id": item_id,
            "person": str(person),
            "at": when.isoformat(),
        }
        keys = [
            f"engagement:seen:{checked}:{item_id}",
            counter_key(checked, "item", item_id),
            counter_key(checked, "publication", publication_id),
            counter_key(checked, "subscriber", person),
            EVENTS_KEY,
        ]
        counted = await self._record(
            keys=keys, args=[str(person), self._seen_ttl, json.dumps(event)]
        )
        return bool(counted)

    async def totals(self, scope: Scope, ident: str | int) -> dict[str, int]:
        """Counts per kind for one item, publication or subscriber."""
        kinds = list(EngagementKind)
        values = await self._redis.mget([counter_key(k, scope, ident) for k in kinds])
        return {k.value: int(v or 0) for k, v in zip(kinds, values, strict=True)}

    async def item_totals(self, item_id: int) -> dict[str, int]:
        return await self.totals("item", item_id)

    async def publication_totals(self, publication_id: int) -> dict[str, int]:
        return await self.totals("publication", publication_id)

    async def subscriber_totals(self, person: str | int) -> dict[str, int]:
        return await self.totals("subscriber", person)

    async def drain_events(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Remove and return up to `limit` of the oldest events (each is handed out once).

        If storing them fails, give them back with `requeue_events`."""
        # LRANGE+LTRIM in one MULTI: two roll-up jobs can never take the same events.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lrange(EVENTS_KEY, 0, limit - 1).ltrim(EVENTS_KEY, limit, -1)
            raw, _ = await pipe.execute()
        return [json.loads(item) for item in raw]

    async def requeue_events(self, events: Sequence[dict[str, Any]]) -> None:
        """Put drained events back at the head of the list, in their original order."""
        if events:
            # LPUSH prepends one by one, so push newest first to keep the order.
            await self._redis.lpush(EVENTS_KEY, *(json.dumps(e) for e in reversed(events)))

    async def pending_events(self) -> int:
        return await self._redis.llen(EVENTS_KEY)
