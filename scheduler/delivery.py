"""Draining the outbox: send, classify, retry with backoff, fall back to email, suppress."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from core.delivery import DeliveryOutcome, DeliveryResult, OutboundMessage
from core.ports import Clock, Deliverer, SubscriberRepository
from storage.postgres.outbox import PgOutbox

log = logging.getLogger(__name__)
# Destinations that dedupe a repeated send themselves, so a lost answer may be retried.
RETRY_SAFE = ("discord", "console")
FailureHook = Callable[[OutboundMessage, str], Awaitable[None]]


@dataclass
class RetryPolicy:
    max_attempts: int = 6
    base_seconds: float = 2.0
    cap_seconds: float = 900.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with jitter, never sooner than the platform's Retry-After."""
        backoff = min(self.cap_seconds, self.base_seconds * 2 ** (attempt - 1))
        jittered = backoff * (0.5 + self.rng.random() / 2)
        return max(jittered, retry_after or 0.0)


class DeliveryWorker:
    def __init__(
        self,
        outbox: PgOutbox,
        deliverers: Mapping[str, Deliverer],
        subscribers: SubscriberRepository,
        clock: Clock,
        worker_id: str,
        *,
        policy: RetryPolicy | None = None,
        concurrency: int = 8,
        on_failure: FailureHook | None = None,
    ) -> None:
        self.outbox = outbox
        self.deliverers = deliverers
        self.subscribers = subscribers
        self.clock = clock
        self.worker_id = worker_id
        self.policy = policy or RetryPolicy()
        self.concurrency = asyncio.Semaphore(concurrency)
        self.on_failure = on_failure

    async def deliver_publication(self, publication_id: int) -> None:
        """Send a just-recorded publication at once (`/digest now`, seed --dispatch)."""
        batch = await self.outbox.claim(
            self.worker_id, self.clock.now(), publication_id=publication_id
        )
        await asyncio.gather(*(self.send(message) for message in batch))

    async def drain(self, limit: int = 50) -> int:
        """Send one batch of ready rows; returns how many were claimed."""
        await self.outbox.release_expired(self.clock.now(), RETRY_SAFE)
        batch = await self.outbox.claim(self.worker_id, self.clock.now(), limit=limit)
        await asyncio.gather(*(self.send(message) for message in batch))
        return len(batch)

    async def send(self, message: OutboundMessage) -> DeliveryOutcome:
        async with self.concurrency:
            assert message.outbox_id is not None
            reason = await self.outbox.suppression(message.destination, message.address)
            if reason is not None:
                await self.outbox.mark_final(message.outbox_id, "suppressed", reason)
                await self._fall_back(message)
                return DeliveryOutcome.PERMANENT
            result = await self._attempt(message)
            await self.outbox.record_attempt(
                message, result.outcome.value, result.detail, result.retry_after, self.worker_id
            )
            await self._settle(message, result)
            return result.outcome

    async def _attempt(self, message: OutboundMessage) -> DeliveryResult:
        deliverer = self.deliverers.get(message.destination)
        if deliverer is None:
            detail = f"no deliverer for '{message.destination}'"
            return DeliveryResult(outcome=DeliveryOutcome.PERMANENT, detail=detail)
        try:
            return await deliverer.deliver(message)
        except Exception as error:  # a deliverer bug must not lose the message
            log.exception("deliverer %s raised", message.destination)
            return DeliveryResult(outcome=DeliveryOutcome.TRANSIENT, detail=repr(error))

    async def _settle(self, message: OutboundMessage, result: DeliveryResult) -> None:
        outbox_id = message.outbox_id
        assert outbox_id is not None
        now = self.clock.now()
        if result.outcome is DeliveryOutcome.SENT:
            await self.outbox.mark_sent(outbox_id, now, result.provider_message_id)
        elif result.outcome is DeliveryOutcome.UNKNOWN:
            await self.outbox.mark_final(outbox_id, "reconcile", result.detail)
        elif (
            result.outcome is DeliveryOutcome.TRANSIENT
            and message.attempt < self.policy.max_attempts
        ):
            wait = self.policy.delay(message.attempt, result.retry_after)
            await self.outbox.mark_retry(outbox_id, now + timedelta(seconds=wait), result.detail)
        else:
            await self.outbox.mark_final(outbox_id, "failed", result.detail)
            if result.outcome is DeliveryOutcome.PERMANENT:
                await self.outbox.suppress(message.destination, message.address, result.detail)
            await self._fall_back(message)
            if self.on_failure is not None:
                await self.on_failure(message, result.detail)

    async def _fall_back(self, message: OutboundMessage) -> None:
        """A chat message that failed for good goes by email when we have an address."""
        if message.destination == "email" or message.subscriber_id is None:
            return
        subscriber = await self.subscribers.get(message.subscriber_id)
        if subscriber is None or not subscriber.email:
            return
        await self.outbox.add_email_fallback(message, subscriber.email, self.clock.now())
        log.info("outbox %s failed for good; queued email fallback", message.outbox_id)
