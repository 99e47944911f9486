"""The guided set-up behind a bare /subscribe as a Slack modal: the view and its answers.

The set-up's state lives in the Redis session (core.flow.start); the modal only carries
the choices, so an abandoned one leaves nothing but a session that expires."""

from __future__ import annotations

import json
from typing import Any

from core.models import (
    MAX_PROMPT_LENGTH,
    NAMED_SLOTS,
    Frequency,
    Weekday,
    validate_time_of_day,
    validate_timezone,
)

CALLBACK_ID = "digest_setup"
VALUE = "value"  # the action_id of every input's element
DAYS_LABEL = "On which days? (none: every day; Monday for weekly)"
COMMON_ZONES = (
    "UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome",
    "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw", "Europe/Athens", "Europe/Kyiv",
    "Europe/Istanbul", "Europe/Moscow", "Africa/Lagos", "Africa/Cairo", "Africa/Johannesburg",
    "Africa/Nairobi", "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka",
    "Asia/Bangkok", "Asia/Singapore", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Seoul",
    "Asia/Tokyo", "Australia/Perth", "Australia/Sydney", "Pacific/Auckland",
    "America/St_Johns", "America/Halifax", "America/Sao_Paulo", "America/Buenos_Aires",
    "America/New_York", "America/Toronto", "America/Chicago", "America/Mexico_City",
    "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
    "Pacific/Honolulu",
)  # fmt: skip


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:75], "emoji": True}


def _option(label: str, value: str) -> dict[str, Any]:
    return {"text": _text(label), "value": value}


def _input(
    block_id: str, label: str, element: dict[str, Any], optional: bool = False
) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": _text(label),
            "element": {**element, "action_id": VALUE}, "optional": optional}  # fmt: skip


def _select(options: list[dict[str, Any]], initial: dict[str, Any]) -> dict[str, Any]:
    return {"type": "static_select", "options": options, "initial_option": initial}


def setup_view(default_timezone: str | None, metadata: dict[str, Any]) -> dict[str, Any]:
    """The modal: frequency, time, timezone (the Slack profile's is the default), days, prompt."""
    frequencies = [_option(f.value.capitalize(), f.value) for f in Frequency]
    slots = [_option(f"{n.capitalize()} ({t})", n) for n, t in NAMED_SLOTS.items()]
    hours = [_option(f"{h:02d}:00", f"{h:02d}:00") for h in range(24)]
    zone = default_timezone if default_timezone in _all_zones(default_timezone) else "UTC"
    zones = [_option(z, z) for z in _all_zones(default_timezone)]
    days = [_option(d.value, d.value) for d in Weekday]
    prompt = {"type": "plain_text_input", "multiline": True, "max_length": MAX_PROMPT_LENGTH,
              "placeholder": _text("e.g. Find the latest research on NLP")}  # fmt: skip
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": _text("Your research digest"),
        "submit": _text("Subscribe"),
        "close": _text("Cancel"),
        "notify_on_close": True,
        "private_metadata": json.dumps(metadata)[:3000],
        "blocks": [
            _input("frequency", "How often?", _select(frequencies, frequencies[0])),
            _input("time", "At what time?", _select(slots + hours, slots[0])),
            _input("timezone", "Timezone", _select(zones, _option(zone, zone))),
            _input("days", DAYS_LABEL, {"type": "multi_static_select", "options": days}, True),
            _input("prompt", "What should I look for?", prompt, optional=True),
        ],
    }


def _all_zones(default_timezone: str | None) -> list[str]:
    extra = [default_timezone] if default_timezone and default_timezone not in COMMON_ZONES else []
    return [*extra, *COMMON_ZONES]


def _value(values: dict[str, Any], block_id: str) -> Any:
    element = (values.get(block_id) or {}).get(VALUE) or {}
    if "selected_options" in element:
        return [o["value"] for o in element["selected_options"] or []]
    if element.get("selected_option"):
        return element["selected_option"]["value"]
    return element.get("value")


def answers_from(view: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(answers for core.flow.complete, errors by block_id) from a submitted view."""
    values = (view.get("state") or {}).get("values") or {}
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    checks = {
        "frequency": lambda v: Frequency.parse(v or "").value,
        "time": lambda v: validate_time_of_day(v or ""),
        "timezone": lambda v: validate_timezone(v or ""),
        "days": lambda v: [Weekday.parse(d).value for d in v or []],
    }
    for block_id, check in checks.items():
        try:
            answers[block_id] = check(_value(values, block_id))
        except ValueError as error:
            errors[block_id] = str(error)[:150]
    prompt = (_value(values, "prompt") or "").strip()
    answers["prompt"] = prompt or None
    return answers, errors


def expired_view() -> dict[str, Any]:
    """Shown instead of saving when the set-up's session has run out."""
    note = "⌛ This set-up expired, so nothing was saved. Run `/subscribe` to start again."
    return {"type": "modal", "title": _text("Your research digest"), "close": _text("Close"),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": note}}]}  # fmt: skip
