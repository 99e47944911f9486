"""Candidates for a whole batch of subscribers from one shared content window.

Per subscriber, `subscriber_candidates_ranked` ranks every item in their window with
ts_rank_cd, which costs tens of milliseconds per subscriber over a busy library. Here a
worker keeps the window's items parsed in memory (re-reading only rows whose version
changed), ranks each distinct phrase once (ranks depend only on phrase and item; phrases
repeat across subscribers far more than whole lists of them), sums a subscriber's
counted phrases as the SQL does, reads the batch's sent fingerprints in one query, and
then picks each subscriber's candidates with array filters giving exactly the SQL's
filters and order."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import asyncpg
import numpy as np
import numpy.typing as npt

from core.models import ContentItem, Subscriber
from core.scoring import search_phrases
from core.window_ranking import Mask, Positions, WindowRanker
from storage.postgres.content import content_from_row
from storage.postgres.queries import default_queries

_Q = default_queries()
log = logging.getLogger(__name__)
SHARED_WAIT_SECONDS = 30.0  # then rank what other workers claimed but never stored
RANK_PHRASES_PER_FETCH = 16
PRUNE_SLACK = 1_000
COUNTED_LISTS = 20_000  # phrase lists whose counted phrases a worker keeps
READ_CHUNK = 1_000
_NONE: Positions = np.zeros(0, dtype=np.intp)
Ids, Ranks = npt.NDArray[np.int64], npt.NDArray[np.float64]
_NO_IDS: Ids = np.zeros(0, dtype=np.int64)
_NO_RANKS: Ranks = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class _Row:
    id: int
    version: str
    published_at: datetime
    created_at: datetime
    fingerprint: str
    private_to: tuple[str, ...] | None


class _Shape:
    """What candidate picking needs of the window's rows, as arrays (built once per
    distinct window, not per batch)."""

    def __init__(self, rows: list[_Row]) -> None:
        self.published = np.array([r.published_at.timestamp() for r in rows])
        self.created = np.array([r.created_at.timestamp() for r in rows])
        self.private = [(n, r.private_to) for n, r in enumerate(rows) if r.private_to is not None]
        self.everyone = np.ones(len(rows), dtype=np.bool_)


class BatchWindow:
    """One batch's candidates and sent fingerprints (implements core's CandidateWindow).

    Items are positions in `ranker.items`, the window's rows in window order (newest
    first), so a subscriber's candidates are picked with array operations."""

    def __init__(
        self,
        shape: _Shape,
        ranker: WindowRanker,
        ranked: dict[str, Positions],
        sent: dict[int, set[str]],
    ) -> None:
        self.ranker = ranker
        self._ranked = ranked  # phrases -> positions of their matches, best rank first
        self._sent = sent
        self._shape = shape

    def covers(self, subscriber: Subscriber) -> bool:
        return subscriber.id in self._sent

    def sent_fingerprints(self, subscriber_id: int) -> set[str]:
        return self._sent[subscriber_id]

    def candidates(self, subscriber: Subscriber, limit: int) -> list[ContentItem]:
        items = self.ranker.items
        return [items[n] for n in self.candidate_positions(subscriber, limit).tolist()]

    def candidate_positions(self, subscriber: Subscriber, limit: int) -> Positions:
        """As subscriber_candidates(_ranked): matches by rank, then the rest newest first."""
        ranked = self._ranked.get(search_phrases(subscriber.ai_metadata.refined_requests), _NONE)
        wanted = self._wanted(subscriber)
        if wanted is not self._shape.everyone:
            ranked = ranked[wanted[ranked]]
        if len(ranked) >= limit:  # the usual case: enough matches, no need for the rest
            return ranked[:limit]
        others = np.ones(len(self._shape.everyone), dtype=np.bool_)
        others[ranked] = False
        rest = np.flatnonzero(others & wanted)[: limit - len(ranked)]
        return np.concatenate((ranked, rest))

    def _wanted(self, subscriber: Subscriber) -> Mask:
        """Items new to them since their last digest, not sent before, and theirs to read."""
        assert subscriber.id is not None
        since, sent = subscriber.last_digest_at, self._sent[subscriber.id]
        codes = self.ranker.fingerprint_codes(sent)
        reader = f"{subscriber.platform}:{subscriber.platform_user_id}"
        shape = self._shape
        hidden = [n for n, readers in shape.private if reader not in readers]
        if since is None and not codes and not hidden:
            return shape.everyone
        wanted = shape.everyone.copy()
        if since is not None:
            stamp = since.timestamp()
            wanted &= (shape.published > stamp) | (shape.created > stamp)
        if codes:
            wanted &= ~np.isin(self.ranker.fingerprints, codes)
        wanted[hidden] = False
        return wanted


class RankSharing(Protocol):
    """Ranks shared between worker processes (storage/redis/shared_ranks.py), per phrase;
    each call raises OSError when the sharing store is unavailable."""

    async def fetch(self, window: str, phrases: Sequence[str]) -> dict[str, tuple[Ids, Ranks]]: ...

    async def claim(self, window: str, phrases: Sequence[str]) -> list[str]: ...

    async def store(self, window: str, ranked: dict[str, tuple[Ids, Ranks]]) -> None: ...


Phrases = tuple[str, ...]  # a subscriber's, as core.scoring.search_phrases gives them


class CandidateWindows:
    """A worker's cache of parsed window items and per-phrase ranks, refreshed per batch.

    Every cached phrase is ranked over the same set of item ids (`_covered`); new ids are
    ranked for every cached phrase as they appear, and a changed row clears the ranks."""

    def __init__(self, pool: asyncpg.Pool, shared: RankSharing | None = None) -> None:
        self._pool = pool
        self._shared = shared
        self._items: dict[int, tuple[str, ContentItem]] = {}  # id -> (version, item)
        self._ranks: dict[str, tuple[Ids, Ranks]] = {}  # phrase -> its matches' ids, ranks
        self._covered: set[int] = set()
        self._counted: dict[Phrases, Phrases] = {}  # the phrases a list's rank sums
        self._ranker: WindowRanker | None = None
        self._indexed: tuple[tuple[int, str], ...] = ()
        self._positions: dict[Phrases, Positions] = {}  # its ranked positions in _ranker
        self._shape = _Shape([])
        # The last window read: (since, row count, hash of ids and versions) and its rows.
        self._signature: tuple[object, ...] | None = None
        self._rows: list[_Row] = []
        self._row_ids: Ids = _NO_IDS  # the rows' ids, ascending
        self._row_at: Positions = _NONE  # and where each of those is in the window

    async def for_batch(self, subscribers: Sequence[Subscriber]) -> BatchWindow:
        """The window for these subscribers (items since the earliest last digest)."""
        ids = [s.id for s in subscribers if s.id is not None]
        sinces = [s.last_digest_at for s in subscribers]
        since = None if any(t is None for t in sinces) else min(t for t in sinces if t)
        lists = {search_phrases(s.ai_metadata.refined_requests) for s in subscribers} - {()}
        async with self._pool.acquire() as conn:
            # Most batches see the window of the batch before: then its rows are reused.
            head = await conn.fetchrow(_Q.window_signature, since)
            signature = (since, head["n"], head["sig"])
            if signature != self._signature or self._ranker is None:
                await self._refresh(conn, since)
                self._signature = signature
            await self._count(conn, lists)
            wanted = {phrase for p in lists for phrase in self._counted[p]}
            new = sorted(wanted - self._ranks.keys())
            if new:
                await self._rank_new(conn, new)
            sent_rows = await conn.fetch(_Q.batch_sent_fingerprints, ids)
        sent: dict[int, set[str]] = {i: set() for i in ids}
        for record in sent_rows:
            sent[record["subscriber_id"]].add(record["fingerprint"])
        ranked = {p: self._ranked_positions(p) for p in lists}
        assert self._ranker is not None
        return BatchWindow(self._shape, self._ranker, ranked, sent)

    async def _count(self, conn: asyncpg.Connection, batch: set[Phrases]) -> None:
        """Which phrases of each list its rank sums (counted_search_phrases), once each."""
        if len(self._counted) + len(batch) > COUNTED_LISTS:
            self._counted = {}  # for memory; this batch's lists are counted again below
        lists = [p for p in batch if p not in self._counted]
        pairs = [(n, phrase) for n, phrases in enumerate(lists, 1) for phrase in phrases]
        if pairs:
            numbers, phrases = zip(*pairs, strict=True)
            for record in await conn.fetch(_Q.counted_phrases_many, numbers, phrases):
                self._counted[lists[record["qi"] - 1]] = tuple(record["phrases"])

    def _ranked_positions(self, phrases: Phrases) -> Positions:
        """Window positions of the items matching any counted phrase, best first: by the
        sum of their ranks (float32 values, so float64 sums them exactly in any order,
        as PostgreSQL's float8 sum does), then newest first, as the window is ordered."""
        kept = self._positions.get(phrases)
        if kept is not None:
            return kept
        total = np.zeros(len(self._rows), dtype=np.float64)
        for phrase in self._counted[phrases]:
            ids, ranks = self._ranks[phrase]
            # Ranked ids cover the window and may reach past it (a later `since`).
            inside = np.isin(ids, self._row_ids, assume_unique=True)
            total[self._row_at[np.searchsorted(self._row_ids, ids[inside])]] += ranks[inside]
        matched = np.flatnonzero(total > 0)
        kept = self._positions[phrases] = matched[np.argsort(-total[matched], kind="stable")]
        return kept

    async def _refresh(self, conn: asyncpg.Connection, since: datetime | None) -> None:
        """Read the window's rows; parse the new or changed items; rank new rows for every
        known phrase; rebuild the ranker when the window's items changed."""
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
        rows = [r for r in rows if r.id in self._items]
        live = tuple((r.id, self._items[r.id][0]) for r in rows)  # a changed row: anew
        if self._ranker is None or live != self._indexed:
            self._ranker = WindowRanker([self._items[r.id][1] for r in rows])
            self._indexed = live
            self._shape = _Shape(rows)
        self._rows = rows
        row_ids = np.array([r.id for r in rows], dtype=np.int64)
        self._row_at = np.argsort(row_ids)
        self._row_ids = row_ids[self._row_at]
        # Ranks may have changed even where the items did not (a phrase ranked afresh).
        self._positions = {}

    async def _rank_new(self, conn: asyncpg.Connection, phrases: list[str]) -> None:
        """Rank phrases new to this worker over every covered item: taken from the other
        workers where they have ranked them, else claimed a few at a time and ranked
        here, so workers split the work. Without sharing (or Redis), all ranked here."""
        covered = sorted(self._covered)
        share = self._shared
        if share is None:
            await self._rank(conn, phrases, covered)
            return
        window = hashlib.sha256(repr([(i, self._items[i][0]) for i in covered]).encode())
        key = window.hexdigest()[:32]
        loop = asyncio.get_running_loop()
        give_up = loop.time() + SHARED_WAIT_SECONDS
        pending = list(phrases)
        try:
            while pending:
                found = await share.fetch(key, pending)
                self._ranks.update(found)
                pending = [p for p in pending if p not in found]
                mine: list[str] = []
                for start in range(0, len(pending), RANK_PHRASES_PER_FETCH):
                    mine = await share.claim(key, pending[start : start + RANK_PHRASES_PER_FETCH])
                    if mine:
                        break
                if mine:
                    await self._rank(conn, mine, covered)
                    await share.store(key, {p: self._ranks[p] for p in mine})
                    pending = [p for p in pending if p not in mine]
                elif pending and loop.time() > give_up:  # its claimer died or is stuck
                    break
                elif pending:
                    await asyncio.sleep(0.05)  # the others are ranking the rest
        except OSError as error:  # RankSharing's "unavailable"
            log.warning("shared ranks unavailable, ranking here: %s", error)
        left = [p for p in pending if p not in self._ranks]
        if left:
            await self._rank(conn, left, covered)

    async def _rank(self, conn: asyncpg.Connection, phrases: list[str], ids: list[int]) -> None:
        # A few phrases per round trip, so no one answer grows too large.
        for start in range(0, len(phrases), RANK_PHRASES_PER_FETCH):
            await self._rank_some(conn, phrases[start : start + RANK_PHRASES_PER_FETCH], ids)

    async def _rank_some(
        self, conn: asyncpg.Connection, phrases: list[str], ids: list[int]
    ) -> None:
        found = dict.fromkeys(phrases, (_NO_IDS, _NO_RANKS))
        for record in await conn.fetch(_Q.phrase_ranks, phrases, ids):
            ranked = np.array(record["ids"], np.int64), np.array(record["ranks"], np.float64)
            found[phrases[record["qi"] - 1]] = ranked
        for phrase, (new_ids, new_ranks) in found.items():
            old = self._ranks.get(phrase)
            if old is not None:  # the same phrase over items new to the window
                new_ids, new_ranks = (
                    np.concatenate((old[0], new_ids)),
                    np.concatenate((old[1], new_ranks)),
                )
            self._ranks[phrase] = (new_ids, new_ranks)
