"""Scoring a new item once, for everyone, with no external AI service.

The formula (docs/ranking.md; `/digest why` shows it):

    credibility = the source's standing: a known publisher's rating (core.topics.SOURCES),
                  0.5 for an unknown feed
    quality     = 0.5 × credibility + 0.5 × completeness
                  completeness = 0.4 abstract of 200+ characters + 0.3 authors + 0.3 a date
    novelty     = 1 - the highest title+summary word overlap (Jaccard) with the last 300 items
    relevance   = min(1, 0.3 + 0.2 × research topics it covers)   (for people with no topics yet)
    overall     = 0.30 relevance + 0.25 quality + 0.25 credibility + 0.20 novelty

Per-subscriber relevance is core.ranking.score_item's topic/keyword match; storage
pre-ranks candidates with PostgreSQL full-text search (ts_rank_cd) over the same terms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from core.fingerprint import STOPWORDS, fingerprint
from core.models import AIScores, ContentItem, Entities, RefinedRequests
from core.topics import topics_in

_QUOTES_AND_DASHES = re.compile(r'["\-]')

WEIGHTS: dict[str, float] = {
    "relevance": 0.30,
    "quality": 0.25,
    "credibility": 0.25,
    "novelty": 0.20,
}
NOVELTY_WINDOW = 300
# Two titles sharing this share of their words tell the same story (merged on ingest).
DUPLICATE_TITLE_SIMILARITY = 0.8
MIN_TITLE_WORDS = 4  # shorter titles ("Weekly notes") are too generic to merge on
_WORD = re.compile(r"[a-z0-9][a-z0-9\-]*[a-z0-9]|[a-z0-9]")
_STOPWORDS = STOPWORDS | {"this", "that", "we", "our", "be", "can", "new", "paper"}

FORMULA_LINES = [
    "• Each new item is scored once, for everyone, when it is fetched:",
    "  credibility = its source's standing (known publishers rated, unknown feeds 0.50);",
    "  quality = 0.5 × credibility + 0.5 × completeness (abstract, authors, date);",
    f"  novelty = 1 − its highest word overlap with the last {NOVELTY_WINDOW} items;",
    "  overall = 0.30 relevance + 0.25 quality + 0.25 credibility + 0.20 novelty.",
    "  Your topics and keywords pre-rank candidates with full-text search, then match as above.",
]


@dataclass
class FeedEntry:
    """One entry as a feed parser read it, before it becomes a content item."""

    title: str
    url: str
    summary: str = ""
    published_at: datetime | None = None
    authors: list[str] = field(default_factory=list)
    arxiv_ids: list[str] = field(default_factory=list)
    content_type: str = "article"

    @property
    def arxiv_id(self) -> str | None:
        """The paper this entry is (or is about): its own id, or the only one it cites."""
        if "arxiv.org/abs/" in self.url:
            return self.url.rsplit("/", 1)[-1]
        return self.arxiv_ids[0] if len(self.arxiv_ids) == 1 else None


@dataclass(frozen=True)
class Recent:
    """A recently stored item, as novelty and near-duplicate checks see it."""

    id: int
    title_tokens: frozenset[str]
    tokens: frozenset[str]
    fingerprint: str = ""
    arxiv_id: str | None = None


def tokens(text: str) -> frozenset[str]:
    """Significant lowercase words (no stopwords, no one-letter words)."""
    words = _WORD.findall(text.lower())
    return frozenset(w for w in words if len(w) > 1 and w not in _STOPWORDS)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two word sets, 0..1."""
    if not a or not b:
        return 0.0
    shared = len(a & b) if len(a) <= len(b) else len(b & a)
    return shared / (len(a) + len(b) - shared)


def recent_of(item_id: int, title: str, summary: str, arxiv_id: str | None = None) -> Recent:
    return Recent(
        id=item_id,
        title_tokens=tokens(title),
        tokens=tokens(f"{title} {summary}"),
        fingerprint=fingerprint(title),
        arxiv_id=arxiv_id,
    )


def novelty(words: frozenset[str], recent: Iterable[Recent]) -> float:
    """1 - the highest overlap with any recent item (1.0 when there is nothing to compare)."""
    highest = max((similarity(words, r.tokens) for r in recent), default=0.0)
    return round(1.0 - highest, 4)


def near_duplicate(entry: FeedEntry, recent: Sequence[Recent]) -> int | None:
    """The id of a recent item telling the same story: the same arXiv paper, the same
    title fingerprint, or titles sharing 80% of their words."""
    arxiv_id, title_fp = entry.arxiv_id, fingerprint(entry.title)
    title_words = tokens(entry.title)
    for other in recent:
        if arxiv_id and other.arxiv_id == arxiv_id:
            return other.id
        if other.fingerprint and other.fingerprint == title_fp:
            return other.id
    if len(title_words) < MIN_TITLE_WORDS:
        return None
    best = max(recent, key=lambda r: similarity(title_words, r.title_tokens), default=None)
    if best and similarity(title_words, best.title_tokens) >= DUPLICATE_TITLE_SIMILARITY:
        return best.id
    return None


def completeness(entry: FeedEntry) -> float:
    score = 0.4 if len(entry.summary) >= 200 else 0.2 if entry.summary else 0.0
    score += 0.3 if entry.authors else 0.0
    score += 0.3 if entry.published_at else 0.0
    return round(score, 4)


def score_entry(entry: FeedEntry, credibility: float, recent: Sequence[Recent]) -> AIScores:
    """The item's own scores (the formula in the module docstring)."""
    topics = topics_in(f"{entry.title} {entry.summary}")
    relevance = min(1.0, 0.3 + 0.2 * len(topics))
    quality = 0.5 * credibility + 0.5 * completeness(entry)
    new = novelty(tokens(f"{entry.title} {entry.summary}"), recent[:NOVELTY_WINDOW])
    parts = {"relevance": relevance, "quality": quality, "credibility": credibility, "novelty": new}
    overall = sum(WEIGHTS[name] * value for name, value in parts.items())
    return AIScores(
        relevance=round(relevance, 4),
        quality=round(quality, 4),
        novelty=new,
        credibility=round(credibility, 4),
        engagement_prediction=0.5,  # unknown until readers engage with it
        overall=round(min(1.0, overall), 4),
    )


def to_item(
    entry: FeedEntry, source: str, credibility: float, recent: Sequence[Recent], now: datetime
) -> ContentItem:
    """A scored content item for a new entry (undated or future-dated entries get `now`)."""
    published = entry.published_at if entry.published_at and entry.published_at <= now else now
    return ContentItem(
        title=entry.title[:500],
        summary=entry.summary[:4000],
        url=entry.url,
        source=source,
        content_type=entry.content_type,
        published_at=published,
        ai_scores=score_entry(entry, credibility, recent),
        entities=Entities(
            topics=topics_in(f"{entry.title} {entry.summary}"), people=entry.authors[:20]
        ),
        fingerprint=fingerprint(entry.title),
    )


def search_phrases(wants: RefinedRequests) -> tuple[str, ...]:
    """The subscriber's topics and keywords as full-text phrases, each once, in order: a
    subscriber's text rank is that of any of them (storage ranks them one at a time)."""
    return _phrases((*wants.topics, *wants.keywords))


@lru_cache(maxsize=4096)
def _phrases(terms: tuple[str, ...]) -> tuple[str, ...]:
    # Kept: a batch asks twice per subscriber, and subscribers share topic lists. Quotes
    # and dashes would end or negate a phrase in websearch_to_tsquery's syntax.
    cleaned = (_QUOTES_AND_DASHES.sub(" ", t).strip() for t in terms)
    return tuple(dict.fromkeys(t for t in cleaned if t))
