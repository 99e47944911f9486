"""The scheduler tick: claim due subscribers, assemble and enqueue their digests.

PostgreSQL decides who is due: a batch is claimed with FOR UPDATE SKIP LOCKED and a lease,
so any number of workers share the work, and a worker that dies mid-batch frees its
claims when the lease runs out. The (subscriber, period) unique key makes a repeat of the
same slot a no-op, so nothing is assembled or sent twice."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from core.pipeline import DigestPipeline
from core.ports import Clock
from core.schedule import next_due, period_key
from storage.postgres.scheduling import PgScheduling

log = logging.getLogger(__name__)


@dataclass
class TickResult:
    claimed: int = 0
    published: int = 0
    already_served: int = 0
    failed: int = 0


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
    ) -> None:
        self.scheduling = scheduling
        self.pipeline = pipeline
        self.clock = clock
        self.worker_id = worker_id
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.concurrency = concurrency

    async def run(self, max_batches: int | None = None) -> TickResult:
        """Claim and serve batches until nobody is due (or max_batches is reached)."""
        total = TickResult()
        now = self.clock.now()
        await self.scheduling.resume_expired_pauses(now, next_due)
        batches = 0
        while max_batches is None or batches < max_batches:
            claimed = await self.scheduling.claim_due(
                self.worker_id, self.clock.now(), self.batch_size, self.lease_seconds
            )
            if not claimed:
                break
            batches += 1
            total.claimed += len(claimed)
            gate = asyncio.Semaphore(self.concurrency)

            async def serve(subscriber, gate=gate) -> str:
                async with gate:
                    return await self._serve(subscriber)

            for outcome in await asyncio.gather(*(serve(s) for s in claimed)):
                setattr(total, outcome, getattr(total, outcome) + 1)
        return total

    async def _serve(self, subscriber) -> str:
        now = self.clock.now()
        due = subscriber.next_due_at or now
        # The next slot counts from now, not from the missed one: after downtime a
        # subscriber gets one catch-up digest, not one per slot missed.
        following = next_due(subscriber.frequency_settings, max(now, due))
        try:
            published = await self.pipeline.publish(subscriber, period_key(due), following)
        except Exception:
            log.exception("digest for subscriber %s failed; retried after the lease", subscriber.id)
            return "failed"
        if published.publication_id is None:
            await self.scheduling.release(subscriber.id, following)
            return "already_served"
        return "published"
