"""Who sent a command, as every platform adapter describes them to core."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    platform: str  # console | slack | discord | web
    user_id: str
    display_name: str
    is_admin: bool = False
    team_id: str | None = None
    channel_id: str | None = None
    channel_name: str | None = None
    email: str | None = None
    default_timezone: str | None = None  # e.g. the Slack profile's tz
