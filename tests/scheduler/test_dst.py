"""A clock stepping through three DST changes and a day and a half of downtime: one digest
per local day at the local time asked for, and one catch-up for the outage."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.schedule import next_due
from tests.scheduler.conftest import Parts

BEGIN = datetime(2024, 3, 8, tzinfo=UTC)
END = datetime(2024, 4, 10, tzinfo=UTC)
STEP = timedelta(hours=2)
OUTAGE = (datetime(2024, 3, 20, 0, 0, tzinfo=UTC), datetime(2024, 3, 21, 12, 0, tzinfo=UTC))
# (zone, time asked for, the local day of its DST change, the local time served that day)
CASES = [
    ("America/New_York", "02:30", date(2024, 3, 10), time(3, 30)),  # gap: 02:00 -> 03:00
    ("America/New_York", "08:00", date(2024, 3, 10), time(8, 0)),
    ("Europe/London", "01:30", date(2024, 3, 31), time(2, 30)),  # gap: 01:00 -> 02:00
    ("Europe/London", "08:00", date(2024, 3, 31), time(8, 0)),
    ("Australia/Sydney", "02:30", date(2024, 4, 7), time(2, 30)),  # overlap: 03:00 -> 02:00
    ("Australia/Sydney", "08:00", date(2024, 4, 7), time(8, 0)),
]


def _slot(day: date, at: str, zone: ZoneInfo) -> datetime:
    """The slot on an ordinary day (no DST change), worked out without core.schedule."""
    hour, minute = map(int, at.split(":"))
    return datetime.combine(day, time(hour, minute), zone).astimezone(UTC)


async def test_one_digest_per_slot_through_dst_changes_and_one_catch_up(parts: Parts) -> None:
    parts.clock.set(BEGIN)
    people = []
    for n, (zone, at, _, _) in enumerate(CASES):
        person = await parts.add_subscriber(n, timezone=zone, time_of_day=at)
        person.next_due_at = next_due(person.frequency_settings, BEGIN)
        people.append(await parts.subscribers.save(person))
    tick = parts.tick()
    moment = BEGIN
    while moment < END:
        if not OUTAGE[0] <= moment < OUTAGE[1]:
            parts.clock.set(moment)
            await tick.run()
        moment += STEP

    for person, (zone_name, at, change_day, served_at) in zip(people, CASES, strict=True):
        zone = ZoneInfo(zone_name)
        rows = await parts.fetch(
            "SELECT period_key, created_at FROM publishing_publications"
            " WHERE subscriber_id = $1 ORDER BY created_at",
            person.id,
        )
        slots = [datetime.strptime(r["period_key"], "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
                 for r in rows]  # fmt: skip
        local_days = [s.astimezone(zone).date() for s in slots]
        assert len(set(local_days)) == len(local_days), f"{zone_name} {at}: a day served twice"

        # Every local day is served, except the slots missed in the outage after the first
        # (a slot due the moment we are back is folded into the catch-up, not sent beside it).
        days = _days(local_days[0], local_days[-1])
        missed = [d for d in days if OUTAGE[0] <= _slot(d, at, zone) <= OUTAGE[1]]
        assert len(missed) >= 1
        expected = [d for d in days if d not in missed[1:]]
        assert local_days == expected, zone_name

        # The DST day is served once, at the local time the rules give.
        [change_slot] = [s for s in slots if s.astimezone(zone).date() == change_day]
        assert change_slot.astimezone(zone).time() == served_at
        if zone_name == "Australia/Sydney" and at == "02:30":  # the first 02:30 (AEDT)
            assert change_slot == datetime(2024, 4, 6, 15, 30, tzinfo=UTC)

        # Each digest goes out at the first tick after its slot; the catch-up at restart.
        for slot, row in zip(slots, rows, strict=True):
            created = row["created_at"]
            if slot == _slot(missed[0], at, zone):
                assert created == OUTAGE[1], "one catch-up, as soon as we are back"
            else:
                assert timedelta(0) <= created - slot < STEP, f"{zone_name} {at} late"


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
