"""Stands in for Discord when no bot token is configured: prints what it would have sent."""

from __future__ import annotations

import sys
from typing import TextIO

from core.delivery import DeliveryOutcome, DeliveryResult, OutboundMessage


class PlaceholderDiscordDeliverer:
    """Implements core's Deliverer for destination "discord" without any network."""

    destination = "discord"

    def __init__(self, out: TextIO | None = None) -> None:
        # Resolved late (None = sys.stdout at delivery), so a swapped sys.stdout is honoured.
        self._out = out

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        out = self._out or sys.stdout
        # Continuation lines line up under the first one, so a digest stays readable.
        content = "\n  ".join(message.text.splitlines())
        out.write(
            "🎮 PLACEHOLDER DISCORD MESSAGE (not actually sent)\n"
            f"Channel: {message.address}\n"
            f"Content: {content}\n\n"
        )
        out.flush()
        return DeliveryResult(
            outcome=DeliveryOutcome.SENT,
            detail="placeholder: not actually sent",
            provider_message_id=f"placeholder:{message.idempotency_key}",
        )
