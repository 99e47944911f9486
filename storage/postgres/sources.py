"""Feed and arXiv sources in `content_sources`: the registry behind `/digest source`
(implements core.ports.SourceRegistry) and the health the ingestion job records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import asyncpg

from core.sources import SourceInfo, SourceKind, SourceSpec
from storage.postgres.queries import default_queries

_Q = default_queries()
_FIELDS = set(SourceInfo.__dataclass_fields__)


def source_from_row(row: Mapping[str, Any]) -> SourceInfo:
    values = {k: v for k, v in dict(row).items() if k in _FIELDS}
    values["kind"] = SourceKind(values["kind"])
    return SourceInfo(**values)


class PgSourceRegistry:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def add(
        self, spec: SourceSpec, name: str, owner_key: str | None, added_by: str
    ) -> SourceInfo:
        """Store a new source, due at once; ValueError when its name or URL is taken."""
        try:
            row = await self._pool.fetchrow(
                _Q.insert_source, name, spec.kind.value, spec.url, owner_key, added_by,
                spec.credibility,
            )  # fmt: skip
        except asyncpg.UniqueViolationError as error:
            taken = "name" if "name" in (error.constraint_name or "") else "URL"
            raise ValueError(f"a source with that {taken} already exists") from None
        assert row is not None
        return source_from_row(row)

    async def visible_to(self, owner_key: str) -> list[SourceInfo]:
        """The shared sources and this owner's own, shared first."""
        rows = await self._pool.fetch(_Q.sources_visible_to, owner_key)
        return [source_from_row(row) for row in rows]

    async def find(self, owner_key: str, name: str) -> SourceInfo | None:
        """A visible source by name (case-insensitive); the owner's own wins."""
        row = await self._pool.fetchrow(_Q.source_by_name, owner_key, name)
        return source_from_row(row) if row else None

    async def find_url(self, owner_key: str, url: str) -> SourceInfo | None:
        row = await self._pool.fetchrow(_Q.source_by_url, owner_key, url)
        return source_from_row(row) if row else None

    async def count_owned(self, owner_key: str) -> int:
        return int(await self._pool.fetchval(_Q.count_owned_sources, owner_key))

    async def remove(self, source_id: int) -> None:
        """Forget the source; the items it brought stay in the library."""
        await self._pool.execute(_Q.delete_source, source_id)

    async def resume(self, source_id: int, now: datetime) -> SourceInfo:
        row = await self._pool.fetchrow(_Q.resume_source, source_id, now)
        assert row is not None
        return source_from_row(row)


class PgSourceHealth:
    """What the ingestion job reads and writes: claims of due sources and fetch outcomes."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def claim_due(
        self, worker: str, now: datetime, limit: int, lease_seconds: float
    ) -> list[SourceInfo]:
        rows = await self._pool.fetch(_Q.claim_due_sources, worker, now, limit, lease_seconds)
        return [source_from_row(row) for row in rows]

    async def succeeded(
        self,
        source_id: int,
        now: datetime,
        next_fetch_at: datetime,
        *,
        added: int,
        validators: tuple[str | None, str | None] | None,
    ) -> None:
        """`validators` = (ETag, Last-Modified) of a 200, or None after a 304."""
        etag, modified = validators or (None, None)
        await self._pool.execute(
            _Q.record_fetch_success, source_id, now, etag, modified, next_fetch_at,
            validators is not None, added,
        )  # fmt: skip

    async def failed(
        self, source_id: int, now: datetime, error: str, retry_at: datetime, pause: str | None
    ) -> None:
        await self._pool.execute(_Q.record_fetch_failure, source_id, now, error, retry_at, pause)
