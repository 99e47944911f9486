"""A token bucket shared by every process, so N delivery workers together respect one
platform limit. All arithmetic runs inside Redis (one Lua script) on Redis's clock, so
neither races between processes nor skew between their clocks can overspend it."""

from __future__ import annotations

import asyncio
import random

from redis.asyncio import Redis

# KEYS[1] = bucket hash {tokens, ts, blocked_until}; ARGV = rate/s, burst.
# Returns the seconds to wait as a string ("0" = token taken): Lua numbers become
# integers in Redis replies, which would round a 0.05 s wait down to 0.
_ACQUIRE = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local s = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'blocked_until')
local blocked_until = tonumber(s[3]) or 0
if blocked_until > now then
  return tostring(blocked_until - now)
end
local tokens, ts = tonumber(s[1]), tonumber(s[2])
if tokens == nil then tokens, ts = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
-- An idle bucket refills completely within burst/rate seconds; then it can go.
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return tostring(wait)
"""

# KEYS[1] = bucket hash; ARGV[1] = seconds. Only ever extends an existing block.
_BLOCK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local until_ = now + tonumber(ARGV[1])
local current = tonumber(redis.call('HGET', KEYS[1], 'blocked_until')) or 0
if until_ > current then
  redis.call('HSET', KEYS[1], 'blocked_until', tostring(until_))
  local ttl = redis.call('PTTL', KEYS[1])
  local needed = math.ceil(tonumber(ARGV[1]) * 1000) + 1000
  if ttl < needed then redis.call('PEXPIRE', KEYS[1], needed) end
end
return tostring(math.max(until_, current) - now)
"""


def bucket_key(bucket: str) -> str:
    return f"ratelimit:{bucket}"


class RedisRateLimiter:
    def __init__(self, redis: Redis) -> None:
        self._acquire = redis.register_script(_ACQUIRE)
        self._block = redis.register_script(_BLOCK)

    async def acquire(self, bucket: str, rate_per_second: float, burst: int) -> float:
        """Take one token: 0.0 if taken, else the seconds until one could be."""
        if rate_per_second <= 0 or burst < 1:
            raise ValueError("rate_per_second must be > 0 and burst >= 1")
        wait = await self._acquire(keys=[bucket_key(bucket)], args=[rate_per_second, burst])
        return float(wait)

    async def wait(self, bucket: str, rate_per_second: float, burst: int) -> float:
        """Sleep until a token is taken; returns the seconds spent waiting."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        # A wake-up is not a reservation: other processes may take the token first,
        # in which case the script simply answers with the next wait.
        while True:
            delay = await self.acquire(bucket, rate_per_second, burst)
            if delay <= 0:
                return loop.time() - started
            # A little jitter, so waiters that wake together do not race in the same order
            # each time (one of them would lose every race and starve).
            await asyncio.sleep(delay * random.uniform(1.0, 1.1))

    async def block(self, bucket: str, seconds: float) -> float:
        """Stop everyone taking tokens for `seconds` (a platform's Retry-After).

        Returns how long the bucket is now blocked for (an existing longer block wins)."""
        remaining = await self._block(keys=[bucket_key(bucket)], args=[max(0.0, seconds)])
        return float(remaining)
