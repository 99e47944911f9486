"""core.scoring: each new item's own scores, novelty, near-duplicates, search terms."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.models import RefinedRequests
from core.scoring import (
    WEIGHTS,
    FeedEntry,
    near_duplicate,
    novelty,
    recent_of,
    score_entry,
    search_phrases,
    to_item,
    tokens,
)

NOW = datetime(2025, 1, 15, 12, tzinfo=UTC)
PAPER = FeedEntry(
    title="Neural Decoders for Surface Codes on Superconducting Qubits",
    url="https://arxiv.org/abs/2501.00002",
    summary="Decoding is the classical bottleneck of quantum error correction. " * 4,
    published_at=NOW,
    authors=["Carol Decoder"],
    arxiv_ids=["2501.00002"],
    content_type="paper",
)


def test_the_overall_score_is_the_documented_weighted_mean() -> None:
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)
    scores = score_entry(PAPER, credibility=0.7, recent=[])
    # One research topic (quantum computing): relevance 0.3 + 0.2; complete: quality 0.85.
    assert (scores.relevance, scores.quality, scores.novelty) == (0.5, 0.85, 1.0)
    expected = 0.30 * 0.5 + 0.25 * 0.85 + 0.25 * 0.7 + 0.20 * 1.0
    assert scores.overall == pytest.approx(expected, abs=1e-4)


def test_credibility_and_completeness_raise_quality() -> None:
    bare = FeedEntry(title=PAPER.title, url="https://blog.example/x")
    assert score_entry(bare, 0.5, []).quality < score_entry(PAPER, 0.5, []).quality
    assert score_entry(PAPER, 0.9, []).quality > score_entry(PAPER, 0.5, []).quality


def test_novelty_falls_as_an_item_resembles_recent_ones() -> None:
    words = tokens(f"{PAPER.title} {PAPER.summary}")
    same = recent_of(1, PAPER.title, PAPER.summary)
    unrelated = recent_of(2, "Monsoon rainfall ensembles", "Regional climate models disagree")
    assert novelty(words, []) == 1.0
    assert novelty(words, [unrelated]) > 0.9
    assert novelty(words, [unrelated, same]) == 0.0


def test_near_duplicates_by_arxiv_id_fingerprint_or_title_overlap() -> None:
    paper = recent_of(7, PAPER.title, PAPER.summary, "2501.00002")
    blog = FeedEntry(title="What we learned", url="https://lab.example/p", arxiv_ids=["2501.00002"])
    assert near_duplicate(blog, [paper]) == 7
    reordered = FeedEntry(
        title="Surface codes: neural decoders on superconducting qubits!",
        url="https://news.example/x",
    )
    assert near_duplicate(reordered, [recent_of(8, PAPER.title, "")]) == 8
    close = FeedEntry(
        title="Neural decoders for surface codes on superconducting qubits, explained",
        url="https://lab.example/q",
    )
    assert near_duplicate(close, [recent_of(9, PAPER.title, "")]) == 9
    roundup = FeedEntry(
        title="Five papers", url="https://x.example/r", arxiv_ids=["2501.00002", "2501.00003"]
    )
    assert near_duplicate(roundup, [paper]) is None  # cites two papers: it is neither
    other = FeedEntry(title="Benchmarking qubit readout fidelity", url="https://x.example/b")
    assert near_duplicate(other, [paper]) is None


def test_to_item_tags_topics_and_never_dates_into_the_future() -> None:
    future = FeedEntry(
        title="Quantum advantage in 2030",
        url="https://x.example/f",
        published_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    item = to_item(future, "Lab", 0.5, [], NOW)
    assert item.published_at == NOW and item.source == "Lab"
    assert item.entities.topics == ["quantum computing"]
    assert to_item(PAPER, "arXiv quant-ph", 0.7, [], NOW).entities.people == ["Carol Decoder"]


def test_search_phrases_are_the_topics_and_keywords_each_once() -> None:
    wants = RefinedRequests(
        topics=["quantum computing"], keywords=["surface code", 'say "hi"', "quantum computing"]
    )
    assert search_phrases(wants) == ("quantum computing", "surface code", "say  hi")
    assert search_phrases(RefinedRequests(keywords=['"', "-"])) == ()
