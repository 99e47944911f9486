"""Writing fetched items: upsert by normalised URL, merge near-duplicates across sources,
and widen who may receive an item when another source carries it too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg

from core.models import ContentItem
from core.scoring import Recent, recent_of
from core.sources import SourceInfo
from storage.postgres.content import upsert_args
from storage.postgres.queries import default_queries

_Q = default_queries()


@dataclass
class Draft:
    """A scored new item, and the recent item it duplicates (found by title), if any."""

    item: ContentItem
    arxiv_id: str | None = None
    merge_into: int | None = None


@dataclass
class Stored:
    new: int = 0
    merged: int = 0
    known: int = 0
    added: list[Recent] = field(default_factory=list)  # the new items, for in-run dedup


class PgIngestStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def known_urls(self, urls: Sequence[str]) -> dict[str, int]:
        """Normalised URL -> item id, for the URLs already stored (as items or merges)."""
        rows = await self._pool.fetch(_Q.ingest_known_urls, list(urls))
        return {row["url"]: row["content_id"] for row in rows}

    async def recent(self, limit: int) -> list[Recent]:
        """The newest items, for novelty and near-duplicate checks."""
        rows = await self._pool.fetch(_Q.ingest_recent_items, limit)
        return [recent_of(r["id"], r["title"], r["summary"], r["arxiv_id"]) for r in rows]

    async def store(
        self, source: SourceInfo, drafts: Sequence[Draft], seen: Sequence[int] = ()
    ) -> Stored:
        """Insert new items and merge duplicates in one transaction. `seen` are items the
        feed carried that were already stored: this source's owner may now receive them."""
        result = Stored()
        owner = source.owner_key
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(_Q.ingest_lock)
            for content_id in seen:
                await conn.execute(_Q.ingest_widen_item, content_id, owner)
            # Re-checked under the lock: another worker may have stored some meanwhile.
            known = {r["url"]: r["content_id"] for r in await conn.fetch(
                _Q.ingest_known_urls, [d.item.url for d in drafts])}  # fmt: skip
            for draft in drafts:
                if draft.item.url in known:
                    result.known += 1
                    await conn.execute(_Q.ingest_widen_item, known[draft.item.url], owner)
                    continue
                target = draft.merge_into or await conn.fetchval(
                    _Q.ingest_find_duplicate, draft.arxiv_id, draft.item.fingerprint
                )
                if target is None:
                    target = await conn.fetchval(_Q.ingest_insert_item, *_args(draft, source))
                    if target is None:  # the same URL stored by a seed meanwhile
                        result.known += 1
                        continue
                    result.new += 1
                    result.added.append(
                        recent_of(target, draft.item.title, draft.item.summary, draft.arxiv_id)
                    )
                else:
                    result.merged += 1
                    await conn.execute(_Q.ingest_widen_item, target, owner)
                    await conn.execute(_Q.ingest_upgrade_item, target, *_face(draft, source))
                await conn.execute(_Q.ingest_link_url, draft.item.url, target, source.id)
                known[draft.item.url] = target
        return result


def _args(draft: Draft, source: SourceInfo) -> tuple[object, ...]:
    private_to = None if source.owner_key is None else [source.owner_key]
    return (*upsert_args(draft.item), source.id, draft.arxiv_id, private_to)


def _face(draft: Draft, source: SourceInfo) -> tuple[object, ...]:
    item = draft.item
    return (
        item.title,
        item.summary,
        item.url,
        item.source,
        item.content_type,
        item.ai_scores.model_dump(mode="json"),
        item.entities.model_dump(mode="json"),
        source.id,
        draft.arxiv_id,
        item.ai_scores.credibility,
    )
