"""Assemble, render and record one recipient's digest: steps 3 to 5 of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.delivery import OutboundMessage
from core.models import Digest, DigestItem, DispatchType, NearMiss, Subscriber
from core.ports import Clock, ContentRepository, PublicationLedger
from core.ranking import select
from core.render import DigestRenderer, LinkBuilder

CANDIDATE_LIMIT = 500
FORMAT_FOR: dict[DispatchType, str] = {
    DispatchType.CONSOLE: "console",
    DispatchType.EMAIL: "email",
    DispatchType.SLACK: "slack",
    DispatchType.DISCORD: "discord",
}


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


class DigestPipeline:
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

    async def assemble(self, subscriber: Subscriber, period_key: str) -> Digest:
        """Pick this subscriber's items since their last digest, with reasons and near-misses."""
        assert subscriber.id is not None
        candidates = await self.content.candidates_for(
            subscriber.id, subscriber.last_digest_at, CANDIDATE_LIMIT
        )
        sent = await self.ledger.sent_fingerprints(subscriber.id)
        meta = subscriber.ai_metadata
        selection = select(candidates, meta, sent)
        return Digest(
            subscriber_id=subscriber.id,
            recipient_name=subscriber.name,
            generated_at=self.clock.now(),
            period_key=period_key,
            items=[
                DigestItem(item=s.item, score=s.score, rank=rank, reasons=s.reasons)
                for rank, s in enumerate(selection.chosen, 1)
            ],
            near_misses=[
                NearMiss(item=s.item, score=s.score, why_left_out=s.left_out or "")
                for s in selection.near_misses[:10]
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
            digest, fmt, links=self.links, publication_id=publication_id
        )
        payload = dict(rendered.payload)
        if subscriber.email and destination != "email":
            # Rendered now so a chat DM that fails for good can fall back to email later.
            mail = await self.renderer.render(
                digest, "email", links=self.links, publication_id=publication_id
            )
            payload["fallback_email"] = {"subject": mail.subject, "text": mail.text,
                                         "html": mail.html}  # fmt: skip
        key = f"sub:{subscriber.id}:{digest.period_key}:{destination}"
        return [
            OutboundMessage(
                publication_id=publication_id,
                subscriber_id=subscriber.id,
                destination=destination,
                address=address,
                idempotency_key=key,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                payload=payload,
            )
        ]

    async def publish(
        self, subscriber: Subscriber, period_key: str, next_due_at: datetime | None
    ) -> Published:
        """Assemble and record one digest, its outbox rows and the next due time at once."""
        digest = await self.assemble(subscriber, period_key)
        if digest.items:
            outcome = "digest"
        elif subscriber.ai_metadata.empty_digest == "silent":
            outcome = "empty-silent"
        else:
            outcome = "empty-note"
        publication_id = await self.ledger.next_publication_id()
        messages = (
            []
            if outcome == "empty-silent"
            else await self.messages(subscriber, digest, publication_id)
        )
        recorded = await self.ledger.record(
            digest, messages, next_due_at, outcome, publication_id=publication_id
        )
        return Published(publication_id=recorded, digest=digest, outcome=outcome)
