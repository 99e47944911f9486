"""core.schedule: slot rules of DESIGN.md, including DST gaps and overlaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.models import NAMED_SLOTS, Frequency, FrequencySettings
from core.schedule import describe, local_slot, next_due, period_key

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")


def settings(**kwargs: object) -> FrequencySettings:
    return FrequencySettings(**kwargs)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def slots(s: FrequencySettings, start: datetime, count: int) -> list[datetime]:
    out, t = [], start
    for _ in range(count):
        t = next_due(s, t)
        out.append(t)
    return out


def local_dates(s: FrequencySettings, due: list[datetime]) -> list[date]:
    zone = ZoneInfo(s.timezone)
    return [d.astimezone(zone).date() for d in due]


# --- time of day -------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(NAMED_SLOTS))
def test_every_named_slot(name: str) -> None:
    hour, minute = map(int, NAMED_SLOTS[name].split(":"))
    due = next_due(settings(time_of_day=name), utc(2026, 6, 1, 0, 0))
    assert due == utc(2026, 6, 1, hour, minute)
    assert due.tzinfo is UTC


def test_explicit_clock_time_in_local_zone() -> None:
    s = settings(time_of_day="7:05", timezone="Europe/London")  # BST, UTC+1
    assert next_due(s, utc(2026, 6, 1, 0, 0)) == utc(2026, 6, 1, 6, 5)


def test_after_in_other_zone_gives_same_answer() -> None:
    s = settings(timezone="Europe/London")
    start = utc(2026, 6, 1, 12, 0)
    tokyo = start.astimezone(ZoneInfo("Asia/Tokyo"))
    assert next_due(s, tokyo) == next_due(s, start) == utc(2026, 6, 2, 7, 0)


# --- each frequency -----------------------------------------------------------------


def test_daily_every_day() -> None:
    s = settings(type=Frequency.DAILY)
    dates = local_dates(s, slots(s, utc(2026, 6, 1, 9, 0), 10))
    assert dates == [date(2026, 6, 2) + timedelta(days=i) for i in range(10)]


def test_daily_only_preferred_days() -> None:
    s = settings(type=Frequency.DAILY, preferred_days=["Wed", "Monday", "friday"])
    dates = local_dates(s, slots(s, utc(2026, 6, 1, 0, 0), 6))  # 2026-06-01 is a Monday
    assert dates == [date(2026, 6, d) for d in (1, 3, 5, 8, 10, 12)]


def test_weekly_defaults_to_monday() -> None:
    s = settings(type=Frequency.WEEKLY, timezone="Europe/London")
    due = slots(s, utc(2026, 6, 3, 0, 0), 3)  # a Wednesday
    assert due == [utc(2026, 6, 8, 7, 0), utc(2026, 6, 15, 7, 0), utc(2026, 6, 22, 7, 0)]


def test_weekly_on_chosen_day() -> None:
    s = settings(type=Frequency.WEEKLY, preferred_days=["Friday"], time_of_day="evening")
    assert slots(s, utc(2026, 6, 1, 0, 0), 2) == [utc(2026, 6, 5, 18, 0), utc(2026, 6, 12, 18, 0)]


def test_weekly_first_preferred_day_is_earliest_in_week() -> None:
    # The model sorts preferred_days Monday..Sunday, so "first" is Tuesday here.
    s = settings(type=Frequency.WEEKLY, preferred_days=["Friday", "Tuesday"])
    assert next_due(s, utc(2026, 6, 1, 0, 0)).date() == date(2026, 6, 2)


def test_biweekly_week_of_anchor_is_on() -> None:
    # Anchor is a Wednesday; the Thursday of that same week is the first "on" slot.
    s = settings(type=Frequency.BIWEEKLY, preferred_days=["Thursday"], anchor_date="2026-06-03")
    dates = [d.date() for d in slots(s, utc(2026, 5, 29, 0, 0), 4)]
    assert dates == [date(2026, 6, 4), date(2026, 6, 18), date(2026, 7, 2), date(2026, 7, 16)]


def test_biweekly_slot_earlier_in_anchor_week_than_anchor() -> None:
    # Anchor Sunday 2026-06-07: its week starts Monday 2026-06-01, which is "on".
    s = settings(type=Frequency.BIWEEKLY, anchor_date="2026-06-07")
    assert next_due(s, utc(2026, 5, 30, 0, 0)).date() == date(2026, 6, 1)
    assert next_due(s, utc(2026, 6, 2, 0, 0)).date() == date(2026, 6, 15)


def test_biweekly_default_anchor_is_2024_01_01() -> None:
    s = settings(type=Frequency.BIWEEKLY)
    assert next_due(s, utc(2023, 12, 31, 0, 0)).date() == date(2024, 1, 1)
    # 2026-01-05 is 105 weeks after 2024-01-01 (odd, off); 2026-01-12 is 106 (on).
    assert next_due(s, utc(2026, 1, 1, 0, 0)).date() == date(2026, 1, 12)


@pytest.mark.parametrize(
    ("day_of_month", "after", "expected"),
    [
        (31, date(2026, 2, 1), date(2026, 2, 28)),  # non-leap February
        (31, date(2028, 2, 1), date(2028, 2, 29)),  # leap February
        (30, date(2028, 2, 1), date(2028, 2, 29)),
        (31, date(2026, 4, 1), date(2026, 4, 30)),
        (31, date(2026, 3, 1), date(2026, 3, 31)),
        (1, date(2026, 4, 2), date(2026, 5, 1)),
        (1, date(2026, 12, 2), date(2027, 1, 1)),
    ],
)
def test_monthly_day_clamped(day_of_month: int, after: date, expected: date) -> None:
    s = settings(type=Frequency.MONTHLY, day_of_month=day_of_month)
    start = utc(after.year, after.month, after.day, 0, 0)
    assert next_due(s, start) == utc(expected.year, expected.month, expected.day, 8, 0)


def test_monthly_default_day_one_and_whole_year_of_31st() -> None:
    assert next_due(settings(type=Frequency.MONTHLY), utc(2026, 1, 15, 0, 0)).date() == date(
        2026, 2, 1
    )
    s = settings(type=Frequency.MONTHLY, day_of_month=31)
    dates = [d.date() for d in slots(s, utc(2026, 1, 1, 0, 0), 12)]
    assert [d.day for d in dates] == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    assert [d.month for d in dates] == list(range(1, 13))


@pytest.mark.parametrize(
    ("s", "on_slot", "expected"),
    [
        (settings(), utc(2026, 6, 1, 8, 0), utc(2026, 6, 2, 8, 0)),
        (settings(type=Frequency.WEEKLY), utc(2026, 6, 1, 8, 0), utc(2026, 6, 8, 8, 0)),
        (
            settings(type=Frequency.BIWEEKLY, anchor_date="2026-06-01"),
            utc(2026, 6, 1, 8, 0),
            utc(2026, 6, 15, 8, 0),
        ),
        (settings(type=Frequency.MONTHLY), utc(2026, 6, 1, 8, 0), utc(2026, 7, 1, 8, 0)),
    ],
)
def test_after_exactly_on_slot_returns_next(
    s: FrequencySettings, on_slot: datetime, expected: datetime
) -> None:
    assert next_due(s, on_slot) == expected
    assert next_due(s, on_slot - timedelta(microseconds=1)) == on_slot


# --- DST ----------------------------------------------------------------------------

# (zone, local date, clock, expected UTC instant, expected local wall time)
DST_CASES = [
    # spring-forward gaps: moved forward by the gap length
    (NY, date(2026, 3, 8), "02:30", utc(2026, 3, 8, 7, 30), "03:30"),
    (LONDON, date(2026, 3, 29), "01:30", utc(2026, 3, 29, 1, 30), "02:30"),
    (SYDNEY, date(2026, 10, 4), "02:30", utc(2026, 10, 3, 16, 30), "03:30"),
    # fall-back overlaps: first occurrence (still on summer time)
    (NY, date(2026, 11, 1), "01:30", utc(2026, 11, 1, 5, 30), "01:30"),
    (LONDON, date(2026, 10, 25), "01:30", utc(2026, 10, 25, 0, 30), "01:30"),
    (SYDNEY, date(2026, 4, 5), "02:30", utc(2026, 4, 4, 15, 30), "02:30"),
]


@pytest.mark.parametrize(("zone", "day", "clock", "instant", "wall"), DST_CASES)
def test_local_slot_resolves_gap_and_overlap(
    zone: ZoneInfo, day: date, clock: str, instant: datetime, wall: str
) -> None:
    slot = local_slot(day, clock, zone)
    # Compare in UTC: PEP 495 makes an ambiguous local time unequal to every
    # datetime in another zone, even the same instant.
    assert slot.astimezone(UTC) == instant
    assert slot.tzinfo is zone
    assert slot.date() == day
    assert slot.strftime("%H:%M") == wall


@pytest.mark.parametrize(("zone", "day", "clock", "instant", "wall"), DST_CASES)
def test_daily_across_dst_one_slot_per_local_day(
    zone: ZoneInfo, day: date, clock: str, instant: datetime, wall: str
) -> None:
    s = settings(time_of_day=clock, timezone=zone.key)
    start = datetime(day.year, day.month, day.day, tzinfo=zone) - timedelta(days=3)
    due = slots(s, start, 7)
    assert instant in due
    assert local_dates(s, due) == [day + timedelta(days=i) for i in range(-3, 4)]
    assert all(a < b for a, b in zip(due, due[1:], strict=False))
    assert len({period_key(d) for d in due}) == len(due)


@pytest.mark.parametrize(("zone", "day", "clock", "instant", "wall"), DST_CASES)
def test_from_any_start_near_dst_the_next_real_slot_is_returned(
    zone: ZoneInfo, day: date, clock: str, instant: datetime, wall: str
) -> None:
    # Every 5 minutes across two days around the change, the answer is the
    # first member of the true slot list that is strictly later.
    s = settings(time_of_day=clock, timezone=zone.key)
    every = slots(s, instant - timedelta(days=3), 8)
    t = instant - timedelta(days=1)
    while t < instant + timedelta(days=1):
        assert next_due(s, t) == min(d for d in every if d > t)
        t += timedelta(minutes=5)


def test_after_in_second_overlap_occurrence_does_not_repeat_the_day() -> None:
    s = settings(time_of_day="01:30", timezone="America/New_York")
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NY)  # fold=0, EDT
    second = datetime(2026, 11, 1, 1, 30, tzinfo=NY, fold=1)  # EST, an hour later
    assert next_due(s, first - timedelta(minutes=1)) == utc(2026, 11, 1, 5, 30)
    assert next_due(s, first) == utc(2026, 11, 2, 6, 30)
    assert next_due(s, second) == utc(2026, 11, 2, 6, 30)


def test_after_inside_spring_gap_window_gets_shifted_slot() -> None:
    s = settings(time_of_day="02:30", timezone="America/New_York")
    three_ten = datetime(2026, 3, 8, 3, 10, tzinfo=NY)  # after the gap, before 03:30
    assert next_due(s, three_ten) == utc(2026, 3, 8, 7, 30)


def test_weekly_slot_in_gap_still_served_that_day() -> None:
    s = settings(
        type=Frequency.WEEKLY,
        preferred_days=["Sunday"],
        time_of_day="02:30",
        timezone="America/New_York",
    )
    assert next_due(s, utc(2026, 3, 2, 0, 0)) == utc(2026, 3, 8, 7, 30)


def test_gap_at_midnight_pushes_slot_into_next_day_and_is_still_found() -> None:
    # Nuuk springs forward 23:00 -> 00:00 (since 2023), so Saturday's 23:30 slot is
    # resolved to Sunday 00:30; a start just after Sunday midnight must still get it.
    nuuk = ZoneInfo("America/Nuuk")
    s = settings(time_of_day="23:30", timezone="America/Nuuk")
    shifted = local_slot(date(2026, 3, 28), "23:30", nuuk)
    assert shifted.astimezone(UTC) == utc(2026, 3, 29, 1, 30)
    assert (shifted.date(), shifted.strftime("%H:%M")) == (date(2026, 3, 29), "00:30")
    assert next_due(s, datetime(2026, 3, 29, 0, 10, tzinfo=nuuk)) == utc(2026, 3, 29, 1, 30)
    due = slots(s, utc(2026, 3, 27, 12, 0), 4)
    assert due == [
        utc(2026, 3, 28, 1, 30),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 3, 30, 0, 30),
        utc(2026, 3, 31, 0, 30),
    ]


@pytest.mark.parametrize("zone", [NY, LONDON, SYDNEY])
@pytest.mark.parametrize("clock", ["02:30", "01:30"])
def test_400_daily_iterations_give_consecutive_local_dates(zone: ZoneInfo, clock: str) -> None:
    s = settings(time_of_day=clock, timezone=zone.key)
    due = slots(s, utc(2026, 1, 1, 0, 0), 400)  # spans two DST changes in every zone
    dates = local_dates(s, due)
    assert all((b - a).days == 1 for a, b in zip(dates, dates[1:], strict=False))
    assert all(a < b for a, b in zip(due, due[1:], strict=False))


# --- naive input, keys, descriptions -----------------------------------------------


def test_naive_after_raises() -> None:
    naive = datetime(2026, 6, 1, 8, 0)  # noqa: DTZ001 - deliberately naive
    with pytest.raises(ValueError, match="timezone-aware"):
        next_due(settings(), naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        period_key(naive)


def test_period_key_is_utc_minute_and_zone_independent() -> None:
    due = utc(2026, 11, 28, 13, 0)
    assert period_key(due) == "2026-11-28T13:00Z"
    assert period_key(due.astimezone(SYDNEY)) == "2026-11-28T13:00Z"


@pytest.mark.parametrize(
    ("s", "text"),
    [
        (
            settings(type=Frequency.WEEKLY, timezone="Europe/London"),
            "weekly on Monday at 08:00 (morning) Europe/London",
        ),
        (settings(time_of_day="night"), "daily at 21:00 (night) UTC"),
        (
            settings(
                preferred_days=["Wed", "Mon"], time_of_day="07:15", timezone="America/New_York"
            ),
            "daily on Monday, Wednesday at 07:15 America/New_York",
        ),
        (
            settings(
                type=Frequency.BIWEEKLY,
                preferred_days=["Thu"],
                time_of_day="midday",
                anchor_date="2026-06-03",
                timezone="Australia/Sydney",
            ),
            "every second Thursday (counting from the week of 2026-06-03) at 12:00 (midday)"
            " Australia/Sydney",
        ),
        (
            settings(type=Frequency.MONTHLY, day_of_month=31, time_of_day="evening"),
            "monthly on day 31 (or the month's last day if shorter) at 18:00 (evening) UTC",
        ),
        (settings(type=Frequency.MONTHLY), "monthly on day 1 at 08:00 (morning) UTC"),
    ],
)
def test_describe(s: FrequencySettings, text: str) -> None:
    assert describe(s) == text
