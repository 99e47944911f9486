"""When a subscriber's next digest is due (DESIGN.md "Scheduling rules").

Pure functions over FrequencySettings: no clock reads, no I/O. Every comparison is
made in UTC, because Python compares two datetimes that share a tzinfo by wall time
and ignores `fold`, which would confuse the two 01:30s of a fall-back night.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from core.models import NAMED_SLOTS, Frequency, FrequencySettings, Weekday

# Bi-weekly subscriptions without an anchor count "on" weeks from this Monday.
DEFAULT_ANCHOR = date(2024, 1, 1)
# Search window in days: slots are at most 31 apart (monthly), so 70 is ample.
_SEARCH_DAYS = 70


@lru_cache(maxsize=1024)
def zone_named(name: str) -> ZoneInfo:
    """ZoneInfo(name), held: ZoneInfo keeps only the last few zones strongly, and a batch
    of subscribers in many zones otherwise read zone files again and again."""
    return ZoneInfo(name)


def local_slot(day: date, clock: str, zone: ZoneInfo) -> datetime:
    """Resolve wall-clock `clock` (HH:MM) on local `day`, normalised to `zone`.

    We build the wall time with fold=0 and round-trip it through UTC. Per PEP 495,
    fold=0 means "use the offset in force before the transition", which gives both
    rules of DESIGN.md at once:
    - overlap (fall back): the earlier offset, i.e. the first occurrence;
    - gap (spring forward): the pre-gap offset, so the UTC instant lies gap-length
      after the requested wall time and reads back as e.g. 02:30 -> 03:30.
    Compare the result via .astimezone(UTC): PEP 495 makes an ambiguous local time
    unequal (==) to any datetime in another zone, even at the same instant.
    """
    hour, minute = (int(part) for part in clock.split(":"))
    wall = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone, fold=0)
    return wall.astimezone(UTC).astimezone(zone)


def _weekday(settings: FrequencySettings) -> int:
    days = settings.preferred_days
    return days[0].index if days else Weekday.MONDAY.index


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _is_slot_day(settings: FrequencySettings, day: date) -> bool:
    kind = settings.type
    if kind is Frequency.DAILY:
        wanted = {d.index for d in settings.preferred_days}
        return not wanted or day.weekday() in wanted
    if kind is Frequency.WEEKLY:
        return day.weekday() == _weekday(settings)
    if kind is Frequency.BIWEEKLY:
        anchor = settings.anchor_date or DEFAULT_ANCHOR
        weeks = (_monday(day) - _monday(anchor)).days // 7
        return day.weekday() == _weekday(settings) and weeks % 2 == 0
    if kind is Frequency.MONTHLY:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.day == min(settings.day_of_month, last)
    raise ValueError(f"unsupported frequency {kind!r}")


def _require_aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def next_due(settings: FrequencySettings, after: datetime) -> datetime:
    """The earliest slot strictly after `after`, as an aware UTC datetime.

    Each local date yields at most one slot, so stepping `t = next_due(s, t)`
    visits every slot day once: a gap pushes the slot later on the same day and an
    overlap uses only the first 01:30, so nothing is skipped or served twice.
    """
    after_utc = _require_aware(after, "after")
    zone = zone_named(settings.timezone)
    # Start a day early: a slot shifted forward by a gap may belong to yesterday.
    start = after_utc.astimezone(zone).date() - timedelta(days=1)
    for offset in range(_SEARCH_DAYS):
        day = start + timedelta(days=offset)
        if not _is_slot_day(settings, day):
            continue
        due = local_slot(day, settings.clock_time, zone).astimezone(UTC)
        if due > after_utc:
            return due
    raise RuntimeError(f"no slot within {_SEARCH_DAYS} days of {after_utc.isoformat()}")


def period_key(due: datetime) -> str:
    """Stable name of a slot (UTC ISO minute), unique per subscriber and slot."""
    return _require_aware(due, "due").strftime("%Y-%m-%dT%H:%MZ")


def describe(settings: FrequencySettings) -> str:
    """Plain English, e.g. "weekly on Monday at 08:00 (morning) Europe/London"."""
    clock = settings.clock_time
    named = settings.time_of_day in NAMED_SLOTS
    at = f"at {clock} ({settings.time_of_day})" if named else f"at {clock}"
    kind = settings.type
    if kind is Frequency.DAILY:
        days = settings.preferred_days
        when = ("daily on " + ", ".join(d.value for d in days)) if days else "daily"
    elif kind is Frequency.WEEKLY:
        when = f"weekly on {list(Weekday)[_weekday(settings)].value}"
    elif kind is Frequency.BIWEEKLY:
        anchor = settings.anchor_date or DEFAULT_ANCHOR
        day_name = list(Weekday)[_weekday(settings)].value
        when = f"every second {day_name} (counting from the week of {anchor.isoformat()})"
    else:
        dom = settings.day_of_month
        when = f"monthly on day {dom}"
        if dom > 28:
            when += " (or the month's last day if shorter)"
    return f"{when} {at} {settings.timezone}"
