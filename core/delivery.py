"""What travels through the outbox to a destination, and what a destination answers."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class DeliveryOutcome(StrEnum):
    SENT = "sent"
    TRANSIENT = "transient"  # timeouts, 5xx, 429: retry with backoff
    PERMANENT = "permanent"  # user gone, DMs closed, address bounced: fall back, suppress
    UNKNOWN = "unknown"  # the request went out and the answer was lost: reconcile


class OutboundMessage(BaseModel):
    """One rendered digest (or note, or alert) for one destination address."""

    outbox_id: int | None = None
    publication_id: int | None = None
    subscriber_id: int | None = None
    channel_id: int | None = None
    destination: str  # console | email | slack | discord
    address: str  # email address, Slack user/channel id, Discord user/channel id
    idempotency_key: str
    subject: str = ""
    text: str = ""
    html: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)  # blocks, embeds, headers
    attempt: int = 1


class DeliveryResult(BaseModel):
    outcome: DeliveryOutcome
    detail: str = ""
    retry_after: float | None = None  # seconds, from Retry-After where the platform gave one
    provider_message_id: str | None = None

    @classmethod
    def sent(cls, provider_message_id: str | None = None) -> DeliveryResult:
        return cls(outcome=DeliveryOutcome.SENT, provider_message_id=provider_message_id)
