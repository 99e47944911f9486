"""The domain vocabulary of DESIGN.md as validated pydantic models."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator

NAMED_SLOTS: dict[str, str] = {
    "morning": "08:00",
    "midday": "12:00",
    "afternoon": "15:00",
    "evening": "18:00",
    "night": "21:00",
}
MAX_PROMPT_LENGTH = 500
MAX_PROMPTS = 10
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    BIWEEKLY = "bi-weekly"
    MONTHLY = "monthly"

    @classmethod
    def parse(cls, text: str) -> Frequency:
        word = text.strip().lower()
        aliases = {"biweekly": "bi-weekly", "fortnightly": "bi-weekly", "day": "daily"}
        try:
            return cls(aliases.get(word, word))
        except ValueError:
            choices = ", ".join(f.value for f in cls)
            raise ValueError(f"unknown frequency '{text}' (choose {choices})") from None


class Weekday(StrEnum):
    MONDAY = "Monday"
    TUESDAY = "Tuesday"
    WEDNESDAY = "Wednesday"
    THURSDAY = "Thursday"
    FRIDAY = "Friday"
    SATURDAY = "Saturday"
    SUNDAY = "Sunday"

    @property
    def index(self) -> int:
        return _WEEKDAY_INDEX[self]

    @classmethod
    def parse(cls, text: str) -> Weekday:
        day = _WEEKDAY_NAMES.get(text.strip().lower())
        if day is None:
            raise ValueError(f"unknown day '{text}' (use Monday..Sunday or Mon..Sun)")
        return day


# Looked up, not searched: every subscriber read and every slot computed asks.
_WEEKDAY_INDEX = {day: n for n, day in enumerate(Weekday)}
_WEEKDAY_NAMES = {name: day for day in Weekday for name in (day.lower(), day.lower()[:3])}


class DispatchType(StrEnum):
    SLACK = "slack"
    DISCORD = "discord"
    EMAIL = "email"
    CONSOLE = "console"


class SubscriberStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    UNSUBSCRIBED = "unsubscribed"


class Style(StrEnum):
    CONCISE = "concise"
    BALANCED = "balanced"
    DETAILED = "detailed"


class Tone(StrEnum):
    FORMAL = "formal"
    CASUAL = "casual"
    TECHNICAL = "technical"


class Summarization(StrEnum):
    BULLET_POINTS = "bullet-points"
    PARAGRAPH = "paragraph"
    MIXED = "mixed"


@lru_cache(maxsize=1024)  # every subscriber read validates theirs
def validate_timezone(name: str) -> str:
    """Return the canonical IANA name or raise ValueError naming the bad zone."""
    cleaned = name.strip()
    if cleaned.upper() == "UTC":
        return "UTC"
    try:
        ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        hint = _closest_zone(cleaned)
        suggestion = f"; did you mean {hint}?" if hint else ""
        raise ValueError(
            f"unknown timezone '{name}' (use an IANA name like Europe/London{suggestion})"
        ) from None
    return cleaned


def _closest_zone(name: str) -> str | None:
    wanted = name.lower().replace(" ", "_")
    for zone in sorted(available_timezones()):
        if zone.lower() == wanted or zone.lower().endswith("/" + wanted):
            return zone
    return None


def validate_time_of_day(text: str) -> str:
    """Accept HH:MM (24 h) or a named slot; return it normalised."""
    word = text.strip().lower()
    if word in NAMED_SLOTS:
        return word
    match = _HHMM.match(word)
    if not match:
        slots = ", ".join(NAMED_SLOTS)
        raise ValueError(f"bad time '{text}' (use HH:MM in 24 h, or one of {slots})")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


class FrequencySettings(BaseModel):
    model_config = ConfigDict(use_enum_values=False)

    type: Frequency = Frequency.DAILY
    time_of_day: str = "morning"
    timezone: str = "UTC"
    preferred_days: list[Weekday] = Field(default_factory=list)
    day_of_month: int = Field(default=1, ge=1, le=31)
    # Bi-weekly digests fall on weeks an even number of weeks from this date.
    anchor_date: date | None = None

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return validate_timezone(value)

    @field_validator("time_of_day")
    @classmethod
    def _time(cls, value: str) -> str:
        return validate_time_of_day(value)

    @field_validator("preferred_days", mode="before")
    @classmethod
    def _days(cls, value: object) -> object:
        if isinstance(value, list):
            parsed = [Weekday.parse(v) if isinstance(v, str) else v for v in value]
            return sorted(set(parsed), key=lambda d: d.index)
        return value

    @property
    def clock_time(self) -> str:
        return NAMED_SLOTS.get(self.time_of_day, self.time_of_day)


class RefinedRequests(BaseModel):
    topics: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    excluded_keywords: list[str] = Field(default_factory=list)
    research_areas: list[str] = Field(default_factory=list)
    content_types: list[str] = Field(default_factory=lambda: ["paper", "article"])
    relevance_threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    novelty_score_min: float = Field(default=0.0, ge=0.0, le=1.0)


class EngagementHistory(BaseModel):
    avg_open_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    avg_click_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    favorite_topics: list[str] = Field(default_factory=list)
    disliked_topics: list[str] = Field(default_factory=list)
    # Filled by the engagement roll-up (core.learning), shown by /digest why.
    topic_weights: dict[str, float] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)  # events per kind it learned from
    learned_at: datetime | None = None


class LearnedPreferences(BaseModel):
    preferred_sources: list[str] = Field(default_factory=list)
    reading_level: str = "expert"
    content_length: str = "medium"
    engagement_history: EngagementHistory = Field(default_factory=EngagementHistory)


class Personalization(BaseModel):
    enabled: bool = True
    style: Style = Style.BALANCED
    tone: Tone = Tone.FORMAL
    summarization: Summarization = Summarization.BULLET_POINTS
    ai_scoring_weight: float = Field(default=0.5, ge=0.0, le=1.0)


class AlertSettings(BaseModel):
    enabled: bool = False
    min_score: float = Field(default=0.85, ge=0.0, le=1.0)
    max_per_day: int = Field(default=3, ge=1, le=50)
    quiet_hours: str | None = None  # "HH:MM-HH:MM" in the subscriber's timezone


class AIMetadata(BaseModel):
    prompts: list[str] = Field(default_factory=list)
    refined_requests: RefinedRequests = Field(default_factory=RefinedRequests)
    learned_preferences: LearnedPreferences = Field(default_factory=LearnedPreferences)
    personalization: Personalization = Field(default_factory=Personalization)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    # When nothing clears the bar: "note" sends a one-line note, "silent" sends nothing.
    empty_digest: str = "note"


class Subscriber(BaseModel):
    id: int | None = None
    name: str
    email: str | None = None
    dispatch_type: DispatchType = DispatchType.CONSOLE
    platform: str = "console"
    platform_user_id: str
    slack_team_id: str | None = None
    status: SubscriberStatus = SubscriberStatus.ACTIVE
    frequency: Frequency = Frequency.DAILY
    frequency_settings: FrequencySettings = Field(default_factory=FrequencySettings)
    ai_metadata: AIMetadata = Field(default_factory=AIMetadata)
    paused_until: datetime | None = None
    last_digest_at: datetime | None = None
    next_due_at: datetime | None = None
    last_outcome: str | None = None
    created_at: datetime | None = None


class AIScores(BaseModel):
    relevance: float = Field(default=0.5, ge=0.0, le=1.0)
    quality: float = Field(default=0.5, ge=0.0, le=1.0)
    novelty: float = Field(default=0.5, ge=0.0, le=1.0)
    credibility: float = Field(default=0.5, ge=0.0, le=1.0)
    engagement_prediction: float = Field(default=0.5, ge=0.0, le=1.0)
    overall: float = Field(default=0.5, ge=0.0, le=1.0)


class Entities(BaseModel):
    topics: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)
    organizations: list[str] = Field(default_factory=list)
    technologies: list[str] = Field(default_factory=list)


class ContentItem(BaseModel):
    id: int | None = None
    title: str
    summary: str = ""
    url: str
    source: str
    content_type: str = "paper"
    published_at: datetime
    ai_scores: AIScores = Field(default_factory=AIScores)
    entities: Entities = Field(default_factory=Entities)
    fingerprint: str = ""


class DigestItem(BaseModel):
    item: ContentItem
    score: float
    rank: int
    reasons: list[str]


class NearMiss(BaseModel):
    item: ContentItem
    score: float
    why_left_out: str


class Digest(BaseModel):
    subscriber_id: int | None
    recipient_name: str
    generated_at: datetime
    period_key: str
    items: list[DigestItem] = Field(default_factory=list)
    near_misses: list[NearMiss] = Field(default_factory=list)
    considered: int = 0
    personalization: Personalization = Field(default_factory=Personalization)
    # Set once the ledger reserved the publication, so tracked links can name it.
    publication_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.items


class Channel(BaseModel):
    """A Slack/Discord channel or an email list subscribed to a team digest."""

    id: int | None = None
    platform: str  # slack | discord | email
    platform_channel_id: str
    team_id: str | None = None
    name: str
    created_by: str  # the admin's platform user id
    status: SubscriberStatus = SubscriberStatus.ACTIVE
    frequency: Frequency = Frequency.WEEKLY
    frequency_settings: FrequencySettings = Field(
        default_factory=lambda: FrequencySettings(type=Frequency.WEEKLY)
    )
    ai_metadata: AIMetadata = Field(default_factory=AIMetadata)
    last_digest_at: datetime | None = None
    next_due_at: datetime | None = None
    created_at: datetime | None = None
