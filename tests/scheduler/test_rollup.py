"""The engagement roll-up against real PostgreSQL and Redis: events are stored once,
learned preferences change, and the next digest ranks what was liked higher."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest
from redis.asyncio import Redis

from bot.runtime import Runtime
from core.actor import Actor
from core.models import Digest
from scheduler.rollup import EngagementRollup
from storage.postgres.engagement import PgEngagementStore
from storage.postgres.pool import create_pool
from storage.redis.engagement import EngagementCounters
from tests.bot.engagement_runtime import item, serving, settings_for, subscriber

NLP, VISION = "natural language processing", "computer vision"


async def _batch(runtime: Runtime, first: int) -> None:
    """Two NLP items of middling quality and two excellent vision items."""
    await runtime.ctx.content.add_many(
        [item(first, NLP, overall=0.55), item(first + 1, NLP, overall=0.55),
         item(first + 2, VISION, overall=0.9), item(first + 3, VISION, overall=0.9)]
    )  # fmt: skip


def _topics_in_order(digest: Digest) -> list[str]:
    return [entry.item.entities.topics[0] for entry in digest.items]


def _rollup(runtime: Runtime) -> EngagementRollup:
    assert runtime.engagement is not None
    return runtime.engagement.rollup


async def test_likes_and_a_dislike_teach_the_ranking(pg_url: str, redis_url: str) -> None:
    async with serving(settings_for(pg_url, redis_url)) as (runtime, _):
        await _batch(runtime, 100)
        reader = await subscriber(
            runtime, "reader", ['/digest prompt add "NLP and computer vision"']
        )
        first = await runtime.ctx.pipeline.publish(reader, "day-1", None)
        assert _topics_in_order(first.digest) == [VISION, VISION, NLP, NLP]

        counters = runtime.engagement.counters  # type: ignore[union-attr]
        pub = first.publication_id
        assert pub is not None
        nlp = [e.item.id for e in first.digest.items if e.item.entities.topics[0] == NLP]
        vision = [e.item.id for e in first.digest.items if e.item.entities.topics[0] == VISION]
        for item_id in nlp:  # 👍 from the chat buttons name the platform identity
            assert await counters.record("like", pub, item_id, "console:reader")
        assert await counters.record("dislike", pub, vision[0], "console:reader")
        for item_id in vision:  # opens (a prefetching mail client) must teach nothing
            await counters.record("open", pub, item_id, str(reader.id))

        assert await _rollup(runtime).run() == 5
        learned = (await runtime.ctx.subscribers.get(reader.id or 0)).ai_metadata  # type: ignore[union-attr]
        history = learned.learned_preferences.engagement_history
        assert history.favorite_topics == [NLP]
        assert history.disliked_topics == [VISION]
        assert history.topic_weights == {NLP: 4.0, VISION: -2.0}
        assert history.avg_open_rate == 1.0 and history.avg_click_rate == 0.0
        assert learned.learned_preferences.preferred_sources == ["arXiv"]
        assert learned.prompts == ["NLP and computer vision"]  # the rest of the profile stays

        await _batch(runtime, 200)
        fresh = await runtime.ctx.subscribers.get(reader.id or 0)
        assert fresh is not None
        second = await runtime.ctx.pipeline.publish(fresh, "day-2", None)
        assert _topics_in_order(second.digest) == [NLP, NLP, VISION, VISION]
        assert "a favourite of yours" in " ".join(second.digest.items[0].reasons)

        why = await runtime.service.handle(Actor("console", "reader", "reader"), "/digest why")
        assert "natural language processing" in why.text
        assert "Learned from 0 clicks, 2 👍 and 1 👎" in why.text
        assert "natural language processing +4, computer vision -2" in why.text


async def test_a_rerun_over_the_same_events_changes_nothing(pg_url: str, redis_url: str) -> None:
    async with serving(settings_for(pg_url, redis_url)) as (runtime, _):
        await _batch(runtime, 100)
        reader = await subscriber(
            runtime, "reader", ['/digest prompt add "NLP and computer vision"']
        )
        published = await runtime.ctx.pipeline.publish(reader, "day-1", None)
        counters = runtime.engagement.counters  # type: ignore[union-attr]
        entry = published.digest.items[-1]
        await counters.record(
            "click", published.publication_id or 0, entry.item.id or 0, str(reader.id)
        )
        drained = await counters.drain_events()
        await counters.requeue_events(drained)
        await counters.requeue_events(drained)  # a crash handed the same events back twice

        await _rollup(runtime).run()
        await _rollup(runtime).run()
        rows = await runtime.pool.fetch("SELECT kind, subscriber_id FROM engagement_events")
        assert [(r["kind"], r["subscriber_id"]) for r in rows] == [("click", reader.id)]
        stored = await runtime.ctx.subscribers.get(reader.id or 0)
        history = stored.ai_metadata.learned_preferences.engagement_history  # type: ignore[union-attr]
        assert history.counts == {"click": 1}
        assert history.avg_click_rate == 1.0 and history.avg_open_rate == 1.0  # a click opens
        assert history.favorite_topics == []  # one click alone is not yet a favourite


async def test_events_go_back_to_redis_when_postgres_is_away(
    pg_url: str, redis_client: Redis
) -> None:
    counters = EngagementCounters(redis_client)
    await counters.record("click", 1, 2, "3")
    pool: asyncpg.Pool = await create_pool(pg_url)
    await pool.close()  # PostgreSQL unreachable from here on
    rollup = EngagementRollup(counters, PgEngagementStore(pool), _NoSubscribers(), _Clock())
    with pytest.raises(asyncpg.InterfaceError):
        await rollup.run()
    assert await counters.pending_events() == 1  # nothing lost


class _NoSubscribers:
    async def get(self, subscriber_id: int) -> None:
        return None

    async def find_by_identity(self, platform: str, user: str) -> None:
        return None

    async def invalidate(self, subscriber_id: int) -> None:
        return None


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)
