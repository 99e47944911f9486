"""The operator's view of the SES account: is the sender verified, and how is sending going.

Neither method raises: a start-up check or an admin command must never fail because SES
is slow, unreachable or refuses us; they log or report what went wrong instead."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.email.identity import send_statistics, verify_sender

log = logging.getLogger(__name__)
SUCCESS = "SUCCESS"


class SesAccount:
    def __init__(
        self, client: Any, ses_v1: Any, sender: str, region: str, timeout: float = 10.0
    ) -> None:
        self._client = client
        self._ses_v1 = ses_v1
        self._timeout = timeout
        self.sender = sender
        self.region = region
        self.sender_status: str | None = None  # last VerificationStatus seen

    async def check_sender(self) -> str | None:
        """Verify (or start verifying) the sender identity and log the outcome."""
        try:
            status = await asyncio.wait_for(verify_sender(self._client, self.sender), self._timeout)
        except Exception as exc:  # start-up must go on; sending will report its own errors
            self.sender_status = f"unknown ({type(exc).__name__})"
            log.warning("SES sender %s could not be verified: %s", self.sender, exc)
            return None
        self.sender_status = status
        if status == SUCCESS:
            log.info("SES sender %s is verified", self.sender)
        else:
            log.warning(
                "SES sender %s verification status is %s: SES only sends from verified "
                "identities (look for the verification email in that inbox).",
                self.sender,
                status,
            )
        return status

    async def figures(self) -> dict[str, str]:
        """Quota, recent sending and bounce/complaint rates as label -> text."""
        head = {"provider": f"Amazon SES ({self.region})", "sender": self._sender_line()}
        try:
            stats = await asyncio.wait_for(self._statistics(), self._timeout)
        except Exception as exc:
            log.warning("SES statistics unavailable: %s", exc)
            return head | {"statistics": f"unavailable ({type(exc).__name__})"}
        return head | describe_statistics(stats)

    def _sender_line(self) -> str:
        return f"{self.sender} ({self.sender_status or 'not checked yet'})"

    async def _statistics(self) -> dict[str, Any]:
        try:
            return await send_statistics(self._client, self._ses_v1)
        except (ClientError, BotoCoreError) as exc:
            # Some SES-compatible endpoints (moto among them) lack sesv2 GetAccount; the
            # v1 quota call carries the same three figures.
            log.info("sesv2 GetAccount failed (%s); using the v1 quota", type(exc).__name__)
        quota = await asyncio.to_thread(self._ses_v1.get_send_quota)
        points = await asyncio.to_thread(self._ses_v1.get_send_statistics)
        return {
            "Max24HourSend": quota.get("Max24HourSend"),
            "MaxSendRate": quota.get("MaxSendRate"),
            "SentLast24Hours": quota.get("SentLast24Hours"),
            "DataPoints": points.get("SendDataPoints", []),
        }


def describe_statistics(stats: dict[str, Any]) -> dict[str, str]:
    """send_statistics() output as the lines of `/digest admin stats`."""
    lines: dict[str, str] = {}
    sent, limit = stats.get("SentLast24Hours"), stats.get("Max24HourSend")
    if sent is not None:
        # SES reports -1 for an unlimited daily quota.
        cap = "unlimited" if limit is None or limit < 0 else f"{limit:g}"
        lines["sent in the last 24 h"] = f"{sent:g} of {cap}"
    if stats.get("MaxSendRate") is not None:
        lines["max send rate"] = f"{stats['MaxSendRate']:g} per second"
    if stats.get("SendingEnabled") is not None:
        lines["sending"] = "enabled" if stats["SendingEnabled"] else "paused by SES"
    if stats.get("ProductionAccessEnabled") is not None:
        production = stats["ProductionAccessEnabled"]
        lines["account"] = "production" if production else "sandbox (verified recipients only)"
    points = stats.get("DataPoints") or []
    totals = {
        name: sum(int(p.get(name) or 0) for p in points)
        for name in ("DeliveryAttempts", "Bounces", "Complaints", "Rejects")
    }
    attempts = totals["DeliveryAttempts"]
    lines["last 2 weeks"] = (
        f"{attempts} delivery attempts, {totals['Bounces']} bounces, "
        f"{totals['Complaints']} complaints, {totals['Rejects']} rejects"
    )
    if attempts:
        lines["bounce rate"] = f"{totals['Bounces'] / attempts:.1%}"
        lines["complaint rate"] = f"{totals['Complaints'] / attempts:.2%}"
    return lines
