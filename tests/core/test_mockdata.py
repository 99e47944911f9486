"""core.mockdata and core.topics: deterministic, valid, overlapping mock data."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.mockdata import SCORE_WEIGHTS, mock_content, mock_subscribers
from core.models import ContentItem, DispatchType, Subscriber
from core.topics import SOURCES, TOPICS, topics_in

NOW = datetime(2024, 5, 6, 12, 0, tzinfo=UTC)


def test_same_seed_same_data_and_other_seeds_differ() -> None:
    people = [s.model_dump() for s in mock_subscribers(20, seed=3)]
    assert people == [s.model_dump() for s in mock_subscribers(20, seed=3)]
    assert people != [s.model_dump() for s in mock_subscribers(20, seed=4)]
    items = [c.model_dump() for c in mock_content(50, seed=3, now=NOW)]
    assert items == [c.model_dump() for c in mock_content(50, seed=3, now=NOW)]
    assert items != [c.model_dump() for c in mock_content(50, seed=4, now=NOW)]


def test_global_random_state_is_left_alone() -> None:
    random.seed(99)
    expected = random.random()
    random.seed(99)
    mock_subscribers(5, seed=1)
    mock_content(5, seed=1, now=NOW)
    assert random.random() == expected


def test_subscribers_follow_the_design_structures() -> None:
    people = mock_subscribers(30, seed=11)
    assert {p.dispatch_type for p in people} == {
        DispatchType.SLACK,
        DispatchType.DISCORD,
        DispatchType.EMAIL,
    }
    assert len({p.email for p in people}) == len({p.platform_user_id for p in people}) == 30
    for i, p in enumerate(people):
        assert Subscriber.model_validate(p.model_dump()) == p
        assert p.platform == "mock" and p.platform_user_id == f"mock-11-{i}"
        assert p.email and re.fullmatch(r"[a-z.]+\.11\.\d+@example\.(com|org)", p.email)
        assert (p.slack_team_id is not None) == (p.dispatch_type is DispatchType.SLACK)
        settings = p.frequency_settings
        assert settings.type == p.frequency and ZoneInfo(settings.timezone)
        meta = p.ai_metadata
        assert 1 <= len(meta.prompts) <= 3 and 1 <= len(meta.refined_requests.topics) <= 3
        refined = meta.refined_requests
        assert set(refined.topics) <= set(TOPICS)
        synonyms = {kw for topic in refined.topics for kw in TOPICS[topic]}
        assert refined.keywords and set(refined.keywords) <= synonyms
        assert 0.3 <= refined.relevance_threshold <= 0.7 and refined.novelty_score_min <= 0.4
        assert set(refined.content_types) <= {"paper", "article", "preprint"}
        learned = meta.learned_preferences
        assert set(learned.preferred_sources) <= set(SOURCES)
        history = learned.engagement_history
        assert history.avg_click_rate <= history.avg_open_rate
        assert set(history.favorite_topics) <= set(refined.topics)
        assert 0 <= meta.personalization.ai_scoring_weight <= 1


def test_content_is_valid_recent_and_scored() -> None:
    items = mock_content(50, seed=5, now=NOW)
    assert len({c.url for c in items}) == len({c.fingerprint for c in items}) == 50
    for i, c in enumerate(items):
        assert ContentItem.model_validate(c.model_dump()) == c
        assert c.url == f"https://example.org/papers/5-{i}" and c.source in SOURCES
        assert c.content_type in {"paper", "article", "preprint"}
        assert NOW - timedelta(days=7) <= c.published_at < NOW
        assert 1 <= len(c.entities.topics) <= 3 and set(c.entities.topics) <= set(TOPICS)
        assert c.entities.people and c.entities.organizations and c.entities.technologies
        assert c.entities.topics[0] in topics_in(c.title)
        assert 2 <= len(re.findall(r"[.!?](?:\s|$)", c.summary)) <= 3
        scores = c.ai_scores.model_dump()
        assert all(0 <= v <= 1 and round(v, 3) == v for v in scores.values())
        weighted = sum(scores[k] * w for k, w in SCORE_WEIGHTS.items()) / sum(
            SCORE_WEIGHTS.values()
        )
        assert scores["overall"] == pytest.approx(weighted, abs=0.0011)


def test_interests_and_content_overlap() -> None:
    people = mock_subscribers(20, seed=42)
    topics = [set(c.entities.topics) for c in mock_content(50, seed=42, now=NOW)]
    matched = [
        p for p in people if any(set(p.ai_metadata.refined_requests.topics) & t for t in topics)
    ]
    assert len(matched) >= 0.8 * len(people)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        mock_content(1, seed=1, now=datetime(2024, 5, 6))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Find latest research on NLP", ["natural language processing"]),
        ("Transformers for image segmentation", ["natural language processing", "computer vision"]),
        ("Human-Computer Interaction user studies", ["human-computer interaction"]),
        ("context and texture", []),  # "text" only as a whole word
        ("AI Safety and RL agents", ["reinforcement learning", "ai safety"]),
    ],
)
def test_topics_in_finds_whole_words(text: str, expected: list[str]) -> None:
    assert topics_in(text) == expected


def test_vocabulary_shape() -> None:
    assert len(TOPICS) == 20 and all(len(synonyms) >= 3 for synonyms in TOPICS.values())
    assert all(0 < credibility <= 1 for credibility in SOURCES.values())
    assert {"arXiv", "Nature", "Science", "ACL Anthology", "bioRxiv"} <= set(SOURCES)
