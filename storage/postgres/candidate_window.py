"""Candidates for a whole batch of subscribers from one shared content window.

Per subscriber, `subscriber_candidates_ranked` ranks every item in their window with
ts_rank_cd, which costs tens of milliseconds per subscriber over a busy library. Here a
worker keeps the window's items parsed in memory (re-reading only rows whose version
changed), ranks each distinct search query once (ranks depend only on query and item),
reads the batch's sent fingerprints in one query, and then picks each subscriber's
candidates in Python with exactly the SQL's filters and order."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from core.models import ContentItem, Subscriber
from core.ranking import PhraseIndex
from core.scoring import search_query
from storage.postgres.content import content_from_row
from storage.postgres.queries import default_queries

_Q = default_queries()
RANK_QUERIES_PER_FETCH = 16
PRUNE_SLACK = 1_000
READ_CHUNK = 1_000


@dataclass(frozen=True)
class _Row:
    id: int
    version: str
    published_at: datetime
    created_at: datetime
    fingerprint: str
    private_to: tuple[str, ...] | None


class BatchWindow:
    """One batch's candidates and sent fingerprints (implements core's CandidateWindow)."""

    def __init__(
        self,
        rows: list[_Row],
        items: dict[int, ContentItem],
        ranked: dict[str, list[int]],
        sent: dict[int, set[str]],
        index: PhraseIndex,
    ) -> None:
        self._rows = rows
        self._by_id = {row.id: row for row in rows}
        self._items = items
        self._ranked = ranked  # query -> matching ids, best rank first
        self._matched: dict[str, set[int]] = {}
        self._sent = sent
        self.index = index

    def covers(self, subscriber: Subscriber) -> bool:
        return subscriber.id in self._sent

    def sent_fingerprints(self, subscriber_id: int) -> set[str]:
        return self._sent[subscriber_id]

    def candidates(self, subscriber: Subscriber, limit: int) -> list[ContentItem]:
        """As subscriber_candidates(_ranked): matches by rank, then the rest newest first."""
        assert subscriber.id is not None
        since, sent = subscriber.last_digest_at, self._sent[subscriber.id]
        reader = f"{subscriber.platform}:{subscriber.platform_user_id}"

        def wanted(row: _Row | None) -> bool:
            return row is not None and (
                (since is None or row.published_at > since or row.created_at > since)
                and row.fingerprint not in sent
                and (row.private_to is None or reader in row.private_to)
            )

        query = search_query(subscriber.ai_metadata.refined_requests)
        ranked = self._ranked.get(query, [])
        chosen: list[int] = []
        for item_id in ranked:
            if len(chosen) >= limit:
                break
            if wanted(self._by_id.get(item_id)):
                chosen.append(item_id)
        if len(chosen) < limit:
            matched = self._matched.get(query)
            if matched is None:
                matched = self._matched[query] = set(ranked)
            for row in self._rows:
                if row.id not in matched and wanted(row):
                    chosen.append(row.id)
                    if len(chosen) >= limit:
                        break
        return [self._items[i] for i in chosen]


class CandidateWindows:
    """A worker's cache of parsed window items and per-query ranks, refreshed per batch.

    Every cached query is ranked over the same set of item ids (`_covered`); new ids are
    ranked for every cached query as they appear, and a changed row clears the ranks."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._items: dict[int, tuple[str, ContentItem]] = {}  # id -> (version, item)
        self._ranks: dict[str, tuple[list[int], array[float]]] = {}  # matches, best first
        self._covered: set[int] = set()
        self._index: PhraseIndex | None = None
        self._indexed: tuple[tuple[int, str], ...] = ()

    async def for_batch(self, subscribers: Sequence[Subscriber]) -> BatchWindow:
        """The window for these subscribers (items since the earliest last digest)."""
        ids = [s.id for s in subscribers if s.id is not None]
        sinces = [s.last_digest_at for s in subscribers]
        since = None if any(t is None for t in sinces) else min(t for t in sinces if t)
        queries = {search_query(s.ai_metadata.refined_requests) for s in subscribers} - {""}
        async with self._pool.acquire() as conn:
            raw = await conn.fetch(_Q.window_rows, since)
            rows = [
                _Row(r["id"], r["version"], r["published_at"], r["created_at"], r["fingerprint"],
                     tuple(r["private_to"]) if r["private_to"] is not None else None)
                for r in raw
            ]  # fmt: skip
            stale = [r.id for r in rows if self._items.get(r.id, ("",))[0] != r.version]
            if stale:
                if any(i in self._items for i in stale):  # a row changed: rank afresh
                    self._ranks, self._covered = {}, set()
                versions = {r.id: r.version for r in rows}
                for start in range(0, len(stale), READ_CHUNK):  # bounded memory per read
                    chunk = stale[start : start + READ_CHUNK]
                    for record in await conn.fetch(_Q.content_by_ids, chunk):
                        item = content_from_row(record)
                        self._items[record["id"]] = (versions[record["id"]], item)
            if len(self._items) > 2 * len(rows) + PRUNE_SLACK:
                # Most cached rows left the window: forget them, and ranks, for memory.
                in_window = {r.id for r in rows}
                self._items = {i: v for i, v in self._items.items() if i in in_window}
                self._ranks, self._covered = {}, set()
            fresh = [r.id for r in rows if r.id not in self._covered and r.id in self._items]
            if fresh and self._ranks:
                await self._rank(conn, sorted(self._ranks), fresh)
            self._covered.update(fresh)
            new = sorted(q for q in queries if q not in self._ranks)
            if new:
                await self._rank(conn, new, sorted(self._covered))
            sent_rows = await conn.fetch(_Q.batch_sent_fingerprints, ids)
        sent: dict[int, set[str]] = {i: set() for i in ids}
        for record in sent_rows:
            sent[record["subscriber_id"]].add(record["fingerprint"])
        items = {r.id: self._items[r.id][1] for r in rows if r.id in self._items}
        live = tuple((i, self._items[i][0]) for i in items)  # a changed row: a new index
        if self._index is None or live != self._indexed:
            self._index, self._indexed = PhraseIndex(items.values()), live
        ranked = {q: self._ranks[q][0] for q in queries}
        return BatchWindow([r for r in rows if r.id in items], items, ranked, sent, self._index)

    async def _rank(self, conn: asyncpg.Connection, queries: list[str], ids: list[int]) -> None:
        # A few queries per round trip: every match is a row, and rows cost memory.
        for start in range(0, len(queries), RANK_QUERIES_PER_FETCH):
            await self._rank_some(conn, queries[start : start + RANK_QUERIES_PER_FETCH], ids)

    async def _rank_some(
        self, conn: asyncpg.Connection, queries: list[str], ids: list[int]
    ) -> None:
        same = {i: i for i in ids}  # one int object per id, shared by every query's list
        found: dict[str, list[tuple[int, float]]] = {q: [] for q in queries}
        for record in await conn.fetch(_Q.search_ranks, queries, ids):
            found[queries[record["qi"] - 1]].append((same[record["id"]], record["rank"]))
        for query, pairs in found.items():
            old_ids, old_ranks = self._ranks.get(query, ([], array("d")))
            pairs += zip(old_ids, old_ranks, strict=True)
            pairs = [(i, rank) for i, rank in pairs if rank > 0]
            # ORDER BY rank DESC, published_at DESC, id DESC, as the per-subscriber query.
            pairs.sort(key=lambda p: (p[1], self._items[p[0]][1].published_at, p[0]), reverse=True)
            self._ranks[query] = ([i for i, _ in pairs], array("d", (r for _, r in pairs)))
