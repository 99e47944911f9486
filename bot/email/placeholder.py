"""Stands in for SES when no credentials are configured: shows what would have been sent."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.email.headers import sanitize_header
from core.delivery import DeliveryResult, OutboundMessage

NOTE = (
    "Note: SES credentials are not configured; set AWS_ACCESS_KEY_ID, "
    "AWS_SECRET_ACCESS_KEY and SES_SENDER_EMAIL to send for real."
)


class PlaceholderEmailDeliverer:
    """A core.ports.Deliverer that prints the email instead of sending it."""

    destination = "email"

    def __init__(self, out: TextIO | None = None) -> None:
        # Resolved per call, not at import, so redirected/captured stdout is honoured.
        self._out = out

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        out = self._out or sys.stdout
        body = message.text.rstrip() or "(no plain-text body)"
        out.write(
            "📧 PLACEHOLDER EMAIL (not actually sent)\n"
            f"To: {sanitize_header(message.address)}\n"
            f"Subject: {sanitize_header(message.subject)}\n"
            f"{NOTE}\n"
            "\n"
            f"{body}\n"
            "\n"
        )
        out.flush()
        return DeliveryResult.sent()
