"""Paged reads for the JSON API: channels and publications (subscribers page through
PgSubscriberRepository.list_page, templates are few enough to list whole)."""

from __future__ import annotations

from typing import Any

import asyncpg

from core.models import Channel
from storage.postgres.channels import channel_from_row
from storage.postgres.queries import default_queries

_Q = default_queries()


def _publication(row: asyncpg.Record) -> dict[str, Any]:
    data = dict(row)
    data["created_at"] = data["created_at"].isoformat()
    data["delivery_states"] = list(data["delivery_states"])
    return data


class PgBrowse:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def channels(self, limit: int, offset: int) -> list[Channel]:
        """Channels in id order."""
        rows = await self._pool.fetch(_Q.list_channels_page, limit, offset)
        return [channel_from_row(row) for row in rows]

    async def publications(
        self, limit: int, offset: int, subscriber_id: int | None = None
    ) -> list[dict[str, Any]]:
        """Publications newest first (JSON-ready), optionally for one subscriber only."""
        rows = await self._pool.fetch(_Q.list_publications_page, limit, offset, subscriber_id, None)
        return [_publication(row) for row in rows]

    async def publication(self, publication_id: int) -> dict[str, Any] | None:
        rows = await self._pool.fetch(_Q.list_publications_page, 1, 0, None, publication_id)
        return _publication(rows[0]) if rows else None
