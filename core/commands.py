"""Typed commands: what the parser produces and the command service executes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from core.models import Frequency, Style, Summarization, Tone, Weekday

Via = Literal["dm", "email", "channel"]
RefineField = Literal["topics", "keywords", "exclude"]


@dataclass(frozen=True)
class Subscribe:
    frequency: Frequency | None = None
    time_of_day: str | None = None
    timezone: str | None = None
    days: tuple[Weekday, ...] | None = None
    via: Via | None = None

    @property
    def is_bare(self) -> bool:
        return all(
            v is None
            for v in (self.frequency, self.time_of_day, self.timezone, self.days, self.via)
        )


@dataclass(frozen=True)
class Unsubscribe:
    pass


@dataclass(frozen=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True)
class ShowSettings:
    pass


@dataclass(frozen=True)
class ShowStatus:
    pass


@dataclass(frozen=True)
class Preview:
    pass


@dataclass(frozen=True)
class SendNow:
    pass


@dataclass(frozen=True)
class History:
    limit: int = 5


@dataclass(frozen=True)
class SetFrequency:
    frequency: Frequency
    days: tuple[Weekday, ...] | None = None
    time_of_day: str | None = None


@dataclass(frozen=True)
class SetTime:
    time_of_day: str


@dataclass(frozen=True)
class SetTimezone:
    timezone: str


@dataclass(frozen=True)
class SetDays:
    days: tuple[Weekday, ...]


@dataclass(frozen=True)
class Pause:
    until: date | None = None


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class PromptAdd:
    text: str


@dataclass(frozen=True)
class PromptList:
    pass


@dataclass(frozen=True)
class PromptRemove:
    index: int  # 1-based, as shown by `prompt list`


@dataclass(frozen=True)
class Refine:
    field: RefineField
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetThreshold:
    kind: Literal["threshold", "novelty"]
    value: float


@dataclass(frozen=True)
class SetStyle:
    style: Style


@dataclass(frozen=True)
class SetTone:
    tone: Tone


@dataclass(frozen=True)
class SetFormat:
    summarization: Summarization


@dataclass(frozen=True)
class SetEmail:
    address: str | None  # None turns the email address off


@dataclass(frozen=True)
class SetEmptyDigest:
    mode: Literal["note", "silent"]


@dataclass(frozen=True)
class Why:
    pass


@dataclass(frozen=True)
class SetAlerts:
    enabled: bool
    min_score: float | None = None


@dataclass(frozen=True)
class SetQuietHours:
    start: str | None  # HH:MM; None clears quiet hours
    end: str | None = None


@dataclass(frozen=True)
class ChannelSubscribe:
    frequency: Frequency = Frequency.WEEKLY
    time_of_day: str | None = None
    timezone: str | None = None
    days: tuple[Weekday, ...] | None = None
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChannelUnsubscribe:
    pass


@dataclass(frozen=True)
class SourceAdd:
    url: str
    name: str | None = None


@dataclass(frozen=True)
class SourceList:
    pass


@dataclass(frozen=True)
class SourceRemove:
    name: str


@dataclass(frozen=True)
class AdminSeed:
    subscribers: int = 10
    content: int = 20
    seed: int | None = None
    dispatch: bool = False


@dataclass(frozen=True)
class AdminStats:
    pass


RECONCILE_OUTCOMES = ("sent", "retry")


@dataclass(frozen=True)
class AdminReconcile:
    """List the deliveries whose outcome is unknown, or settle one: `sent` (it arrived)
    or `retry` (it did not: send it again)."""

    outbox_id: int | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class ParseError:
    """A command that could not be understood: what was wrong and how to write it."""

    message: str
    usage: str
    suggestions: list[str] = field(default_factory=list)


Command = (
    Subscribe
    | Unsubscribe
    | Help
    | ShowSettings
    | ShowStatus
    | Preview
    | SendNow
    | History
    | SetFrequency
    | SetTime
    | SetTimezone
    | SetDays
    | Pause
    | Resume
    | PromptAdd
    | PromptList
    | PromptRemove
    | Refine
    | SetThreshold
    | SetStyle
    | SetTone
    | SetFormat
    | SetEmail
    | SetEmptyDigest
    | Why
    | SetAlerts
    | SetQuietHours
    | ChannelSubscribe
    | ChannelUnsubscribe
    | SourceAdd
    | SourceList
    | SourceRemove
    | AdminSeed
    | AdminStats
    | AdminReconcile
)

ADMIN_COMMANDS = (AdminSeed, AdminStats, AdminReconcile, ChannelSubscribe, ChannelUnsubscribe)
