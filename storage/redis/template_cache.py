"""Jinja2 template sources cached in Redis for an hour, read through to PostgreSQL."""

from __future__ import annotations

import logging
from typing import Protocol

from redis.asyncio import Redis

from storage.redis.client import REDIS_DOWN
from storage.redis.versioned_cache import VersionedCache

log = logging.getLogger(__name__)


class TemplateRepository(Protocol):
    async def get(self, name: str) -> str | None:
        """The template body, or None when no such template exists."""
        ...

    async def upsert(self, name: str, output_format: str, style: str, body: str) -> object:
        """Create or replace a template (whatever it returns is ignored)."""
        ...


def template_key(name: str) -> str:
    return f"cache:template:{name}"


class CachedTemplateSource:
    """core.ports.TemplateSource: Redis first, the repository on a miss or when Redis
    is unreachable. The repository stays the source of truth."""

    def __init__(
        self, redis: Redis, repository: TemplateRepository, ttl_seconds: int = 3600
    ) -> None:
        self._cache = VersionedCache(redis, ttl_seconds)
        self._repository = repository

    async def get_template(self, name: str) -> str:
        key = template_key(name)
        try:
            cached, version = await self._cache.read(key)
        except REDIS_DOWN as exc:
            log.warning("redis unavailable, reading template %r from the database: %s", name, exc)
            return await self._load(name)
        if cached is not None:
            return cached
        body = await self._load(name)
        try:
            await self._cache.fill(key, body, version)
        except REDIS_DOWN as exc:
            log.warning("redis unavailable, template %r not cached: %s", name, exc)
        return body

    async def update(self, name: str, output_format: str, style: str, body: str) -> None:
        """Write the repository, then invalidate the cached copy."""
        await self._repository.upsert(name, output_format, style, body)
        try:
            await self._cache.invalidate(template_key(name))
        except REDIS_DOWN as exc:
            # The write is safe in the database; only a stale cache entry may survive,
            # and only until its TTL, so this must not fail the caller's update.
            log.warning("redis unavailable, cached template %r not invalidated: %s", name, exc)

    async def invalidate(self, *names: str) -> None:
        """Forget cached copies after the repository changed behind this cache's back."""
        try:
            await self._cache.invalidate(*(template_key(name) for name in names))
        except REDIS_DOWN as exc:
            log.warning("redis unavailable, cached templates not invalidated: %s", exc)

    async def _load(self, name: str) -> str:
        body = await self._repository.get(name)
        if body is None:
            raise KeyError(name)
        return body
