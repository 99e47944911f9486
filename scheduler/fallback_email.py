"""The email version of a chat digest, rendered only when its DM fails for good.

Rendering it at assembly time for every chat subscriber with an address cost a quarter
of assembly for a rarely needed email; the recorded publication holds all it needs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from core.models import Digest, Subscriber
from core.render import DigestRenderer, LinkBuilder, RenderedDigest

# The email version of publication P for subscriber S; None when P is gone (or not S's).
FallbackRenderer = Callable[[int, Subscriber], Awaitable[RenderedDigest | None]]


class RecordedDigests(Protocol):
    """Reads a recorded publication back as its Digest (PgPublicationLedger.digest_for)."""

    async def digest_for(self, publication_id: int, subscriber: Subscriber) -> Digest | None: ...


@dataclass(frozen=True)
class EmailFallbackRenderer:
    """A FallbackRenderer: the recorded digest through the pipeline's own renderer and
    links, so tracked links, unsubscribe link and open pixel are those the eager
    rendering had."""

    publications: RecordedDigests
    renderer: DigestRenderer
    links: LinkBuilder | None = None

    async def __call__(self, publication_id: int, subscriber: Subscriber) -> RenderedDigest | None:
        digest = await self.publications.digest_for(publication_id, subscriber)
        if digest is None:
            return None
        return await self.renderer.render(
            digest, "email", links=self.links, publication_id=publication_id
        )
