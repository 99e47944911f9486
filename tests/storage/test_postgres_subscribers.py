"""PgSubscriberRepository against a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from core.models import (
    DispatchType,
    Frequency,
    FrequencySettings,
    Subscriber,
    SubscriberStatus,
    Weekday,
)
from storage.postgres.subscribers import PgSubscriberRepository

NOW = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)


def make_subscriber(user_id: str = "U1", **overrides: object) -> Subscriber:
    fields: dict[str, object] = {
        "name": "Ada",
        "platform": "slack",
        "platform_user_id": user_id,
        "slack_team_id": "T1",
        "dispatch_type": DispatchType.SLACK,
    }
    return Subscriber.model_validate(fields | overrides)


async def test_save_inserts_then_updates_by_identity(pg_pool: asyncpg.Pool) -> None:
    repo = PgSubscriberRepository(pg_pool)
    created = await repo.save(make_subscriber())
    assert created.id is not None and created.created_at is not None

    settings = FrequencySettings(
        type=Frequency.WEEKLY,
        time_of_day="18:30",
        timezone="America/New_York",
        preferred_days=["fri", "Monday"],
    )
    changed = created.model_copy(
        update={"name": "Ada L.", "frequency": Frequency.WEEKLY, "frequency_settings": settings}
    )
    changed.ai_metadata.prompts.append("Find latest research on NLP")
    changed.ai_metadata.refined_requests.relevance_threshold = 0.7
    updated = await repo.save(changed.model_copy(update={"id": None}))  # identity wins, not id

    assert updated.id == created.id
    found = await repo.find_by_identity("slack", "U1")
    assert found == updated == await repo.get(created.id)
    assert found is not None
    assert found.name == "Ada L."
    assert found.frequency is Frequency.WEEKLY
    assert found.frequency_settings.preferred_days == [Weekday.MONDAY, Weekday.FRIDAY]
    assert found.frequency_settings.timezone == "America/New_York"
    assert found.ai_metadata.prompts == ["Find latest research on NLP"]
    assert found.ai_metadata.refined_requests.relevance_threshold == 0.7


async def test_missing_subscribers_are_none(pg_pool: asyncpg.Pool) -> None:
    repo = PgSubscriberRepository(pg_pool)
    assert await repo.get(12345) is None
    assert await repo.find_by_identity("discord", "nobody") is None


async def test_a_stale_save_never_moves_the_last_digest_back(pg_pool: asyncpg.Pool) -> None:
    repo = PgSubscriberRepository(pg_pool)
    stale = await repo.save(make_subscriber())
    await repo.save(stale.model_copy(update={"last_digest_at": NOW, "last_outcome": "digest"}))
    again = await repo.save(stale.model_copy(update={"name": "renamed"}))
    assert again.name == "renamed"
    assert again.last_digest_at == NOW
    assert again.last_outcome == "digest"


async def test_counts_pages_and_next_due(pg_pool: asyncpg.Pool) -> None:
    repo = PgSubscriberRepository(pg_pool)
    saved = [await repo.save(make_subscriber(f"U{i}")) for i in range(5)]
    await repo.save(saved[0].model_copy(update={"status": SubscriberStatus.PAUSED}))

    assert await repo.count_by_status() == {"active": 4, "paused": 1, "unsubscribed": 0}
    first, second = await repo.list_page(3, 0), await repo.list_page(3, 3)
    assert [s.platform_user_id for s in first + second] == [f"U{i}" for i in range(5)]

    due = NOW + timedelta(days=1)
    assert saved[1].id is not None
    await repo.set_next_due(saved[1].id, due)
    reloaded = await repo.get(saved[1].id)
    assert reloaded is not None and reloaded.next_due_at == due
