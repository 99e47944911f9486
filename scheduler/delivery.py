"""Draining the outbox: send, classify, retry with backoff, fall back to email, suppress.

Exactly once: a row is claimed with a lease, marked as started just before the deliverer
is called (only while this worker still holds it), and settled only by its holder. A lease
that runs out before the start is simply retried; one that runs out mid-send is retried
only where the destination dedupes by key, and otherwise set aside for reconciliation."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from core.delivery import DeliveryOutcome, DeliveryResult, OutboundMessage
from core.models import Subscriber, SubscriberStatus
from core.ports import Clock, Deliverer, SubscriberRepository
from core.render import RenderedDigest
from scheduler.fallback_email import FallbackRenderer
from storage.postgres.outbox import PgOutbox, Settlement

log = logging.getLogger(__name__)
# Destinations that dedupe a repeated send themselves, so a lost answer may be retried.
RETRY_SAFE = ("discord", "console")
# Permanent failures that are about the recipient (gone, DMs closed, bad address), not the
# message or our credentials: only these put the address on the suppression list.
RECIPIENT_GONE = (
    "user_not_found",
    "cannot_dm_bot",
    "channel_not_found",
    "is_archived",
    "account_inactive",
    "user_disabled",
    "not_in_channel",
    "cannot send messages to this user",
    "unknown user",
    "unknown channel",
    "invalid recipient address",
)


@dataclass(frozen=True)
class DeliveryFailure:
    """A row that will not be sent without help: failed for good, or outcome unknown."""

    message: OutboundMessage
    state: str  # failed | reconcile
    detail: str
    fallback_outbox_id: int | None = None


FailureHook = Callable[[DeliveryFailure], Awaitable[None]]


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


def recipient_gone(result: DeliveryResult) -> bool:
    detail = result.detail.lower()
    return result.outcome is DeliveryOutcome.PERMANENT and any(r in detail for r in RECIPIENT_GONE)


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
        batch_size: int = 50,
        lease_seconds: float = 120.0,
        on_failure: FailureHook | None = None,
        render_fallback: FallbackRenderer | None = None,
    ) -> None:
        self.outbox = outbox
        self.deliverers = deliverers
        self.subscribers = subscribers
        self.clock = clock
        self.worker_id = worker_id
        self.policy = policy or RetryPolicy()
        self.concurrency = asyncio.Semaphore(concurrency)
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.on_failure = on_failure
        # None: a fallback email carries the chat message's own subject and text.
        self.render_fallback = render_fallback

    async def deliver_publication(self, publication_id: int) -> None:
        """Send a just-recorded publication at once (`/digest now`, seed --dispatch)."""
        batch = await self.outbox.claim(
            self.worker_id,
            self.clock.now(),
            lease_seconds=self.lease_seconds,
            publication_id=publication_id,
        )
        await asyncio.gather(*(self.send(message) for message in batch))

    async def drain(self, limit: int | None = None) -> int:
        """Send one batch of ready rows; returns how many were claimed."""
        await self.outbox.release_expired(self.clock.now(), RETRY_SAFE)
        batch = await self.outbox.claim(
            self.worker_id,
            self.clock.now(),
            lease_seconds=self.lease_seconds,
            limit=limit or self.batch_size,
        )
        await asyncio.gather(*(self.send(message) for message in batch))
        return len(batch)

    async def drain_all(self, max_batches: int = 20) -> int:
        """Send batches until the ready rows run out (or max_batches); returns the count."""
        total = 0
        for _ in range(max_batches):
            claimed = await self.drain()
            total += claimed
            if claimed < self.batch_size:
                break
        return total

    async def send(self, message: OutboundMessage) -> DeliveryOutcome | None:
        """Send one claimed row; None when it was not sent (suppressed, or lease lost)."""
        assert message.outbox_id is not None
        async with self.concurrency:
            if await self._unsubscribed(message):
                # Queued before they unsubscribed: an unsubscribe takes effect at once.
                detail = "recipient unsubscribed before delivery"
                settled = Settlement(state="superseded", outcome="superseded", detail=detail)
                await self.outbox.settle(message, self.worker_id, settled)
                return None
            reason = await self.outbox.suppression(message.destination, message.address)
            if reason is not None:
                settled = Settlement(state="suppressed", outcome="suppressed", detail=reason)
                if await self.outbox.settle(message, self.worker_id, settled):
                    await self._fall_back(message)
                return None
            deliverer = self.deliverers.get(message.destination)
            pace = getattr(deliverer, "pace", None)
            if pace is not None:  # wait for a rate-limit slot before the send counts as begun
                await pace(message)
            if not await self.outbox.start(
                message.outbox_id, self.worker_id, self.clock.now(), self.lease_seconds
            ):
                log.warning(
                    "outbox %s: lease lost before sending; left to its holder", message.outbox_id
                )
                return None
            result = await self._attempt(deliverer, message)
            settled = self._settlement(message, result)
            if await self.outbox.settle(message, self.worker_id, settled):
                await self._after(message, result, settled)
            return result.outcome

    async def _unsubscribed(self, message: OutboundMessage) -> bool:
        if message.subscriber_id is None:
            return False
        subscriber = await self.subscribers.get(message.subscriber_id)
        return subscriber is not None and subscriber.status is SubscriberStatus.UNSUBSCRIBED

    async def _attempt(
        self, deliverer: Deliverer | None, message: OutboundMessage
    ) -> DeliveryResult:
        if deliverer is None:
            detail = f"no deliverer for '{message.destination}'"
            return DeliveryResult(outcome=DeliveryOutcome.PERMANENT, detail=detail)
        try:
            return await deliverer.deliver(message)
        except Exception as error:  # a deliverer bug: it may have raised after sending
            log.exception("deliverer %s raised", message.destination)
            safe = message.destination in RETRY_SAFE
            outcome = DeliveryOutcome.TRANSIENT if safe else DeliveryOutcome.UNKNOWN
            return DeliveryResult(outcome=outcome, detail=f"deliverer raised {error!r}")

    def _settlement(self, message: OutboundMessage, result: DeliveryResult) -> Settlement:
        now = self.clock.now()
        common = {"outcome": result.outcome.value, "detail": result.detail,
                  "retry_after": result.retry_after}  # fmt: skip
        if result.outcome is DeliveryOutcome.SENT:
            return Settlement(
                state="sent", sent_at=now, provider_message_id=result.provider_message_id, **common
            )
        if result.outcome is DeliveryOutcome.UNKNOWN:
            return Settlement(state="reconcile", **common)
        if (
            result.outcome is DeliveryOutcome.TRANSIENT
            and message.attempt < self.policy.max_attempts
        ):
            wait = self.policy.delay(message.attempt, result.retry_after)
            return Settlement(
                state="pending",
                wait_seconds=wait,
                next_attempt_at=now + timedelta(seconds=wait),
                **common,
            )
        return Settlement(state="failed", **common)

    async def _after(
        self, message: OutboundMessage, result: DeliveryResult, settled: Settlement
    ) -> None:
        if settled.state not in ("failed", "reconcile"):
            return
        fallback = None
        if settled.state == "failed":
            if recipient_gone(result):
                await self.outbox.suppress(message.destination, message.address, result.detail)
            fallback = await self._fall_back(message)
        failure = DeliveryFailure(message, settled.state, result.detail, fallback)
        if self.on_failure is not None:
            try:
                await self.on_failure(failure)
            except Exception:  # an alert that cannot be raised must not undo the delivery
                log.exception("could not raise the alert for outbox %s", message.outbox_id)

    async def _fall_back(self, message: OutboundMessage) -> int | None:
        """A chat message that failed for good goes by email when we have an address."""
        if message.destination == "email" or message.subscriber_id is None:
            return None
        subscriber = await self.subscribers.get(message.subscriber_id)
        if subscriber is None or not subscriber.email:
            return None
        mail = await self._fallback_email(message, subscriber)
        now = self.clock.now()
        queued = await self.outbox.add_email_fallback(message, subscriber.email, now, mail)
        log.info("outbox %s failed for good; queued email fallback", message.outbox_id)
        return queued

    async def _fallback_email(
        self, message: OutboundMessage, subscriber: Subscriber
    ) -> RenderedDigest | None:
        """The email version of a failed chat digest, rendered now; None: send the chat
        message's own subject and text rather than lose the fallback."""
        stored = message.payload.get("fallback_email")
        if stored:  # queued before fallbacks were rendered late: rendered at assembly
            return RenderedDigest(
                subject=stored.get("subject") or "",
                text=stored.get("text") or "",
                html=stored.get("html"),
            )
        if self.render_fallback is None or message.publication_id is None:
            return None
        try:
            mail = await self.render_fallback(message.publication_id, subscriber)
        except Exception:
            log.exception(
                "outbox %s: could not render the fallback email; sending the chat text",
                message.outbox_id,
            )
            return None
        if mail is None:
            log.warning(
                "outbox %s: publication %s is gone; the fallback email carries the chat text",
                message.outbox_id,
                message.publication_id,
            )
        return mail
