"""Digests for the console user are printed, not sent."""

from __future__ import annotations

import sys
from typing import TextIO

from core.delivery import DeliveryResult, OutboundMessage


class ConsoleDeliverer:
    destination = "console"

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        rule = "─" * 60
        print(f"{rule}\n📬 {message.subject}\n{rule}\n{message.text}\n{rule}", file=self.out)
        self.out.flush()
        return DeliveryResult.sent(f"console:{message.idempotency_key}")
