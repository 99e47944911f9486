"""Everything a command handler may use, passed in once by the program's wiring."""

from __future__ import annotations

from dataclasses import dataclass

from core.actor import Actor
from core.models import Subscriber
from core.pipeline import DigestPipeline
from core.ports import (
    AdminStore,
    ChannelRepository,
    Clock,
    ContentRepository,
    DeliveryDispatcher,
    PromptRefiner,
    PublicationLedger,
    SessionStore,
    SourceRegistry,
    SubscriberRepository,
)


class NotSubscribed(Exception):
    """The actor has no profile yet; the service answers with how to subscribe."""


@dataclass
class Context:
    subscribers: SubscriberRepository
    content: ContentRepository
    ledger: PublicationLedger
    sessions: SessionStore
    refiner: PromptRefiner
    pipeline: DigestPipeline
    dispatcher: DeliveryDispatcher
    admin: AdminStore
    clock: Clock
    # Team digests; None where the program was wired without them.
    channels: ChannelRepository | None = None
    # Feed and arXiv sources (/digest source); None where wired without them.
    sources: SourceRegistry | None = None

    async def subscriber_for(self, actor: Actor) -> Subscriber:
        subscriber = await self.subscribers.find_by_identity(actor.platform, actor.user_id)
        if subscriber is None:
            raise NotSubscribed
        return subscriber
