"""The Protocols core needs from the outside world. Adapters implement them structurally."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from core.delivery import DeliveryResult, OutboundMessage
from core.models import Channel, ContentItem, Digest, RefinedRequests, Subscriber
from core.sources import SourceInfo, SourceSpec


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware."""
        ...


class SubscriberRepository(Protocol):
    async def get(self, subscriber_id: int) -> Subscriber | None:
        """One subscriber by id, or None."""
        ...

    async def find_by_identity(self, platform: str, platform_user_id: str) -> Subscriber | None:
        """The subscriber behind a platform identity, or None."""
        ...

    async def save(self, subscriber: Subscriber) -> Subscriber:
        """Insert or update (by platform identity); returns the stored row with its id."""
        ...

    async def count_by_status(self) -> dict[str, int]:
        """Subscribers per status."""
        ...


class ContentRepository(Protocol):
    async def add_many(self, items: Sequence[ContentItem]) -> int:
        """Store items (upsert by url); returns how many were new."""
        ...

    async def candidates_for(
        self, subscriber_id: int, since: datetime | None, limit: int
    ) -> list[ContentItem]:
        """Items published after `since` that were never sent to this subscriber."""
        ...

    async def recent(self, limit: int) -> list[ContentItem]:
        """The newest items, for samples and previews of a new prompt."""
        ...

    async def channel_candidates_for(
        self, channel_id: int, since: datetime | None, limit: int
    ) -> list[ContentItem]:
        """As candidates_for, for a team channel's digest."""
        ...


class PublicationSummary(Protocol):
    id: int
    created_at: datetime
    period_key: str
    item_titles: list[str]
    status: str


class PublicationLedger(Protocol):
    async def next_publication_id(self) -> int:
        """Reserve a publication id, so rendered links and buttons can name it."""
        ...

    async def record(
        self,
        digest: Digest,
        messages: Sequence[OutboundMessage],
        next_due_at: datetime | None,
        outcome: str,
        *,
        publication_id: int | None = None,
        channel_id: int | None = None,
    ) -> int | None:
        """Write the publication, its items and outbox rows, and advance the subscriber's
        next due time, in one transaction. Returns the publication id, or None when a
        publication for the same (subscriber, period) already exists. A channel digest
        has digest.subscriber_id None and passes channel_id."""
        ...

    async def channel_sent_fingerprints(self, channel_id: int) -> set[str]:
        """Fingerprints of every item ever sent to this channel."""
        ...

    async def sent_fingerprints(self, subscriber_id: int) -> set[str]:
        """Fingerprints of every item ever sent to this subscriber."""
        ...

    async def history(self, subscriber_id: int, limit: int) -> list[Any]:
        """The newest publications for this subscriber (PublicationSummary-shaped)."""
        ...


class ChannelRepository(Protocol):
    async def find(self, platform: str, platform_channel_id: str) -> Channel | None:
        """The team digest set up for a platform channel, or None."""
        ...

    async def save(self, channel: Channel) -> Channel:
        """Insert or update (by platform channel); returns the stored row with its id."""
        ...


class SessionStore(Protocol):
    async def get(self, platform: str, user_id: str) -> dict[str, Any] | None:
        """The conversation state for a user, or None once it expired."""
        ...

    async def put(self, platform: str, user_id: str, state: dict[str, Any]) -> None:
        """Store conversation state; it expires after the store's TTL."""
        ...

    async def delete(self, platform: str, user_id: str) -> None:
        """Forget conversation state."""
        ...


class TemplateSource(Protocol):
    async def get_template(self, name: str) -> str:
        """The Jinja2 source of a named template (e.g. `email.html`)."""
        ...


class PromptRefiner(Protocol):
    async def refine(self, prompt: str, current: RefinedRequests) -> RefinedRequests:
        """Fold a free-text prompt into topics and keywords."""
        ...


class Deliverer(Protocol):
    destination: str

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        """Send one message. Never raises for platform errors: it classifies them."""
        ...


class DeliveryDispatcher(Protocol):
    async def deliver_publication(self, publication_id: int) -> None:
        """Deliver a just-recorded publication's outbox rows now (for `/digest now`)."""
        ...


class AdminStore(Protocol):
    async def load_mock(
        self, subscribers: Sequence[Subscriber], items: Sequence[ContentItem]
    ) -> tuple[list[Subscriber], int]:
        """Store mock subscribers (upsert) and content; returns (stored subscribers, new items)."""
        ...

    async def stats(self, now: datetime) -> dict[str, Any]:
        """Operator figures: subscribers by status, due soon, outbox by state, failures."""
        ...

    async def awaiting_reconcile(self, limit: int) -> list[dict[str, Any]]:
        """Outbox rows whose send outcome is unknown, oldest first: id, destination,
        address, publication_id, attempts, last_error, updated (when it was set aside)."""
        ...

    async def reconcile(self, outbox_id: int, outcome: str, now: datetime) -> bool:
        """Settle one such row as `sent` or requeue it (`retry`); False if no row with
        that id awaits reconciliation."""
        ...


class SourceRegistry(Protocol):
    """Feed and arXiv sources: shared ones (owner None) and each person's own."""

    async def add(
        self, spec: SourceSpec, name: str, owner_key: str | None, added_by: str
    ) -> SourceInfo:
        """Store a new source, due for its first fetch now; ValueError when the name or
        URL is already taken among the shared sources or this owner's own."""
        ...

    async def visible_to(self, owner_key: str) -> list[SourceInfo]:
        """The shared sources and this owner's own, shared first."""
        ...

    async def find(self, owner_key: str, name: str) -> SourceInfo | None:
        """A visible source by name, case-insensitive; the owner's own wins."""
        ...

    async def find_url(self, owner_key: str, url: str) -> SourceInfo | None:
        """A visible source with exactly this URL (or arxiv:QUERY)."""
        ...

    async def count_owned(self, owner_key: str) -> int:
        """How many sources this owner has of their own."""
        ...

    async def remove(self, source_id: int) -> None:
        """Forget a source; the items it brought stay."""
        ...

    async def resume(self, source_id: int, now: datetime) -> SourceInfo:
        """Un-pause a source and make it due now, its failure count reset."""
        ...


class CandidateRescorer(Protocol):
    async def rescore(
        self, wants: RefinedRequests, prompts: Sequence[str], items: Sequence[ContentItem]
    ) -> dict[int, tuple[float, str]]:
        """A second opinion on the top candidates: item id -> (score 0..1, one-line reason).
        Empty when unavailable, in which case the caller keeps its local ranking."""
        ...
