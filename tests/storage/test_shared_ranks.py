"""Workers share full-text ranks through Redis: each distinct phrase is ranked by
PostgreSQL once, by whichever worker claimed it, and every worker still picks exactly the
candidates it would have picked alone. Without Redis each worker ranks on its own."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg
import numpy as np
import pytest
from redis.asyncio import Redis

from core.mockdata import mock_content, mock_subscribers
from core.models import Subscriber
from storage.postgres.candidate_window import CandidateWindows
from storage.postgres.search import PgSearchContentRepository
from storage.postgres.subscribers import PgSubscriberRepository
from storage.redis.client import create_redis
from storage.redis.shared_ranks import SharedRanks, pack, unpack

NOW = datetime.now(UTC)


async def _setup(pg_pool: asyncpg.Pool) -> list[Subscriber]:
    people = PgSubscriberRepository(pg_pool)
    await PgSearchContentRepository(pg_pool, people).add_many(mock_content(120, seed=8, now=NOW))
    return [await people.save(s) for s in mock_subscribers(40, seed=9)]


def _counting(windows: CandidateWindows, ranked: list[str]) -> None:
    """Record every phrase this worker ranks in PostgreSQL."""
    rank_some = windows._rank_some

    async def counted(conn: asyncpg.Connection, phrases: list[str], ids: list[int]) -> None:
        ranked.extend(phrases)
        await rank_some(conn, phrases, ids)

    windows._rank_some = counted  # type: ignore[method-assign]


def _picks(window: object, people: list[Subscriber]) -> list[list[int]]:
    return [[c.id or 0 for c in window.candidates(p, 30)] for p in people]  # type: ignore[attr-defined]


def test_packed_ranks_come_back_unchanged() -> None:
    ids = np.array([3, 2**40, 7], dtype=np.int64)
    ranks = np.array([0.5, 0.0999999940395355, 1e-20], dtype=np.float32).astype(np.float64)
    got_ids, got_ranks = unpack(pack(ids, ranks))
    assert got_ids.tolist() == ids.tolist() and got_ranks.tolist() == ranks.tolist()


async def test_two_workers_rank_each_phrase_once_and_pick_as_one_alone(
    pg_pool: asyncpg.Pool, redis_client: Redis
) -> None:
    people = await _setup(pg_pool)
    alone = CandidateWindows(pg_pool)
    expected = _picks(await alone.for_batch(people), people)

    ranked: list[str] = []
    workers = [CandidateWindows(pg_pool, SharedRanks(redis_client, f"w{n}")) for n in (1, 2)]
    for windows in workers:
        _counting(windows, ranked)
    halves = people[:20], people[20:]
    first = await asyncio.gather(*(w.for_batch(h) for w, h in zip(workers, halves, strict=True)))
    # Then each serves the other half: every phrase it lacks comes from Redis.
    second = await asyncio.gather(
        *(w.for_batch(h) for w, h in zip(workers, halves[::-1], strict=True))
    )

    distinct = set(ranked)
    assert sorted(ranked) == sorted(distinct), "a phrase was ranked twice"
    assert _picks(first[0], halves[0]) + _picks(first[1], halves[1]) == expected
    assert _picks(second[1], halves[0]) + _picks(second[0], halves[1]) == expected


async def test_without_redis_each_worker_ranks_alone(
    pg_pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    people = await _setup(pg_pool)
    expected = _picks(await CandidateWindows(pg_pool).for_batch(people), people)
    gone = create_redis("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        windows = CandidateWindows(pg_pool, SharedRanks(gone, "w1"))
        assert _picks(await windows.for_batch(people), people) == expected
    finally:
        await gone.aclose()
    assert "shared ranks unavailable, ranking here" in caplog.text
