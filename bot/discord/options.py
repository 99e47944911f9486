"""Typed option values for the slash commands: choices, ranges, and autocomplete.

Discord validates choices and ranges before the bot sees them; free-text values (times,
zones, days, addresses) go through core's own parsers, so errors read the same everywhere."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal
from zoneinfo import available_timezones

import discord
from discord import app_commands

from core.models import NAMED_SLOTS
from core.usage import parse_days, parse_frequency, parse_time, parse_zone

FrequencyName = Literal["daily", "weekly", "bi-weekly", "monthly"]
StyleName = Literal["concise", "balanced", "detailed"]
ToneName = Literal["formal", "casual", "technical"]
FormatName = Literal["bullet-points", "paragraph", "mixed"]
ViaName = Literal["dm", "email"]
Unit = app_commands.Range[float, 0.0, 1.0]
FREQUENCY_HELP = "How often digests arrive"
TIME_HELP = "HH:MM (24 h) or morning, midday, afternoon, evening, night"
ZONE_HELP = "An IANA timezone, e.g. Europe/London"
DAYS_HELP = "Days digests may arrive, e.g. mon,wed,fri or weekdays"
TERMS_HELP = "Comma-separated, e.g. graph neural networks, robotics"
MAX_CHOICES = 25  # Discord's limit for choices and autocomplete results
DAY_WORDS = ["weekdays", "weekends", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones() | {"UTC"}))


def zone_matches(typed: str, limit: int = MAX_CHOICES) -> list[str]:
    """Zones whose name or city starts with what was typed first, then any containing it."""
    want = typed.strip().lower().replace(" ", "_")
    if not want:
        return ["UTC", "Europe/London", "America/New_York", "Asia/Tokyo"]
    starts = [z for z in _zones() if z.lower().startswith(want) or f"/{want}" in z.lower()]
    inside = [z for z in _zones() if want in z.lower() and z not in starts]
    return (starts + inside)[:limit]


async def timezone_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in zone_matches(current)]


async def time_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    slots = [(f"{name} ({at})", name) for name, at in NAMED_SLOTS.items()]
    hours = [(f"{h:02d}:00", f"{h:02d}:00") for h in range(24)]
    want = current.strip().lower()
    found = [(n, v) for n, v in slots + hours if want in n.lower()] or [(current, current)]
    return [app_commands.Choice(name=n[:100], value=v[:100]) for n, v in found[:MAX_CHOICES]]


async def days_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    head, _, last = current.rpartition(",")
    prefix = f"{head}," if head else ""
    words = [w for w in DAY_WORDS if w.startswith(last.strip().lower())] or [last]
    return [app_commands.Choice(name=(prefix + w)[:100], value=(prefix + w)[:100]) for w in words]


def schedule(
    frequency: str | None = None,
    time: str | None = None,
    timezone: str | None = None,
    days: str | None = None,
) -> dict[str, object]:
    """Validated schedule fields for core's commands (raises core's Bad with the reason)."""
    return {
        "frequency": parse_frequency(frequency) if frequency else None,
        "time_of_day": parse_time(time.strip()) if time else None,
        "timezone": parse_zone(timezone) if timezone else None,
        "days": parse_days([days]) if days else None,
    }
