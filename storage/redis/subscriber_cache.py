"""A Redis read-through cache in front of any core.ports.SubscriberRepository."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from core.models import Subscriber
from core.ports import SubscriberRepository
from storage.redis.versioned_cache import VersionedCache

log = logging.getLogger(__name__)
# The cache is an optimisation only: any Redis failure means "ask the repository".
_CACHE_FAILED = (RedisError, OSError)


def subscriber_key(subscriber_id: int) -> str:
    return f"cache:subscriber:{subscriber_id}"


def identity_key(platform: str, platform_user_id: str) -> str:
    return f"cache:subscriber-identity:{platform}:{platform_user_id}"


class CachedSubscriberRepository:
    """Caches subscribers by id and identity; writes go to the inner repository first.

    Writers that bypass this wrapper (SQL that advances next_due_at, say) should call
    `invalidate(id)`; otherwise readers may see their old row for up to the TTL."""

    def __init__(self, redis: Redis, inner: SubscriberRepository, ttl_seconds: int = 600) -> None:
        self._cache = VersionedCache(redis, ttl_seconds)
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        # Only reached for attributes not defined here: the rest of the inner API.
        if name == "_inner":
            raise AttributeError(name)
        return getattr(self._inner, name)

    async def get(self, subscriber_id: int) -> Subscriber | None:
        key = subscriber_key(subscriber_id)
        version = "0"
        try:
            raw, version = await self._cache.read(key)
            if raw is not None:
                return Subscriber.model_validate_json(raw)
        except ValidationError:
            log.info("cached subscriber %s no longer parses; reloading", subscriber_id)
        except _CACHE_FAILED as exc:
            log.warning("redis unavailable, reading subscriber %s directly: %s", subscriber_id, exc)
            return await self._inner.get(subscriber_id)
        subscriber = await self._inner.get(subscriber_id)
        if subscriber is not None:
            await self._quietly(self._cache.fill(key, subscriber.model_dump_json(), version))
        return subscriber

    async def find_by_identity(self, platform: str, platform_user_id: str) -> Subscriber | None:
        key = identity_key(platform, platform_user_id)
        try:
            cached_id, version = await self._cache.read(key)
        except _CACHE_FAILED as exc:
            log.warning(
                "redis unavailable, finding %s:%s directly: %s", platform, platform_user_id, exc
            )
            return await self._inner.find_by_identity(platform, platform_user_id)
        if cached_id is not None:
            subscriber = await self.get(int(cached_id))
            # A mapping left over from a deleted or re-linked subscriber is ignored.
            if subscriber is not None and _identity(subscriber) == (platform, platform_user_id):
                return subscriber
        subscriber = await self._inner.find_by_identity(platform, platform_user_id)
        if subscriber is not None and subscriber.id is not None:
            await self._quietly(self._cache.fill(key, str(subscriber.id), version))
        return subscriber

    async def save(self, subscriber: Subscriber) -> Subscriber:
        stored = await self._inner.save(subscriber)
        await self._quietly(self._cache.write(_entries([stored])))
        return stored

    async def count_by_status(self) -> dict[str, int]:
        # Counts change with every save anywhere; not worth caching.
        return await self._inner.count_by_status()

    async def set_next_due(self, subscriber_id: int, next_due_at: datetime | None) -> None:
        # Intercepted rather than passed through: it changes a cached row behind save().
        await self._inner.set_next_due(subscriber_id, next_due_at)  # type: ignore[attr-defined]
        await self.invalidate(subscriber_id)

    async def warm(self, subscribers: Iterable[Subscriber]) -> None:
        """Cache subscribers just stored elsewhere (e.g. after seeding mock data)."""
        await self._quietly(self._cache.write(_entries(subscribers)))

    async def invalidate(self, subscriber_id: int) -> None:
        """Forget the cached row after a write that did not go through `save`."""
        await self.invalidate_many([subscriber_id])

    async def invalidate_many(self, subscriber_ids: Sequence[int]) -> None:
        """invalidate for many rows in one round trip (a scheduler batch)."""
        if subscriber_ids:
            keys = [subscriber_key(i) for i in subscriber_ids]
            await self._quietly(self._cache.invalidate(*keys))

    async def _quietly(self, operation: Any) -> None:
        try:
            await operation
        except _CACHE_FAILED as exc:
            log.warning("redis unavailable, subscriber cache not updated: %s", exc)


def _identity(subscriber: Subscriber) -> tuple[str, str]:
    return subscriber.platform, subscriber.platform_user_id


def _entries(subscribers: Iterable[Subscriber]) -> dict[str, str]:
    entries: dict[str, str] = {}
    for subscriber in subscribers:
        if subscriber.id is None:
            continue  # never stored, so nothing to cache it under
        entries[subscriber_key(subscriber.id)] = subscriber.model_dump_json()
        entries[identity_key(*_identity(subscriber))] = str(subscriber.id)
    return entries


class InvalidatingLedger:
    """Wraps a publication ledger: recording a digest moves the subscriber's last/next
    digest times in PostgreSQL, so their cached copy is dropped at once."""

    def __init__(self, inner: Any, cache: CachedSubscriberRepository) -> None:
        self._inner = inner
        self._cache = cache

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def record(self, digest: Any, *args: Any, **kwargs: Any) -> int | None:
        recorded = await self._inner.record(digest, *args, **kwargs)
        if digest.subscriber_id is not None:
            await self._cache.invalidate(digest.subscriber_id)
        return recorded
