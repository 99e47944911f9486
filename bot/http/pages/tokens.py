"""Checking the signed tokens the pages accept, and minting the one-time form token.

A failed check says whether the token was genuine but expired (a clear "ask for a new
link" page) or not ours at all, so people are never left guessing."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from bot.links import ADMIN, PREFERENCES
from core.signing import sign, verify

FORM = "preferences-form"
FORM_LIFETIME = timedelta(hours=12)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Verdict = Literal["valid", "expired", "invalid"]


@dataclass(frozen=True)
class Checked:
    verdict: Verdict
    data: dict[str, Any]


def check(key: bytes, purpose: str, token: str, now: datetime) -> Checked:
    """Valid (with its payload), expired (genuine but too old) or invalid."""
    data = verify(key, purpose, token, now)
    if data is not None:
        return Checked("valid", data)
    # A genuine token still verifies at the epoch, before any expiry.
    if verify(key, purpose, token, _EPOCH) is not None:
        return Checked("expired", {})
    return Checked("invalid", {})


def preferences_subscriber(key: bytes, token: str, now: datetime) -> tuple[Verdict, int | None]:
    checked = check(key, PREFERENCES, token, now)
    subscriber_id = checked.data.get("s")
    if checked.verdict == "valid" and isinstance(subscriber_id, int):
        return "valid", subscriber_id
    return ("invalid" if checked.verdict == "valid" else checked.verdict), None


def admin_token_ok(key: bytes, token: str, now: datetime) -> Verdict:
    return check(key, ADMIN, token, now).verdict


def _link_fingerprint(link_token: str) -> str:
    return hashlib.sha256(link_token.encode()).hexdigest()[:16]


def form_token(key: bytes, subscriber_id: int, link_token: str, now: datetime) -> str:
    """A hidden-field token tying one rendered form to its link; `n` makes it single-use."""
    payload = {"s": subscriber_id, "l": _link_fingerprint(link_token), "n": secrets.token_hex(8)}
    return sign(key, FORM, payload, now + FORM_LIFETIME)


def form_nonce(key: bytes, token: str, subscriber_id: int, link_token: str, now: datetime) -> str:
    """The form token's nonce when it belongs to this subscriber and link; else ''."""
    data = verify(key, FORM, token, now)
    if not data or data.get("s") != subscriber_id:
        return ""
    if data.get("l") != _link_fingerprint(link_token):
        return ""
    nonce = data.get("n")
    return nonce if isinstance(nonce, str) else ""
