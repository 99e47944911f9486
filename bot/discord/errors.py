"""Turn what discord.py and aiohttp raise into a DeliveryResult the outbox can act on."""

from __future__ import annotations

import discord

from core.delivery import DeliveryOutcome, DeliveryResult

# The address will never take this message: fall back to email and suppress.
PERMANENT_CODES = {
    50007: "cannot send messages to this user",  # DMs closed, or no shared server
    10013: "unknown user",
    10003: "unknown channel",
    50001: "missing access",
    50013: "missing permissions",
}
# 401 is our token, not the recipient: retry (and alert) rather than suppress everyone.
TRANSIENT_STATUSES = frozenset({401, 408, 429})


def transient(detail: str, retry_after: float | None = None) -> DeliveryResult:
    return DeliveryResult(outcome=DeliveryOutcome.TRANSIENT, detail=detail, retry_after=retry_after)


def permanent(detail: str) -> DeliveryResult:
    return DeliveryResult(outcome=DeliveryOutcome.PERMANENT, detail=detail)


def _retry_after(exc: discord.HTTPException) -> float | None:
    try:
        return float(exc.response.headers["Retry-After"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def classify_http_error(exc: discord.HTTPException) -> DeliveryResult:
    """Classify an error answer. discord.py has already retried 429s and 500/502/504/524."""
    detail = f"discord {exc.status} (code {exc.code}): {exc.text}"[:300]
    if exc.code in PERMANENT_CODES:
        return permanent(f"{PERMANENT_CODES[exc.code]}: {detail}")
    if exc.status >= 500 or exc.status in TRANSIENT_STATUSES:
        return transient(detail, _retry_after(exc) if exc.status == 429 else None)
    # 400/403/404 with any other code: resending the same request cannot succeed.
    return permanent(detail)
