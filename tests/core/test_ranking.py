"""Ranking: the documented formula, thresholds, exclusions, style limits and near-duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.fingerprint import fingerprint
from core.models import AIMetadata, AIScores, ContentItem, Entities, Style
from core.ranking import STYLE_LIMITS, score_item, select

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def item(n: int, title: str, topics: list[str], overall: float = 0.8, **extra) -> ContentItem:
    return ContentItem(
        id=n,
        title=title,
        summary=extra.pop("summary", ""),
        url=f"https://example.org/{n}",
        source=extra.pop("source", "arXiv"),
        published_at=NOW - timedelta(hours=n),
        ai_scores=AIScores(overall=overall, novelty=extra.pop("novelty", 0.5)),
        entities=Entities(topics=topics),
        fingerprint=fingerprint(title),
    )


def meta(**wants) -> AIMetadata:
    data = AIMetadata()
    for key, value in wants.items():
        setattr(data.refined_requests, key, value)
    return data


def test_topic_match_uses_the_documented_formula() -> None:
    m = meta(topics=["natural language processing"])
    scored = score_item(item(1, "Parsing", ["natural language processing"], overall=0.6), m)
    assert scored.score == pytest.approx(0.5 * 1.0 + 0.5 * 0.6)
    assert scored.reasons == ["matches your topic 'natural language processing'"]
    keyword = score_item(item(2, "A transformer", [], overall=0.6), meta(keywords=["transformer"]))
    assert keyword.score == pytest.approx(0.5 * 0.6 + 0.5 * 0.6)
    assert keyword.reasons == ["mentions 'transformer'"]


def test_left_out_reasons() -> None:
    m = meta(topics=["robotics"], excluded_keywords=["crypto"], novelty_score_min=0.3)
    assert score_item(item(1, "Crypto robots", ["robotics"]), m).left_out == (
        "mentions excluded keyword 'crypto'"
    )
    assert score_item(item(2, "Cells", ["genomics"]), m).left_out == (
        "matches none of your topics or keywords"
    )
    stale = score_item(item(3, "Robots again", ["robotics"], novelty=0.1), m)
    assert stale.left_out == "novelty 0.10 is under your minimum 0.30"
    low = score_item(
        item(4, "Robots", ["robotics"], overall=0.0),
        meta(topics=["robotics"], relevance_threshold=0.9),
    )
    assert low.left_out == "score 0.50 is under your threshold 0.90"


def test_learned_preferences_lift_favourites_and_sink_dislikes() -> None:
    m = meta(topics=["robotics", "computer vision"])
    m.learned_preferences.engagement_history.favorite_topics = ["robotics"]
    m.learned_preferences.engagement_history.disliked_topics = ["computer vision"]
    liked = score_item(item(1, "Robots", ["robotics"]), m)
    disliked = score_item(item(2, "Images", ["computer vision"]), m)
    assert liked.score > disliked.score
    assert "'robotics' is a favourite of yours" in liked.reasons


def test_select_keeps_top_n_for_style_without_padding_or_repeats() -> None:
    m = meta(topics=["robotics"], relevance_threshold=0.5)
    m.personalization.style = Style.CONCISE
    items = [item(n, f"Robot paper number {n}", ["robotics"]) for n in range(1, 9)]
    duplicate = item(20, "robot paper NUMBER 1!", ["robotics"], source="a blog")
    off_topic = item(21, "Genome assembly", ["genomics"])
    picked = select(
        [*items, duplicate, off_topic], m, sent_fingerprints={fingerprint("Robot paper number 2")}
    )
    titles = [s.item.title for s in picked.chosen]
    assert len(titles) == STYLE_LIMITS[Style.CONCISE] == 5
    assert "Robot paper number 2" not in titles  # already sent
    assert sum("number 1" in t.lower() for t in titles) == 1  # same story from two sources
    reasons = {s.item.title: s.left_out for s in picked.near_misses}
    assert reasons["Genome assembly"] == "matches none of your topics or keywords"
    assert reasons["Robot paper number 2"] == "same story as one you already have"
    assert any("ranked below the top 5" in (r or "") for r in reasons.values())


def test_nothing_above_the_bar_means_an_empty_selection() -> None:
    m = meta(topics=["robotics"], relevance_threshold=0.99)
    picked = select([item(1, "Robots", ["robotics"], overall=0.1)], m, set())
    assert picked.chosen == [] and picked.considered == 1
