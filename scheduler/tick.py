"""The scheduler tick: claim due subscribers and channels, assemble and enqueue their digests.

PostgreSQL decides who is due: a batch is claimed with FOR UPDATE SKIP LOCKED and a lease,
so any number of workers share the work, and a worker that dies mid-batch frees its
claims when the lease runs out. The (recipient, period) unique key makes a repeat of the
same slot a no-op, so nothing is assembled into two publications or sent twice."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from core.models import Channel, FrequencySettings, Subscriber
from core.pipeline import CandidateWindow, DigestPipeline, Published
from core.ports import Clock
from core.schedule import next_due, period_key
from storage.postgres.scheduling import PgScheduling

log = logging.getLogger(__name__)
T = TypeVar("T")
Invalidate = Callable[[Sequence[int]], Awaitable[None]]  # drops cached subscribers
STUCK_AFTER = 3  # failures in a row before admins hear of a digest that will not assemble


@dataclass(frozen=True)
class StuckDigest:
    """A subscriber's or a team channel's digest that failed to assemble `failures` times
    in a row (exactly one of the two ids is set)."""

    subscriber_id: int | None
    channel_id: int | None
    period_key: str
    failures: int
    error: str

    @property
    def recipient(self) -> str:
        if self.channel_id is not None:
            return f"channel {self.channel_id}"
        return f"subscriber {self.subscriber_id}"


OnStuck = Callable[[StuckDigest], Awaitable[None]]


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def _slot_name(due: datetime) -> str:
    """The slot's period key, or its time where none can be made (a naive time)."""
    try:
        return period_key(due)
    except ValueError:
        return due.isoformat()


@dataclass
class TickResult:
    claimed: int = 0
    published: int = 0
    already_served: int = 0
    failed: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def slot_after(settings: FrequencySettings, due: datetime, now: datetime) -> datetime:
    """The slot after the one being served. It counts from now, not from the missed slot:
    after downtime a recipient gets one catch-up digest, not one per slot missed."""
    return next_due(settings, max(now, due))


class DigestTick:
    def __init__(
        self,
        scheduling: PgScheduling,
        pipeline: DigestPipeline,
        clock: Clock,
        worker_id: str,
        *,
        batch_size: int = 200,
        lease_seconds: float = 300.0,
        concurrency: int = 8,
        invalidate: Invalidate | None = None,
        on_stuck: OnStuck | None = None,
    ) -> None:
        self.scheduling = scheduling
        self.pipeline = pipeline
        self.clock = clock
        self.worker_id = worker_id
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.concurrency = concurrency
        # Drops subscribers' cached copies after SQL here changed their rows.
        self.invalidate = invalidate
        self.on_stuck = on_stuck  # told of a digest that failed STUCK_AFTER times in a row

    async def run(self, max_batches: int | None = None) -> TickResult:
        """Claim and serve batches until nobody is due (or max_batches is reached)."""
        total = TickResult()
        await self._invalidate(
            await self.scheduling.resume_expired_pauses(self.clock.now(), next_due)
        )
        batches = 0
        while max_batches is None or batches < max_batches:
            now = self.clock.now()
            args = (self.worker_id, now, self.batch_size, self.lease_seconds)
            subscribers = await self.scheduling.claim_due(*args)
            channels = await self.scheduling.claim_due_channels(*args)
            if not subscribers and not channels:
                break
            batches += 1
            total.claimed += len(subscribers) + len(channels)
            window = await self._window(subscribers)
            work: list[Awaitable[str]] = [self._serve_channel(ch) for ch in channels]
            if window is not None and self.pipeline.can_publish_many():
                for outcome in await self._serve_batch(subscribers, window):
                    total.add(outcome)
            else:
                work += [self._serve_subscriber(s, window) for s in subscribers]
            for outcome in await self._gathered(work):
                total.add(outcome)
        return total

    async def _serve_batch(
        self, subscribers: Sequence[Subscriber], window: CandidateWindow
    ) -> list[str]:
        """_serve_subscriber for a whole batch through pipeline.publish_many: the same
        outcomes, with the batch's digests written in one transaction."""
        now = self.clock.now()
        outcomes: list[str] = []
        jobs: list[tuple[Subscriber, str, datetime]] = []
        failed: list[tuple[int, str, BaseException]] = []
        for subscriber in subscribers:
            assert subscriber.id is not None
            due = subscriber.next_due_at or now
            try:
                jobs.append((subscriber, period_key(due),
                             slot_after(subscriber.frequency_settings, due, now)))  # fmt: skip
            except Exception as exc:
                log.exception("digest for subscriber %s failed; retried after the lease",
                              subscriber.id)  # fmt: skip
                outcomes.append("failed")
                failed.append((subscriber.id, _slot_name(due), exc))
        try:
            results = await self.pipeline.publish_many(jobs, window)
        except Exception as exc:  # e.g. no ids reserved: every claim waits for its lease
            results = [exc] * len(jobs)
        after: list[Awaitable[None]] = []
        changed: list[int] = []  # rows whose next due time moved
        for (subscriber, key, following), result in zip(jobs, results, strict=True):
            assert subscriber.id is not None
            if isinstance(result, Exception):
                log.error("digest for subscriber %s failed; retried after the lease",
                          subscriber.id, exc_info=result)  # fmt: skip
                outcomes.append("failed")
                failed.append((subscriber.id, key, result))
            elif result.publication_id is None:
                outcomes.append("already_served")
                after.append(self.scheduling.release(subscriber.id, following, self.worker_id))
                changed.append(subscriber.id)
            else:
                outcomes.append("published")
                changed.append(subscriber.id)
        await self._gathered(after)
        await self._invalidate(changed)
        await self._note_failures(failed)
        return outcomes

    async def _note_failures(
        self, failed: Sequence[tuple[int, str, BaseException]], *, channels: bool = False
    ) -> None:
        """Back off retries of digests (subscribers', or channels') that failed to assemble,
        and tell admins (once per slot: the alert's id names it) of one that keeps failing."""
        if not failed:
            return
        try:
            in_a_row = await self.scheduling.record_failures(
                [(recipient_id, _describe(error)) for recipient_id, _, error in failed],
                self.clock.now(), self.lease_seconds, self.worker_id, channels=channels,
            )  # fmt: skip
        except Exception:  # the claim still holds: retried after the lease as before
            log.warning("could not record failed digests", exc_info=True)
            return
        for recipient_id, key, error in failed:
            failures = in_a_row.get(recipient_id, 0)
            if self.on_stuck is None or failures < STUCK_AFTER:
                continue
            ids = (None, recipient_id) if channels else (recipient_id, None)
            stuck = StuckDigest(*ids, key, failures, _describe(error))
            try:
                await self.on_stuck(stuck)
            except Exception:
                log.exception("could not raise the alert for %s", stuck.recipient)

    async def _gathered(self, work: Sequence[Awaitable[T]]) -> list[T]:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(job: Awaitable[T]) -> T:
            async with gate:
                return await job

        return await asyncio.gather(*(one(job) for job in work))

    async def _window(self, subscribers: Sequence[Subscriber]) -> CandidateWindow | None:
        prepare = getattr(self.pipeline, "prepare", None)
        try:
            return await prepare(subscribers) if prepare else None
        except Exception:  # each subscriber then reads their own candidates
            log.warning("could not read the batch's candidates at once", exc_info=True)
            return None

    async def _serve_subscriber(
        self, subscriber: Subscriber, window: CandidateWindow | None = None
    ) -> str:
        assert subscriber.id is not None
        outcome, following, error = await self._publish(
            f"subscriber {subscriber.id}",
            subscriber.frequency_settings,
            subscriber.next_due_at,
            lambda key, following: (
                self.pipeline.publish(subscriber, key, following, window=window)
                if window is not None
                else self.pipeline.publish(subscriber, key, following)
            ),
        )
        if outcome == "already_served" and following is not None:
            await self.scheduling.release(subscriber.id, following, self.worker_id)
            await self._invalidate([subscriber.id])
        if error is not None:
            due = subscriber.next_due_at or self.clock.now()
            await self._note_failures([(subscriber.id, _slot_name(due), error)])
        return outcome

    async def _serve_channel(self, channel: Channel) -> str:
        assert channel.id is not None
        outcome, following, error = await self._publish(
            f"channel {channel.id}",
            channel.frequency_settings,
            channel.next_due_at,
            lambda key, following: self.pipeline.publish_channel(channel, key, following),
        )
        if outcome == "already_served" and following is not None:
            await self.scheduling.release_channel(channel.id, following, self.worker_id)
        if error is not None:
            due = channel.next_due_at or self.clock.now()
            await self._note_failures([(channel.id, _slot_name(due), error)], channels=True)
        return outcome

    async def _publish(
        self,
        who: str,
        settings: FrequencySettings,
        due: datetime | None,
        publish: Callable[[str, datetime], Awaitable[Published]],
    ) -> tuple[str, datetime | None, Exception | None]:
        """The outcome (published, already_served or failed), the slot after this one and
        what stopped it."""
        now = self.clock.now()
        due = due or now
        try:
            following = slot_after(settings, due, now)
            published = await publish(period_key(due), following)
        except Exception as exc:
            # The claim stays until its lease runs out; then a tick tries again.
            log.exception("digest for %s failed; retried after the lease", who)
            return "failed", None, exc
        if published.publication_id is None:
            return "already_served", following, None
        return "published", following, None

    async def _invalidate(self, subscriber_ids: Sequence[int]) -> None:
        if self.invalidate is None or not subscriber_ids:
            return
        try:
            await self.invalidate(subscriber_ids)
        except Exception:  # a cache is never worth failing a tick for
            log.warning("could not drop cached subscribers %s", subscriber_ids, exc_info=True)
