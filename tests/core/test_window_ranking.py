"""WindowRanker.select gives what select gives for the same candidates (items, order,
scores, reasons, near-misses and why each was left out), only faster."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np

from core.mockdata import mock_content, mock_subscribers
from core.models import AIMetadata, LearnedPreferences, Style
from core.pipeline import CANDIDATE_LIMIT
from core.ranking import Scored, Scorer, Selection, select
from core.window_ranking import _KEPT_SCORES, WindowRanker, _round4
from tests.core.test_ranking_index import _tricky

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _flat(scored: list[Scored]) -> list[tuple[object, ...]]:
    return [(s.item.id, s.score, s.reasons, s.left_out) for s in scored]


def _same(got: Selection, expected: Selection, keep: int) -> None:
    assert _flat(got.chosen) == _flat(expected.chosen)
    assert _flat(got.near_misses) == _flat(expected.near_misses[:keep])
    assert got.considered == expected.considered


def _check(ranker: WindowRanker, positions: list[int], meta: AIMetadata, sent: set[str]) -> None:
    candidates = [ranker.items[p] for p in positions]
    expected = select(candidates, meta, sent)
    for keep in (0, 3, 10, 1000):
        got = ranker.select(np.array(positions, dtype=np.intp), meta, sent, keep)
        _same(got, expected, keep)


def test_tricky_terms_learned_preferences_and_repeats() -> None:
    items, metas = _tricky()
    ranker = WindowRanker(items)
    everything = list(range(len(items)))
    for meta in metas:
        for sent in (set(), {"fp1", ""}, {"fp3", "fp4", "gone"}):
            _check(ranker, everything, meta, sent)
            _check(ranker, everything[::-1], meta, sent)
            _check(ranker, [4, 1, 2], meta, sent)
            _check(ranker, [], meta, sent)
        meta.learned_preferences = LearnedPreferences()
        _check(ranker, everything, meta, set())


def test_empty_excluded_keywords_and_favourites_take_the_careful_path() -> None:
    items, metas = _tricky()
    ranker = WindowRanker(items)
    meta = metas[0]
    meta.refined_requests.excluded_keywords = ["", "tricks"]
    meta.learned_preferences.engagement_history.favorite_topics = ["", "robotics"]
    _check(ranker, list(range(len(items))), meta, set())


def test_mock_profiles_and_content_with_every_style_and_repeated_stories() -> None:
    items = mock_content(400, seed=11, now=NOW)
    rng = random.Random(5)
    for n, item in enumerate(items, 1):
        item.id = n
        item.fingerprint = f"story-{rng.randrange(300)}" if n % 3 else ""
        item.published_at = NOW - timedelta(hours=rng.randrange(5))  # ties on time
    ranker = WindowRanker(items)
    for subscriber in mock_subscribers(60, seed=12):
        meta = subscriber.ai_metadata
        meta.personalization.style = rng.choice(list(Style))
        meta.refined_requests.relevance_threshold = rng.choice([0.0, 0.2, 0.5])
        meta.refined_requests.novelty_score_min = rng.choice([0.0, 0.3])
        positions = rng.sample(range(len(items)), rng.randrange(1, len(items)))
        sent = {items[p].fingerprint for p in rng.sample(range(len(items)), 20)}
        _check(ranker, positions, meta, sent)
        _check(ranker, positions, meta, set())


def test_scores_round_exactly_as_python_rounds() -> None:
    rng = random.Random(5)
    averaged = [0.5 * round(rng.random(), 4) + 0.5 * round(rng.random(), 4) for _ in range(50_000)]
    halves = [(2 * k + 1) / 20_000 for k in range(10_000)]  # 0.03125 lies exactly on one
    values = [rng.random() for _ in range(50_000)] + averaged + halves + [0.0, 1.0]
    assert _round4(np.array(values)).tolist() == [round(v, 4) for v in values]


def test_equal_profiles_share_scores_and_reasons_and_any_difference_is_its_own() -> None:
    """A ranker keeps scores and reasons per profile: a subscriber differing from an earlier
    one in any field that scoring reads gets their own, as select would give them."""
    items = mock_content(300, seed=21, now=NOW)
    for n, item in enumerate(items, 1):
        item.id = n
    ranker = WindowRanker(items)
    positions = list(range(0, 300, 2))
    base = mock_subscribers(1, seed=22)[0].ai_metadata
    base.refined_requests.relevance_threshold = 0.3
    candidates = [items[p] for p in positions]
    picked = select(candidates, base, set())
    top = picked.chosen[0].item
    variations = {
        "topics": lambda m: m.refined_requests.topics.pop(0),
        "keywords": lambda m: m.refined_requests.topics.clear(),  # keywords alone match
        "excluded": lambda m: m.refined_requests.excluded_keywords.append(top.title.split()[0]),
        "threshold": lambda m: setattr(m.refined_requests, "relevance_threshold", 0.9),
        "novelty": lambda m: setattr(m.refined_requests, "novelty_score_min", 0.8),
        "favourite": lambda m: setattr(
            m.learned_preferences.engagement_history, "favorite_topics",
            [top.entities.topics[0]] if top.entities.topics else ["none"]),
        "disliked": lambda m: setattr(
            m.learned_preferences.engagement_history, "disliked_topics",
            [t for i in candidates for t in i.entities.topics][:3]),
        "source": lambda m: setattr(m.learned_preferences, "preferred_sources", [top.source]),
        "weight": lambda m: setattr(m.personalization, "ai_scoring_weight", 0.9),
    }  # fmt: skip
    _check(ranker, positions, base, set())
    for name, change in variations.items():
        meta = base.model_copy(deep=True)
        change(meta)
        expected = select(candidates, meta, set())
        assert _flat(expected.chosen) != _flat(picked.chosen), name  # a real difference
        _check(ranker, positions, meta, set())
        _check(ranker, positions, base, {top.fingerprint})  # and the base is still its own


def test_kept_scores_stay_bounded_when_every_profile_differs() -> None:
    """Each kept score holds its candidates' positions and arrays (~9-13 KB at 500):
    a batch of all-different profiles must not grow a worker without bound."""
    items = mock_content(50, seed=31, now=NOW)
    for n, item in enumerate(items, 1):
        item.id = n
    ranker = WindowRanker(items)
    meta = mock_subscribers(1, seed=32)[0].ai_metadata
    positions = np.arange(len(items), dtype=np.intp)
    for n in range(_KEPT_SCORES + 50):
        meta.personalization.ai_scoring_weight = n / (_KEPT_SCORES + 50)
        ranker.select(positions, meta, set(), 0)
        assert len(ranker._scored) <= _KEPT_SCORES
    _check(ranker, list(range(len(items))), meta, set())  # and still exact after clearing
    # At a full candidate list, all the kept scores together stay within a worker's means.
    full = np.arange(CANDIDATE_LIMIT, dtype=np.intp)
    score, ok = WindowRanker(mock_content(CANDIDATE_LIMIT, seed=33, now=NOW))._scores(
        full, Scorer(meta, None)
    )
    # Positions as the key and as the order (at most all of them pass), scores, the bar.
    assert _KEPT_SCORES * (2 * full.nbytes + score.nbytes + ok.nbytes) < 32_000_000
