"""Turn a submitted preference form into the same typed commands the chat parser makes.

Every value goes through core.usage's parsers (or the chat parser itself for prompts),
so the web accepts and rejects exactly what chat does. Only changed fields become
commands; one bad field means no command at all, and the form keeps what was typed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from multidict import MultiDictProxy

from core import commands as c
from core import usage as u
from core.models import Style, Subscriber, Summarization, Tone, Weekday
from core.parser import parse_parts

T = TypeVar("T")
Named = tuple[str, c.Command]  # (form field, command)
TEXT_FIELDS = ("frequency", "time_of_day", "timezone", "style", "tone", "format")


@dataclass
class FormResult:
    values: dict[str, Any]
    commands: list[Named] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def parse(self, name: str, parser: Callable[[], T]) -> T | None:
        """Run one field's parser; a failure is recorded against that field."""
        try:
            return parser()
        except u.Bad as bad:
            self.errors[name] = bad.message
            return None


def current_values(subscriber: Subscriber) -> dict[str, Any]:
    """What the form shows for a stored profile."""
    when, meta = subscriber.frequency_settings, subscriber.ai_metadata
    look, alerts = meta.personalization, meta.alerts
    return {
        "frequency": when.type.value,
        "time_of_day": when.time_of_day,
        "timezone": when.timezone,
        "days": [d.value for d in when.preferred_days],
        "prompts": list(meta.prompts),
        "removed": [],
        "new_prompt": "",
        "style": look.style.value,
        "tone": look.tone.value,
        "format": look.summarization.value,
        "alerts": alerts.enabled,
        "min_score": f"{alerts.min_score:.2f}",
        "quiet_hours": alerts.quiet_hours or "",
    }


def _choice(kind: Callable[[str], T], text: str, what: str, choices: list[str]) -> T:
    try:
        return kind(text)
    except ValueError:
        raise u.Bad(f"unknown {what} {u.quote(text)} (choose {', '.join(choices)})") from None


def _prompt(text: str) -> c.PromptAdd:
    parsed = parse_parts("/digest", f"prompt add {text}")
    if not isinstance(parsed, c.PromptAdd):
        raise u.Bad(parsed.message if isinstance(parsed, c.ParseError) else "bad prompt")
    return parsed


def _schedule(form: MultiDictProxy[str], now: dict[str, Any], r: FormResult) -> None:
    # Frequency first: its bi-weekly anchor or weekly default day must not undo the rest.
    freq = r.parse("frequency", lambda: u.parse_frequency(form.get("frequency", "")))
    if freq is not None and freq.value != now["frequency"]:
        r.commands.append(("frequency", c.SetFrequency(frequency=freq)))
    at = r.parse("time_of_day", lambda: u.parse_time(form.get("time_of_day", "").strip()))
    if at is not None and at != now["time_of_day"]:
        r.commands.append(("time_of_day", c.SetTime(at)))
    zone = r.parse("timezone", lambda: u.parse_zone(form.get("timezone", "")))
    if zone is not None and zone != now["timezone"]:
        r.commands.append(("timezone", c.SetTimezone(zone)))
    picked = form.getall("days", [])
    # No box ticked means no preference (every day, or the default day): not an error.
    days = r.parse("days", lambda: u.parse_days(picked) if picked else ())
    if days is not None and [d.value for d in days] != now["days"]:
        r.commands.append(("days", c.SetDays(tuple(days))))


def _prompts(form: MultiDictProxy[str], now: dict[str, Any], r: FormResult) -> None:
    removals: list[int] = []
    adds: list[Named] = []
    for index, original in enumerate(now["prompts"], 1):
        name = f"prompt_{index}"
        text = form.get(name, original).strip()
        r.values["prompts"][index - 1] = text
        if f"remove_{index}" in form or not text:
            r.values["removed"].append(index)
            removals.append(index)
        elif text != original and (added := r.parse(name, lambda t=text: _prompt(t))):
            removals.append(index)  # an edited prompt is replaced by its new wording
            adds.append((name, added))
    new = r.values["new_prompt"] = form.get("new_prompt", "").strip()
    if new and (added := r.parse("new_prompt", lambda: _prompt(new))):
        adds.append(("new_prompt", added))
    # Highest number first, so each removal leaves the lower numbers where they were.
    r.commands += [("prompts", c.PromptRemove(i)) for i in sorted(removals, reverse=True)]
    r.commands += adds


def _reading(form: MultiDictProxy[str], now: dict[str, Any], r: FormResult) -> None:
    kinds: tuple[tuple[str, type[Any], Callable[[Any], c.Command]], ...] = (
        ("style", Style, c.SetStyle),
        ("tone", Tone, c.SetTone),
        ("format", Summarization, c.SetFormat),
    )
    for name, kind, command in kinds:
        text = form.get(name, "")
        value = r.parse(name, lambda k=kind, t=text, n=name: _choice(k, t, n, [*k]))
        if value is not None and value.value != now[name]:
            r.commands.append((name, command(value)))


def _alerts(form: MultiDictProxy[str], now: dict[str, Any], r: FormResult) -> None:
    enabled = form.get("alerts") == "on"
    text = form.get("min_score", "").strip()
    score = r.parse("min_score", lambda: u.parse_unit(text, "minimum score")) if enabled else None
    if enabled and score is None:
        return
    if enabled != now["alerts"] or (enabled and f"{score:.2f}" != now["min_score"]):
        r.commands.append(("alerts", c.SetAlerts(enabled=enabled, min_score=score)))


def _quiet(form: MultiDictProxy[str], now: dict[str, Any], r: FormResult) -> None:
    quiet = form.get("quiet_hours", "").strip()
    if not quiet or quiet.lower() in ("off", "none"):
        if now["quiet_hours"]:
            r.commands.append(("quiet_hours", c.SetQuietHours(None)))
        return
    hours = r.parse("quiet_hours", lambda: u.parse_quiet_hours(quiet))
    if hours is not None and "-".join(hours) != now["quiet_hours"]:
        r.commands.append(("quiet_hours", c.SetQuietHours(*hours)))


def read_form(form: MultiDictProxy[str], subscriber: Subscriber) -> FormResult:
    """The commands a submitted form asks for, or the fields that are wrong."""
    now = current_values(subscriber)
    values = {**now, "prompts": list(now["prompts"]), "removed": []}
    values.update({name: form.get(name, "").strip() for name in TEXT_FIELDS})
    values["days"] = [d for d in form.getall("days", []) if d in {w.value for w in Weekday}]
    values["alerts"] = form.get("alerts") == "on"
    values["min_score"] = form.get("min_score", "").strip()
    values["quiet_hours"] = form.get("quiet_hours", "").strip()
    result = FormResult(values=values)
    for step in (_schedule, _prompts, _reading, _alerts, _quiet):
        step(form, now, result)
    if result.errors:
        result.commands = []
    return result
