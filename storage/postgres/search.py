"""Candidates pre-ranked by PostgreSQL full-text search over each subscriber's topics and
keywords (tsvector + GIN index, a websearch_to_tsquery phrase each, ts_rank_cd), so the
newest items of a busy library do not crowd out the relevant ones before ranking sees
them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from core.models import ContentItem, Subscriber
from core.ports import SubscriberRepository
from core.scoring import search_phrases
from storage.postgres.candidate_window import BatchWindow, CandidateWindows, RankSharing
from storage.postgres.content import PgContentRepository, content_from_row
from storage.postgres.queries import default_queries

_Q = default_queries()


class PgSearchContentRepository(PgContentRepository):
    """PgContentRepository whose `candidates_for` puts the best text matches first."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        subscribers: SubscriberRepository,
        shared_ranks: RankSharing | None = None,
    ) -> None:
        super().__init__(pool)
        self._db = pool
        self._subscribers = subscribers
        self._windows = CandidateWindows(pool, shared_ranks)

    async def batch_window(self, subscribers: Sequence[Subscriber]) -> BatchWindow:
        """Candidates for a whole batch at once: the same items, in the same order, as
        candidates_for would give each subscriber (see candidate_window)."""
        return await self._windows.for_batch(subscribers)

    async def candidates_for(
        self, subscriber_id: int, since: datetime | None, limit: int
    ) -> list[ContentItem]:
        subscriber = await self._subscribers.get(subscriber_id)
        phrases = search_phrases(subscriber.ai_metadata.refined_requests) if subscriber else ()
        if not phrases:
            return await super().candidates_for(subscriber_id, since, limit)
        rows = await self._db.fetch(
            _Q.subscriber_candidates_ranked, subscriber_id, since, limit, phrases
        )
        return [content_from_row(row) for row in rows]
