"""Reading SES bounce and complaint notifications: which addresses must not be mailed again.

Handles both shapes SES publishes (identity notifications with `notificationType`, and
configuration-set events with `eventType`), wrapped in an SNS envelope or delivered raw
(SNS "raw message delivery", or the body of an SQS message), so an HTTP endpoint and a
queue reader can share it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from bot.email.headers import sanitize_header, valid_address


class NotificationError(ValueError):
    """The body is not an SNS message or SES notification we can read."""


@dataclass(frozen=True)
class Suppression:
    address: str
    reason: str


@dataclass
class Notification:
    """What one posted message asks of us."""

    kind: str  # SubscriptionConfirmation | UnsubscribeConfirmation | Bounce | Complaint | ...
    suppress: list[Suppression] = field(default_factory=list)
    subscribe_url: str | None = None
    note: str = ""


def _object(text: str | bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotificationError(f"{what} is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise NotificationError(f"{what} is not a JSON object")
    return value


def parse_notification(body: str | bytes) -> Notification:
    """Read one SNS POST body (or raw SES notification); raises NotificationError."""
    envelope = _object(body, "body")
    kind = envelope.get("Type")
    if kind in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        url = envelope.get("SubscribeURL")
        return Notification(kind=kind, subscribe_url=url if isinstance(url, str) else None)
    if kind == "Notification":
        message = envelope.get("Message")
        if not isinstance(message, str):
            raise NotificationError("SNS Notification without a Message")
        return ses_event(_object(message, "SNS Message"))
    if kind is None:
        return ses_event(envelope)  # raw message delivery: the SES JSON itself
    return Notification(kind=str(kind), note=f"ignored SNS message type {kind!r}")


def ses_event(event: dict[str, Any]) -> Notification:
    """The suppressions one SES notification calls for (permanent bounces, complaints)."""
    kind = event.get("notificationType") or event.get("eventType")
    if kind == "Bounce":
        return _bounce(_section(event, "bounce"))
    if kind == "Complaint":
        return _complaint(_section(event, "complaint"))
    if kind is None:
        raise NotificationError("not an SES notification (no notificationType/eventType)")
    return Notification(kind=str(kind), note=f"nothing to do for {kind!r}")


def _section(event: dict[str, Any], name: str) -> dict[str, Any]:
    section = event.get(name)
    if not isinstance(section, dict):
        raise NotificationError(f"SES {name} notification without its {name!r} object")
    return section


def _bounce(bounce: dict[str, Any]) -> Notification:
    bounce_type = str(bounce.get("bounceType") or "Undetermined")
    sub_type = str(bounce.get("bounceSubType") or "General")
    if bounce_type != "Permanent":
        # Transient bounces (mailbox full, too large) may well succeed next time.
        return Notification(kind="Bounce", note=f"{bounce_type} bounce: not suppressed")
    found = []
    for recipient in _recipients(bounce, "bouncedRecipients"):
        diagnostic = recipient.get("diagnosticCode") or recipient.get("status") or ""
        reason = f"SES permanent bounce ({sub_type})"
        if diagnostic:
            reason += f": {diagnostic}"
        found.extend(_suppression(recipient, reason))
    return Notification(kind="Bounce", suppress=found)


def _complaint(complaint: dict[str, Any]) -> Notification:
    feedback = complaint.get("complaintFeedbackType") or "unspecified"
    reason = f"SES complaint ({feedback})"
    found = []
    for recipient in _recipients(complaint, "complainedRecipients"):
        found.extend(_suppression(recipient, reason))
    return Notification(kind="Complaint", suppress=found)


def _recipients(section: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = section.get(name)
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def _suppression(recipient: dict[str, Any], reason: str) -> list[Suppression]:
    raw = recipient.get("emailAddress")
    # parseaddr would pull "a@b.com" out of "a@b.com\r\nBcc: ..."; such input is junk.
    clean = isinstance(raw, str) and raw == sanitize_header(raw)
    address = parseaddr(raw)[1].lower() if clean else ""
    if not valid_address(address):
        return []  # nothing we could have sent to; never store junk from the wire
    return [Suppression(address=address, reason=sanitize_header(str(reason))[:500])]
