import logging

import pytest
from redis.asyncio import Redis

from storage.redis.template_cache import CachedTemplateSource


class FakeTemplates:
    """Stands in for the PostgreSQL template repository and counts reads."""

    def __init__(self, **bodies: str) -> None:
        self.bodies = dict(bodies)
        self.reads = 0

    async def get(self, name: str) -> str | None:
        self.reads += 1
        return self.bodies.get(name)

    async def upsert(self, name: str, output_format: str, style: str, body: str) -> None:
        self.bodies[name] = body


async def test_miss_reads_repository_then_hits_cache(redis_client: Redis) -> None:
    repo = FakeTemplates(digest="Hello {{ name }}")
    source = CachedTemplateSource(redis_client, repo)

    assert await source.get_template("digest") == "Hello {{ name }}"
    assert await source.get_template("digest") == "Hello {{ name }}"

    assert repo.reads == 1
    assert 3590 < await redis_client.ttl("cache:template:digest") <= 3600


async def test_update_writes_repository_and_invalidates(redis_client: Redis) -> None:
    repo = FakeTemplates(digest="old")
    source = CachedTemplateSource(redis_client, repo)
    await source.get_template("digest")

    await source.update("digest", "text", "concise", "new")

    assert repo.bodies["digest"] == "new"
    assert await redis_client.exists("cache:template:digest") == 0
    assert await source.get_template("digest") == "new"
    assert repo.reads == 2


async def test_fill_after_a_concurrent_update_is_dropped(redis_client: Redis) -> None:
    # A reader that missed, then fetched the old body while an update landed, must not
    # cache that old body for an hour.
    repo = FakeTemplates(digest="old")
    source = CachedTemplateSource(redis_client, repo)

    class SlowRead(FakeTemplates):
        async def get(self, name: str) -> str | None:
            body = repo.bodies.get(name)
            await source.update(name, "text", "concise", "new")  # lands mid-read
            return body

    racing = CachedTemplateSource(redis_client, SlowRead())
    assert await racing.get_template("digest") == "old"

    assert await source.get_template("digest") == "new"


async def test_unknown_template_raises_key_error(redis_client: Redis) -> None:
    source = CachedTemplateSource(redis_client, FakeTemplates())
    with pytest.raises(KeyError):
        await source.get_template("missing")
    assert await redis_client.exists("cache:template:missing") == 0


async def test_redis_down_reads_repository(
    unreachable_redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    repo = FakeTemplates(digest="body")
    source = CachedTemplateSource(unreachable_redis, repo)

    with caplog.at_level(logging.WARNING):
        assert await source.get_template("digest") == "body"
        await source.update("digest", "text", "concise", "changed")
        assert await source.get_template("digest") == "changed"

    assert repo.bodies["digest"] == "changed"
    assert "redis unavailable" in caplog.text
    with pytest.raises(KeyError):
        await source.get_template("missing")
