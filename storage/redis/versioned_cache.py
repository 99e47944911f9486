"""Read-through cache entries guarded by a version counter, shared by the Redis caches.

A plain "miss -> read the database -> SET" races with writers: a reader that fetched
the old row can SET it after a writer invalidated the key, leaving a stale entry for a
whole TTL. Each entry therefore has a version key that every write bumps; a reader
notes the version on its miss and its fill only lands if the version is unchanged."""

from __future__ import annotations

from collections.abc import Mapping

from redis.asyncio import Redis

_FILL_IF_UNCHANGED = """
if (redis.call('GET', KEYS[2]) or '0') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""
# KEYS: n entries, then their n version keys; ARGV[1]: the version keys' lifetime.
_INVALIDATE = """
local n = #KEYS / 2
for i = n + 1, 2 * n do
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ARGV[1])
end
redis.call('DEL', unpack(KEYS, 1, n))
return n
"""
# Long enough to outlive any reader's miss-to-fill window by orders of magnitude.
_VERSION_TTL_SECONDS = 7 * 24 * 3600


def version_key(key: str) -> str:
    # A prefix (not a suffix) keeps the mapping injective whatever the cached key holds.
    return f"cache:version:{key}"


class VersionedCache:
    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        self._redis = redis
        self._ttl = ttl_seconds
        self._fill = redis.register_script(_FILL_IF_UNCHANGED)
        self._invalidate = redis.register_script(_INVALIDATE)

    async def read(self, key: str) -> tuple[str | None, str]:
        """The cached value (or None) and the version token to pass to `fill`."""
        value, version = await self._redis.mget(key, version_key(key))
        return value, version or "0"

    async def fill(self, key: str, value: str, version: str) -> bool:
        """Cache a value read after a miss, unless a writer got in between."""
        stored = await self._fill(keys=[key, version_key(key)], args=[version, value, self._ttl])
        return bool(stored)

    async def write(self, entries: Mapping[str, str]) -> None:
        """Cache values that were just written to the source of truth, atomically."""
        async with self._redis.pipeline(transaction=True) as pipe:
            for key, value in entries.items():
                pipe.incr(version_key(key)).expire(version_key(key), _VERSION_TTL_SECONDS)
                pipe.set(key, value, ex=self._ttl)
            await pipe.execute()

    async def invalidate(self, *keys: str) -> None:
        """Drop entries so the next read goes to the source of truth. One script, not a
        transaction of three commands per key: a scheduler batch drops hundreds."""
        if keys:
            versions = [version_key(key) for key in keys]
            await self._invalidate(keys=[*keys, *versions], args=[_VERSION_TTL_SECONDS])
