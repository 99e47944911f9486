"""A PhraseIndex only makes ranking faster: select and score_item give the same result
with and without one, term boundaries and all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.mockdata import mock_content, mock_subscribers
from core.models import AIMetadata, ContentItem, Entities, RefinedRequests
from core.ranking import PhraseIndex, Scored, Selection, score_item, select

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _item(n: int, title: str, topics: list[str], source: str = "arXiv") -> ContentItem:
    return ContentItem(
        id=n,
        title=title,
        summary=f"Summary {n}. Deep Q-Learning, C++ and the world.",
        url=f"https://example.org/{n}",
        source=source,
        published_at=NOW - timedelta(hours=n % 5),  # ties, so order must be stable too
        entities=Entities(topics=topics, technologies=["PyTorch"]),
        fingerprint=f"fp{n % 7}",  # repeated stories
    )


def _tricky() -> tuple[list[ContentItem], list[AIMetadata]]:
    items = [
        _item(1, "Robust RL for robots", ["Robotics"]),
        _item(2, "Worldwide survey", ["Surveys"], source="Nature"),
        _item(3, "AI Safety cases", ["AI safety", "robotics"]),
        _item(4, "pytorch tricks", ["Tooling"]),
        _item(5, "Drug discovery at scale", ["drug discovery"]),
        _item(6, "Nothing relevant", []),
    ]
    metas = []
    for topics, keywords, excluded in [
        (["robotics", "ai safety"], ["rl", "c++"], ["tricks"]),
        ([], ["q-learning", "world"], []),
        ([], [], []),  # no terms yet: AI relevance decides
        (["Drug Discovery"], ["deep q-learning", "orld"], ["nothing"]),
    ]:
        meta = AIMetadata(
            refined_requests=RefinedRequests(
                topics=topics, keywords=keywords, excluded_keywords=excluded,
                relevance_threshold=0.3, novelty_score_min=0.1,
            )
        )  # fmt: skip
        history = meta.learned_preferences.engagement_history
        history.favorite_topics, history.disliked_topics = ["Robotics"], ["surveys"]
        meta.learned_preferences.preferred_sources = ["Nature"]
        metas.append(meta)
    return items, metas


def _flat(scored: list[Scored]) -> list[tuple[object, ...]]:
    return [(s.item.id, s.item.url, s.score, s.reasons, s.left_out) for s in scored]


def _same(a: Selection, b: Selection, near_misses: int | None = None) -> None:
    assert _flat(a.chosen) == _flat(b.chosen)
    assert _flat(a.near_misses) == _flat(b.near_misses[:near_misses])
    assert a.considered == b.considered


def test_select_with_an_index_matches_select_without_on_tricky_terms() -> None:
    items, metas = _tricky()
    index = PhraseIndex(items)
    for meta in metas:
        for sent in (set(), {"fp1", ""}):
            _same(select(items, meta, sent, index), select(items, meta, sent))
        for item in items:
            with_index = score_item(item, meta, index)
            assert _flat([with_index]) == _flat([score_item(item, meta)])


def test_select_with_an_index_matches_on_mock_profiles_and_content() -> None:
    items = mock_content(150, seed=11, now=NOW)
    for n, item in enumerate(items, 1):
        item.id = n
    index = PhraseIndex(items)
    for subscriber in mock_subscribers(40, seed=12):
        meta = subscriber.ai_metadata
        sent = {items[0].fingerprint, "x"}
        everything = select(items, meta, sent)
        _same(select(items, meta, sent, index), everything)


def test_items_outside_the_index_are_matched_directly() -> None:
    items, metas = _tricky()
    index = PhraseIndex(items[:2])  # the rest are not indexed
    for meta in metas:
        _same(select(items, meta, set(), index), select(items, meta, set()))
