"""Stands in for Slack when no token is configured: prints what would have been sent."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from core.delivery import DeliveryOutcome, DeliveryResult, OutboundMessage


def _indented(text: str) -> str:
    # Continuation lines line up under the first one, so a digest stays readable.
    return "\n  ".join(text.splitlines()) if text else ""


class PlaceholderSlackDeliverer:
    """Implements core's Deliverer for destination "slack" without any network."""

    destination = "slack"

    def __init__(self, out: TextIO | None = None) -> None:
        # Resolved late, so pytest's capsys (which swaps sys.stdout) sees the output.
        self._out = out

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        out = self._out or sys.stdout
        lines = [
            "💬 PLACEHOLDER SLACK MESSAGE (not actually sent)",
            f"Channel: {message.address}",
            f"Message: {_indented(message.text or message.subject)}",
        ]
        thread: list[dict[str, Any]] = message.payload.get("thread") or []
        lines += [f"Reply: {_indented(str(reply.get('text', '')))}" for reply in thread]
        out.write("\n".join(lines) + "\n\n")
        out.flush()
        return DeliveryResult(
            outcome=DeliveryOutcome.SENT,
            detail="placeholder: not actually sent",
            provider_message_id=f"placeholder:{message.idempotency_key}",
        )
