"""Team digest destinations in `publishing_channels`."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

import asyncpg

from core.models import Channel
from storage.postgres.queries import default_queries

__all__ = ["Channel", "PgChannelRepository", "channel_from_row"]

_Q = default_queries()


def channel_from_row(row: Mapping[str, Any]) -> Channel:
    return Channel.model_validate(dict(row))


class PgChannelRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, channel_id: int) -> Channel | None:
        row = await self._pool.fetchrow(_Q.get_channel, channel_id)
        return channel_from_row(row) if row else None

    async def find(self, platform: str, platform_channel_id: str) -> Channel | None:
        row = await self._pool.fetchrow(_Q.find_channel, platform, platform_channel_id)
        return channel_from_row(row) if row else None

    async def save(self, channel: Channel) -> Channel:
        """Insert or update by (platform, platform_channel_id); returns the stored row."""
        c = channel
        row = await self._pool.fetchrow(
            _Q.save_channel,
            c.platform,
            c.platform_channel_id,
            c.team_id,
            c.name,
            c.created_by,
            c.status.value,
            c.frequency.value,
            c.frequency_settings.model_dump(mode="json"),
            c.ai_metadata.model_dump(mode="json"),
            c.last_digest_at,
            c.next_due_at,
        )
        return channel_from_row(row)

    # builtins.list: inside the class body `list` is this method.
    async def list(self, status: str | None = None) -> builtins.list[Channel]:
        """Channels in id order, optionally only those with one status."""
        rows = await self._pool.fetch(_Q.list_channels, status)
        return [channel_from_row(row) for row in rows]
