"""Which items alert whom, and when quiet hours hold them back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.alert_rules import alert_topic, local_day, quiet_until
from core.models import AIMetadata, AIScores, ContentItem, Entities

NLP = "natural language processing"


def _item(overall: float, *topics: str, title: str = "A result") -> ContentItem:
    return ContentItem(
        title=title, url="https://x.example/1", source="arXiv",
        published_at=datetime(2024, 1, 1, tzinfo=UTC), ai_scores=AIScores(overall=overall),
        entities=Entities(topics=list(topics)),
    )  # fmt: skip


def _meta(**alerts: object) -> AIMetadata:
    return AIMetadata.model_validate(
        {"refined_requests": {"topics": [NLP], "excluded_keywords": ["crypto"]},
         "alerts": {"enabled": True, "min_score": 0.8, **alerts}}
    )  # fmt: skip


def test_an_item_alerts_only_over_the_bar_on_a_topic_and_nothing_excluded() -> None:
    assert alert_topic(_item(0.85, NLP), _meta()) == NLP
    assert alert_topic(_item(0.79, NLP), _meta()) is None  # under the bar
    assert alert_topic(_item(0.95, "robotics"), _meta()) is None  # not their topic
    assert alert_topic(_item(0.95, NLP, title="Crypto and LLMs"), _meta()) is None
    assert alert_topic(_item(0.95, NLP), _meta(enabled=False)) is None
    disliked = _meta()
    disliked.learned_preferences.engagement_history.disliked_topics = ["robotics"]
    assert alert_topic(_item(0.95, NLP, "robotics"), disliked) is None


@pytest.mark.parametrize(
    ("quiet", "now", "until"),
    [
        (
            "22:00-07:00",
            datetime(2024, 1, 10, 23, 30, tzinfo=UTC),
            datetime(2024, 1, 11, 7, 0, tzinfo=UTC),
        ),
        (
            "22:00-07:00",
            datetime(2024, 1, 11, 6, 59, tzinfo=UTC),
            datetime(2024, 1, 11, 7, 0, tzinfo=UTC),
        ),
        ("22:00-07:00", datetime(2024, 1, 11, 7, 0, tzinfo=UTC), None),
        (
            "12:00-13:00",
            datetime(2024, 1, 11, 12, 30, tzinfo=UTC),
            datetime(2024, 1, 11, 13, 0, tzinfo=UTC),
        ),
        ("12:00-13:00", datetime(2024, 1, 11, 11, 0, tzinfo=UTC), None),
        (None, datetime(2024, 1, 11, 12, 30, tzinfo=UTC), None),
    ],
)
def test_quiet_hours_hold_until_the_window_ends(
    quiet: str | None, now: datetime, until: datetime | None
) -> None:
    assert quiet_until(quiet, "UTC", now) == until


def test_quiet_hours_are_in_the_subscribers_zone() -> None:
    # 05:00 UTC is 00:00 in New York (winter): inside 22:00-07:00 there, ending 12:00 UTC.
    held = quiet_until("22:00-07:00", "America/New_York", datetime(2024, 1, 11, 5, tzinfo=UTC))
    assert held is not None and held.astimezone(UTC) == datetime(2024, 1, 11, 12, tzinfo=UTC)
    assert local_day("Asia/Tokyo", datetime(2024, 1, 11, 20, tzinfo=UTC)) == "2024-01-12"
