"""Assemble, render and record one recipient's digest: steps 3 to 5 of the pipeline."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from core.delivery import OutboundMessage
from core.models import Channel, ContentItem, Digest, DigestItem, DispatchType, NearMiss, Subscriber
from core.ports import Clock, ContentRepository, PublicationLedger
from core.ranking import Scored, select
from core.render import DigestRenderer, LinkBuilder, RenderedDigest
from core.rescore import CandidateRescorer, rescore_selection
from core.window_ranking import Positions, WindowRanker

log = logging.getLogger(__name__)
CANDIDATE_LIMIT = 500
NEAR_MISSES = 10  # kept with a digest, for /digest why
# Digests assembled between yields to the event loop in a batch: ~10 ms of work, while a
# yield per digest cost a loop turn (and an epoll call) each.
YIELD_EVERY = 16
FORMAT_FOR: dict[DispatchType, str] = {
    DispatchType.CONSOLE: "console",
    DispatchType.EMAIL: "email",
    DispatchType.SLACK: "slack",
    DispatchType.DISCORD: "discord",
}


class CandidateWindow(Protocol):
    """A batch's candidates, read once for all its subscribers (storage implements it)."""

    ranker: WindowRanker  # over the window's items; candidates are positions in it

    def covers(self, subscriber: Subscriber) -> bool: ...

    def candidates(self, subscriber: Subscriber, limit: int) -> list[ContentItem]: ...

    def candidate_positions(self, subscriber: Subscriber, limit: int) -> Positions: ...

    def sent_fingerprints(self, subscriber_id: int) -> set[str]: ...


@dataclass
class Recording:
    """One assembled and rendered subscriber digest, for PublicationLedger.record_many."""

    digest: Digest
    messages: list[OutboundMessage]
    next_due_at: datetime | None
    outcome: str
    publication_id: int


@dataclass
class Published:
    publication_id: int | None  # None: this slot was already served
    digest: Digest
    outcome: str  # digest | empty-note | empty-silent


def destination_of(subscriber: Subscriber) -> tuple[str, str]:
    """Where a subscriber's digests go: (destination, address)."""
    dispatch = subscriber.dispatch_type
    if dispatch is DispatchType.EMAIL:
        return "email", subscriber.email or ""
    return dispatch.value, subscriber.platform_user_id


def channel_destination(channel: Channel) -> tuple[str, str]:
    """Where a team digest goes: (destination, address) for that channel's platform."""
    if channel.platform == "discord":
        return "discord", f"channel:{channel.platform_channel_id}"
    return channel.platform, channel.platform_channel_id  # a Slack channel id, an email list


def _digest_items(chosen: Sequence[Scored]) -> list[DigestItem]:
    # Validated, not model_construct: pydantic's validator (in Rust) takes half the time
    # of model_construct (in Python), and the item passes through as the instance it is.
    return [DigestItem(item=s.item, score=s.score, rank=n, reasons=s.reasons)
            for n, s in enumerate(chosen, 1)]  # fmt: skip


def _outcome(digest: Digest, empty_digest: str) -> str:
    if digest.items:
        return "digest"
    return "empty-silent" if empty_digest == "silent" else "empty-note"


def _outbound(
    rendered: RenderedDigest,
    destination: str,
    address: str,
    key: str,
    publication_id: int | None,
    *,
    subscriber_id: int | None = None,
    channel_id: int | None = None,
) -> OutboundMessage:
    """One rendered digest as an outbox message for a subscriber or a channel."""
    return OutboundMessage(
        publication_id=publication_id,
        subscriber_id=subscriber_id,
        channel_id=channel_id,
        destination=destination,
        address=address,
        idempotency_key=key,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        payload=dict(rendered.payload),
    )


class DigestPipeline:
    # An optional second opinion on the top candidates (core.rescore); None: local only.
    rescorer: CandidateRescorer | None = None

    def __init__(
        self,
        content: ContentRepository,
        ledger: PublicationLedger,
        renderer: DigestRenderer,
        clock: Clock,
        links: LinkBuilder | None = None,
    ) -> None:
        self.links = links
        self.content = content
        self.ledger = ledger
        self.renderer = renderer
        self.clock = clock

    async def prepare(self, subscribers: Sequence[Subscriber]) -> CandidateWindow | None:
        """One shared read of candidates for a batch about to be published, when the
        content repository offers it (`batch_window`); None: read per subscriber."""
        batch_window = getattr(self.content, "batch_window", None)
        return await batch_window(subscribers) if batch_window and subscribers else None

    async def assemble(
        self,
        subscriber: Subscriber,
        period_key: str,
        window: CandidateWindow | None = None,
        near_misses: int = NEAR_MISSES,
    ) -> Digest:
        """Pick this subscriber's items since their last digest, with reasons and near-misses.
        `window` (from prepare, taken just before) saves the per-subscriber reads."""
        assert subscriber.id is not None
        meta = subscriber.ai_metadata
        if window is not None and window.covers(subscriber):
            sent = window.sent_fingerprints(subscriber.id)
            if self.rescorer is None:
                positions = window.candidate_positions(subscriber, CANDIDATE_LIMIT)
                selection = window.ranker.select(positions, meta, sent, near_misses)
            else:  # the rescorer looks at every near-miss
                candidates = window.candidates(subscriber, CANDIDATE_LIMIT)
                selection = select(candidates, meta, sent, window.ranker.index)
        else:
            candidates = await self.content.candidates_for(
                subscriber.id, subscriber.last_digest_at, CANDIDATE_LIMIT
            )
            sent = await self.ledger.sent_fingerprints(subscriber.id)
            selection = select(candidates, meta, sent)
        if self.rescorer is not None:
            selection = await rescore_selection(self.rescorer, selection, meta)
        return Digest(
            subscriber_id=subscriber.id,
            recipient_name=subscriber.name,
            generated_at=self.clock.now(),
            period_key=period_key,
            items=_digest_items(selection.chosen),
            near_misses=[
                NearMiss(item=s.item, score=s.score, why_left_out=s.left_out or "")
                for s in selection.near_misses[:near_misses]
            ],
            considered=selection.considered,
            personalization=meta.personalization,
        )

    async def messages(
        self, subscriber: Subscriber, digest: Digest, publication_id: int | None
    ) -> list[OutboundMessage]:
        destination, address = destination_of(subscriber)
        fmt = FORMAT_FOR[subscriber.dispatch_type]
        rendered = await self.renderer.render(
            # The console user reads in a terminal: plain links, nothing to track.
            digest,
            fmt,
            links=None if fmt == "console" else self.links,
            publication_id=publication_id,
        )
        # A chat DM's email fallback is rendered only if the DM fails for good (the
        # delivery worker's render_fallback), from the recorded publication.
        key = f"sub:{subscriber.id}:{digest.period_key}:{destination}"
        return [
            _outbound(rendered, destination, address, key, publication_id,
                      subscriber_id=subscriber.id)
        ]  # fmt: skip

    async def publish(
        self,
        subscriber: Subscriber,
        period_key: str,
        next_due_at: datetime | None,
        window: CandidateWindow | None = None,
    ) -> Published:
        """Assemble and record one digest, its outbox rows and the next due time at once."""
        digest = await self.assemble(subscriber, period_key, window)
        if digest.items:
            outcome = "digest"
        elif subscriber.ai_metadata.empty_digest == "silent":
            outcome = "empty-silent"
        else:
            outcome = "empty-note"
        publication_id = await self.ledger.next_publication_id()
        digest.publication_id = publication_id  # tracked links name it
        messages = (
            []
            if outcome == "empty-silent"
            else await self.messages(subscriber, digest, publication_id)
        )
        recorded = await self.ledger.record(
            digest, messages, next_due_at, outcome, publication_id=publication_id
        )
        return Published(publication_id=recorded, digest=digest, outcome=outcome)

    def can_publish_many(self) -> bool:
        """Whether publish_many applies: a ledger that records batches, and no rescorer
        (its calls are worth running concurrently, one subscriber at a time)."""
        ledger = self.ledger
        return self.rescorer is None and all(
            callable(getattr(ledger, name, None))
            for name in ("record_many", "reserve_publication_ids")
        )

    async def publish_many(
        self,
        jobs: Sequence[tuple[Subscriber, str, datetime | None]],
        window: CandidateWindow | None = None,
    ) -> list[Published | Exception]:
        """publish() for a batch of (subscriber, period_key, next_due_at): ids reserved
        at once, every digest assembled and rendered, then all recorded in one
        transaction. Per job, its Published, or the exception that stopped it."""
        ledger: Any = self.ledger
        ids: list[int] = await ledger.reserve_publication_ids(len(jobs))
        results: list[Published | Exception | None] = []
        pending: list[tuple[int, Recording]] = []
        for (subscriber, key, following), publication_id in zip(jobs, ids, strict=True):
            try:
                # Near-misses are for previews; a recorded digest does not keep them.
                digest = await self.assemble(subscriber, key, window, near_misses=0)
                outcome = _outcome(digest, subscriber.ai_metadata.empty_digest)
                digest.publication_id = publication_id  # tracked links name it
                messages = (
                    []
                    if outcome == "empty-silent"
                    else await self.messages(subscriber, digest, publication_id)
                )
            except Exception as exc:  # this subscriber fails alone
                results.append(exc)
                continue
            pending.append((len(results), Recording(digest, messages, following, outcome,
                                                    publication_id)))  # fmt: skip
            results.append(None)  # filled in once recorded
            if len(results) % YIELD_EVERY == 0:  # a long batch must not starve the loop
                await asyncio.sleep(0)
        recorded = await self._record_all([r for _, r in pending])
        for (n, recording), written in zip(pending, recorded, strict=True):
            results[n] = (
                written
                if isinstance(written, Exception)
                else Published(written, recording.digest, recording.outcome)
            )
        return [r for r in results if r is not None]

    async def _record_all(self, pending: list[Recording]) -> list[int | None | Exception]:
        ledger: Any = self.ledger
        try:
            return list(await ledger.record_many(pending))
        except Exception:
            # One bad digest must not hold back the rest: record them one at a time.
            log.warning("recording a batch failed; recording one by one", exc_info=True)
        recorded: list[int | None | Exception] = []
        for r in pending:
            try:
                recorded.append(
                    await self.ledger.record(
                        r.digest, r.messages, r.next_due_at, r.outcome,
                        publication_id=r.publication_id,
                    )
                )  # fmt: skip
            except Exception as exc:
                recorded.append(exc)
        return recorded

    async def assemble_channel(self, channel: Channel, period_key: str) -> Digest:
        """A team digest: as assemble, against the channel's own topics and history."""
        assert channel.id is not None
        candidates = await self.content.channel_candidates_for(
            channel.id, channel.last_digest_at, CANDIDATE_LIMIT
        )
        sent = await self.ledger.channel_sent_fingerprints(channel.id)
        selection = select(candidates, channel.ai_metadata, sent)
        return Digest(
            subscriber_id=None,
            recipient_name=channel.name,
            generated_at=self.clock.now(),
            period_key=period_key,
            items=_digest_items(selection.chosen),
            considered=selection.considered,
            personalization=channel.ai_metadata.personalization,
        )

    async def publish_channel(
        self, channel: Channel, period_key: str, next_due_at: datetime | None
    ) -> Published:
        """Assemble and record one team digest, its outbox row and the channel's next due
        time at once; publication_id is None when this slot was already served."""
        digest = await self.assemble_channel(channel, period_key)
        outcome = _outcome(digest, channel.ai_metadata.empty_digest)
        publication_id = await self.ledger.next_publication_id()
        messages: list[OutboundMessage] = []
        if outcome != "empty-silent":
            destination, address = channel_destination(channel)
            rendered = await self.renderer.render(
                digest, destination, links=self.links, publication_id=publication_id
            )
            key = f"chan:{channel.id}:{period_key}:{destination}"
            messages.append(
                _outbound(rendered, destination, address, key, publication_id,
                          channel_id=channel.id)
            )  # fmt: skip
        recorded = await self.ledger.record(
            digest,
            messages,
            next_due_at,
            outcome,
            publication_id=publication_id,
            channel_id=channel.id,
        )
        return Published(publication_id=recorded, digest=digest, outcome=outcome)
