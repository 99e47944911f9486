"""Turning JSON bodies into validated subscribers and channels for the JSON API.

Creation takes the fields a client may set; an update is a partial body merged into the
stored record (nested objects merge, lists and values replace). Identity fields never
change, bookkeeping fields are never written, and the schedule is recomputed whenever
frequency, schedule or status change."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel

from bot.http.api_support import invalid
from core.models import Channel, Subscriber, SubscriberStatus
from core.schedule import next_due

Record = TypeVar("Record", Subscriber, Channel)
READ_ONLY = {"id", "created_at", "last_digest_at", "next_due_at", "last_outcome"}
IDENTITY: dict[type[BaseModel], tuple[str, str]] = {
    Subscriber: ("platform", "platform_user_id"),
    Channel: ("platform", "platform_channel_id"),
}
SCHEDULE_FIELDS = {"frequency", "frequency_settings", "status"}
CHANNEL_PLATFORMS = ("slack", "discord", "email")


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`patch` laid over `base`: nested objects merge, everything else replaces."""
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _check_fields(model: type[BaseModel], body: dict[str, Any], frozen: set[str]) -> None:
    unknown = sorted(set(body) - set(model.model_fields))
    if unknown:
        raise invalid(unknown[0], "unknown field")
    fixed = sorted(set(body) & frozen)
    if fixed:
        raise invalid(fixed[0], "cannot be set through the API")


def _checked(record: Record) -> Record:
    if isinstance(record, Channel) and record.platform not in CHANNEL_PLATFORMS:
        raise invalid("platform", f"must be one of {', '.join(CHANNEL_PLATFORMS)}")
    if isinstance(record, Subscriber):
        if record.email is not None:
            try:
                record.email = validate_email(record.email, check_deliverability=False).normalized
            except EmailNotValidError as error:
                raise invalid("email", str(error)) from None
        elif record.dispatch_type.value == "email":
            raise invalid("email", "required when dispatch_type is email")
    return record


def _schedule(record: Record, body: dict[str, Any], now: datetime, fresh: bool) -> Record:
    if "frequency_settings" in body:
        record.frequency = record.frequency_settings.type
    elif "frequency" in body:
        settings = record.frequency_settings.model_dump()
        record.frequency_settings = type(record.frequency_settings).model_validate(
            {**settings, "type": record.frequency}
        )
    if fresh or SCHEDULE_FIELDS & set(body):
        active = record.status is SubscriberStatus.ACTIVE
        record.next_due_at = next_due(record.frequency_settings, now) if active else None
    return record


def new_record(model: type[Record], body: dict[str, Any], now: datetime) -> Record:
    """A record to create from a client's body (ValidationError / ApiError when bad)."""
    _check_fields(model, body, READ_ONLY)
    return _schedule(_checked(model.model_validate(body)), body, now, fresh=True)


def updated_record(stored: Record, patch: dict[str, Any], now: datetime) -> Record:
    """The stored record with a client's partial update applied and validated."""
    _check_fields(type(stored), patch, READ_ONLY | set(IDENTITY[type(stored)]))
    merged = merge(stored.model_dump(mode="json"), patch)
    record = type(stored).model_validate(merged)
    return _schedule(_checked(record), patch, now, fresh=False)


def identity_of(record: Subscriber | Channel) -> tuple[str, str]:
    first, second = IDENTITY[type(record)]
    return getattr(record, first), getattr(record, second)
