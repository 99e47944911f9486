"""Sender identity and sending quota: what an operator checks before and while mailing."""

from __future__ import annotations

import asyncio
from email.utils import parseaddr
from typing import Any

from botocore.exceptions import ClientError


async def verify_sender(client: Any, address: str) -> str:
    """Make sure SES knows the sender identity (creating it, which mails a verification
    link, when missing) and return its VerificationStatus: PENDING, SUCCESS, FAILED,
    TEMPORARY_FAILURE or NOT_STARTED. `address` may be `Name <addr>` or a domain."""
    identity = parseaddr(address)[1] or address.strip()
    try:
        found = await asyncio.to_thread(client.get_email_identity, EmailIdentity=identity)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NotFoundException":
            raise
        await asyncio.to_thread(client.create_email_identity, EmailIdentity=identity)
        found = await asyncio.to_thread(client.get_email_identity, EmailIdentity=identity)
    status = found.get("VerificationStatus")
    if status:
        return str(status)
    # Older responses only carry the boolean.
    return "SUCCESS" if found.get("VerifiedForSendingStatus") else "PENDING"


async def send_statistics(client: Any, ses_v1: Any | None = None) -> dict[str, Any]:
    """The account's quota from sesv2 GetAccount, plus the v1 SES client's 15-minute data
    points (oldest first) under "DataPoints" when `ses_v1` is given. Errors propagate."""
    account = await asyncio.to_thread(client.get_account)
    quota = account.get("SendQuota", {})
    stats: dict[str, Any] = {
        "Max24HourSend": quota.get("Max24HourSend"),
        "MaxSendRate": quota.get("MaxSendRate"),
        "SentLast24Hours": quota.get("SentLast24Hours"),
        "SendingEnabled": account.get("SendingEnabled"),
        "ProductionAccessEnabled": account.get("ProductionAccessEnabled"),
    }
    if ses_v1 is not None:
        response = await asyncio.to_thread(ses_v1.get_send_statistics)
        points = response.get("SendDataPoints", [])
        stats["DataPoints"] = sorted(points, key=lambda p: p["Timestamp"])
    return stats
