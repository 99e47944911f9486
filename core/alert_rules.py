"""When a new content item is worth an immediate alert, and when it may be sent.

An item alerts a subscriber who opted in when its overall AI score reaches their alert
bar (`/digest alerts on MIN`), it matches one of their topics, and it mentions nothing
they excluded or 👎'd. During their quiet hours it is held until the window ends."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.models import AIMetadata, ContentItem
from core.schedule import local_slot

_QUIET = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase.lower())}(?!\w)", text) is not None


def alert_topic(item: ContentItem, meta: AIMetadata) -> str | None:
    """The subscriber's topic this item matches when it clears their alert bar, else None."""
    settings, wants = meta.alerts, meta.refined_requests
    if not settings.enabled or item.ai_scores.overall < settings.min_score:
        return None
    item_topics = {t.lower() for t in item.entities.topics}
    text = " ".join([item.title, item.summary, *item.entities.topics]).lower()
    if any(_mentions(text, word) for word in wants.excluded_keywords):
        return None
    disliked = meta.learned_preferences.engagement_history.disliked_topics
    if any(t.lower() in item_topics for t in disliked):
        return None
    return next((t for t in wants.topics if t.lower() in item_topics or _mentions(text, t)), None)


def quiet_until(quiet_hours: str | None, timezone: str, now: datetime) -> datetime | None:
    """When the quiet window holding `now` ends, or None when `now` is not quiet.

    `quiet_hours` is "HH:MM-HH:MM" in the subscriber's zone and may wrap past midnight."""
    match = _QUIET.match(quiet_hours or "")
    if match is None:
        return None
    start_at, end_at = (_clock(match.group(n)) for n in (1, 2))
    if start_at == end_at:
        return None
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    for day in (today - timedelta(days=1), today):
        end_day = day if end_at > start_at else day + timedelta(days=1)
        start, end = local_slot(day, start_at, zone), local_slot(end_day, end_at, zone)
        if start <= now < end:
            return end
    return None


def _clock(text: str) -> str:
    hour, minute = (int(part) for part in text.split(":"))
    return f"{hour:02d}:{minute:02d}"


def local_day(timezone: str, now: datetime) -> str:
    """The subscriber's calendar day (YYYY-MM-DD), for "at most N a day"."""
    return now.astimezone(ZoneInfo(timezone)).date().isoformat()
