"""The ingestion job: fetch due sources, store their new items once, scored once.

Each source is claimed by one worker (SKIP LOCKED + lease). Fetches run concurrently but
paced per host through the shared Redis rate limiter; one source failing in any way
(timeouts, hostile XML, huge bodies, redirect loops) is recorded against that source
alone. Scoring and storing are serialised within a run so that the same story from two
sources fetched together is merged, not stored twice."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from core.ports import Clock
from core.scoring import NOVELTY_WINDOW, FeedEntry, Recent, near_duplicate, to_item
from core.sources import SourceInfo, SourceKind, after_failure, arxiv_api_url
from scheduler.feeds import FeedRejected
from scheduler.feeds.fetch import FeedFetcher
from scheduler.feeds.parse import ParsedFeed, parse_feed
from storage.postgres.ingest import Draft, PgIngestStore, Stored
from storage.postgres.sources import PgSourceHealth

log = logging.getLogger(__name__)


class Pacer(Protocol):
    async def wait(self, bucket: str, rate_per_second: float, burst: int) -> float: ...


class Notifier(Protocol):
    async def publish(self, alert: dict[str, Any]) -> str: ...


@dataclass(frozen=True)
class IngestConfig:
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    poll: timedelta = timedelta(hours=1)
    max_failures: int = 5
    host_interval_seconds: float = 1.0
    arxiv_interval_seconds: float = 3.0  # arXiv asks API clients for one request per 3 s
    batch_size: int = 50
    concurrency: int = 8
    lease_seconds: float = 300.0
    every_seconds: float = 300.0  # how often the scheduler runs the job


@dataclass
class SourceOutcome:
    source: str
    status: str  # ok | not-modified | failed | paused
    new: int = 0
    merged: int = 0
    known: int = 0
    error: str | None = None


@dataclass
class IngestReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes)

    def by_source(self) -> dict[str, SourceOutcome]:
        return {o.source: o for o in self.outcomes}


class IngestJob:
    def __init__(
        self,
        health: PgSourceHealth,
        store: PgIngestStore,
        fetcher: FeedFetcher,
        clock: Clock,
        worker_id: str,
        config: IngestConfig,
        *,
        pacer: Pacer | None = None,
        alerts: Notifier | None = None,
    ) -> None:
        self.health, self.store, self.fetcher = health, store, fetcher
        self.clock, self.worker_id, self.config = clock, worker_id, config
        self.pacer, self.alerts = pacer, alerts

    async def run(self) -> IngestReport:
        """Fetch every due source once; returns what happened to each."""
        cfg = self.config
        sources = await self.health.claim_due(
            self.worker_id, self.clock.now(), cfg.batch_size, cfg.lease_seconds
        )
        if not sources:
            return IngestReport()
        recent = await self.store.recent(NOVELTY_WINDOW)
        writing, gate = asyncio.Lock(), asyncio.Semaphore(cfg.concurrency)

        async def one(source: SourceInfo) -> SourceOutcome:
            async with gate:
                return await self._ingest(source, recent, writing)

        report = IngestReport(list(await asyncio.gather(*(one(s) for s in sources))))
        log.info("ingest: %s sources, %s new items", len(sources), report.new)
        return report

    def feed_url(self, source: SourceInfo) -> str:
        if source.kind is SourceKind.ARXIV:
            return arxiv_api_url(self.config.arxiv_api_url, source.url)
        return source.url

    async def _ingest(
        self, source: SourceInfo, recent: list[Recent], writing: asyncio.Lock
    ) -> SourceOutcome:
        try:
            url = self.feed_url(source)
            await self._pace(source, url)
            fetched = await self.fetcher.fetch(url, source.etag, source.last_modified)
            if fetched.status == 304:
                await self._succeeded(source, 0, None)
                return SourceOutcome(source.name, "not-modified")
            # Parsing a few MB is CPU work: off the event loop, so chat replies stay quick.
            feed = await asyncio.to_thread(parse_feed, fetched.body, fetched.url)
            async with writing:
                stored = await self._store(source, feed, recent)
            await self._succeeded(source, stored.new, (fetched.etag, fetched.last_modified))
            return SourceOutcome(source.name, "ok", stored.new, stored.merged, stored.known)
        except FeedRejected as rejected:
            return await self._failed(source, rejected)
        except Exception as error:  # a bug or an outage must not stop the other sources
            log.exception("ingest of source %s failed", source.name)
            return await self._failed(source, FeedRejected(f"internal error: {error!r}"[:300]))

    async def _pace(self, source: SourceInfo, url: str) -> None:
        if self.pacer is None:
            return
        seconds = self.config.host_interval_seconds
        if source.kind is SourceKind.ARXIV:
            seconds = max(seconds, self.config.arxiv_interval_seconds)
        host = (urlsplit(url).hostname or "").lower()
        try:
            await self.pacer.wait(f"feed-host:{host}", 1.0 / max(seconds, 0.001), 1)
        except (ConnectionError, OSError) as error:
            log.warning("per-host pacing unavailable (%s); fetching %s unpaced", error, host)

    async def _store(self, source: SourceInfo, feed: ParsedFeed, recent: list[Recent]) -> Stored:
        entries = list({e.url: e for e in feed.entries}.values())
        known = await self.store.known_urls([e.url for e in entries])
        fresh = [e for e in entries if e.url not in known]
        # Only new entries are scored (each item once, on arrival), in a thread: comparing
        # each with hundreds of recent items is CPU work the event loop should not wait on.
        drafts = await asyncio.to_thread(_drafts, fresh, source, recent, self.clock.now())
        stored = await self.store.store(source, drafts, sorted(set(known.values())))
        stored.known += len(known)
        recent[:0] = stored.added
        return stored

    async def _succeeded(
        self, source: SourceInfo, added: int, validators: tuple[str | None, str | None] | None
    ) -> None:
        now = self.clock.now()
        await self.health.succeeded(
            source.id, now, now + self.config.poll, added=added, validators=validators
        )

    async def _failed(self, source: SourceInfo, rejected: FeedRejected) -> SourceOutcome:
        now = self.clock.now()
        failure = after_failure(
            rejected.reason,
            source.consecutive_failures + 1,
            now,
            poll=self.config.poll,
            max_failures=self.config.max_failures,
            permanent=rejected.permanent,
            retry_after=rejected.retry_after,
        )
        log.warning("source %s: %s", source.name, rejected.reason)
        await self.health.failed(
            source.id, now, rejected.reason, failure.retry_at, failure.pause_reason
        )
        if failure.pause_reason is None:
            return SourceOutcome(source.name, "failed", error=rejected.reason)
        await self._tell_owner(source, failure.pause_reason)
        return SourceOutcome(source.name, "paused", error=failure.pause_reason)

    async def _tell_owner(self, source: SourceInfo, reason: str) -> None:
        if self.alerts is None:
            return
        recipient = source.owner_key or source.added_by
        destination, _, address = recipient.partition(":")
        alert = {
            "kind": "source-paused",
            "title": f"source “{source.name}” {reason}",
            "recipient": recipient,
            "destination": destination,  # a DM to the owner: (platform, user id)
            "address": address,
            "source": source.name,
            "url": source.url,
            "reason": reason,
            "text": f"Your source “{source.name}” is {reason}. Re-add it to resume.",
            "at": self.clock.now().isoformat(),
        }
        try:
            await self.alerts.publish(alert)
        except Exception:  # the reason is stored with the source either way
            log.warning("could not announce that source %s was paused", source.name)


def _drafts(
    entries: list[FeedEntry], source: SourceInfo, recent: list[Recent], now: datetime
) -> list[Draft]:
    return [
        Draft(
            to_item(e, source.name, source.credibility, recent, now),
            e.arxiv_id,
            near_duplicate(e, recent),
        )
        for e in entries
    ]
