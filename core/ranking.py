"""Scoring content against one subscriber's interests, and picking their digest.

The formula (also shown by `/digest why` and in docs/ranking.md):

    match   = 1.0 when one of your topics matches, 0.6 when only keywords match,
              0 otherwise (or the item's own AI relevance when you have no topics yet)
    base    = (1 - w) * match + w * ai_overall        w = personalization.ai_scoring_weight
    learned = +0.15 favourite topic, -0.25 disliked topic, +0.05 preferred source
    score   = clamp(base + learned, 0, 1)

An item is left out when it mentions an excluded keyword, matches nothing you asked for,
is less novel than novelty_score_min, scores under relevance_threshold, repeats a story you
already got, or falls beyond the top N your style keeps (concise 5, balanced 8, detailed 12).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from core.models import AIMetadata, ContentItem, Style

Mask = npt.NDArray[np.bool_]

STYLE_LIMITS: dict[Style, int] = {Style.CONCISE: 5, Style.BALANCED: 8, Style.DETAILED: 12}
TOPIC_MATCH, KEYWORD_MATCH = 1.0, 0.6
FAVOURITE_BOOST, DISLIKE_PENALTY, SOURCE_BOOST = 0.15, -0.25, 0.05
# Why an item that passed every bar was still left out.
ALREADY_SENT = "same story as one you already have"
REPEATED = "same story as another item in this digest"


def below_the_cut(limit: int, style: Style) -> str:
    return f"ranked below the top {limit} your {style.value} style keeps"


@dataclass
class Scored:
    item: ContentItem
    score: float
    reasons: list[str] = field(default_factory=list)
    left_out: str | None = None


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase.lower())}(?!\w)", text) is not None


def _item_text(item: ContentItem) -> str:
    entities = item.entities
    parts = [item.title, item.summary, *entities.topics, *entities.technologies]
    return " ".join(parts).lower()


class PhraseIndex:
    """Which of a fixed list of items mention each phrase (or have an entity topic, or
    come from a source), worked out once per phrase as a mask over the items' positions,
    so scoring many subscribers against the same items is a lookup per term rather than a
    regex search per term and item. Items outside the list are matched directly."""

    def __init__(self, items: Iterable[ContentItem]) -> None:
        self.items = list(items)  # held, so their id()s stay theirs while the index lives
        self._position = {id(item): n for n, item in enumerate(self.items)}
        self._texts = [_item_text(item) for item in self.items]
        self._topics = [frozenset(t.lower() for t in i.entities.topics) for i in self.items]
        self._masks: dict[tuple[str, str], Mask] = {}
        self._by_topic: dict[str, list[int]] = {}  # positions per entity topic, and source
        self._by_source: dict[str, list[int]] = {}
        for n, (item, topics) in enumerate(zip(self.items, self._topics, strict=True)):
            for topic in topics:
                self._by_topic.setdefault(topic, []).append(n)
            self._by_source.setdefault(item.source, []).append(n)

    def position(self, item: ContentItem) -> int | None:
        return self._position.get(id(item))

    def phrase(self, phrase: str) -> Mask:
        """Items whose text has the phrase (as _has_phrase)."""
        mask = self._masks.get(("phrase", phrase))
        if mask is None:
            lowered = phrase.lower()
            pattern = re.compile(rf"(?<!\w){re.escape(lowered)}(?!\w)")
            found = (bool(lowered in text and pattern.search(text)) for text in self._texts)
            mask = self._masks["phrase", phrase] = np.fromiter(found, np.bool_, len(self._texts))
        return mask

    def topic(self, lowered: str) -> Mask:
        """Items with this (lowercased) entity topic."""
        return self._marked("topic", lowered, self._by_topic.get(lowered, []))

    def source(self, source: str) -> Mask:
        return self._marked("source", source, self._by_source.get(source, []))

    def _marked(self, kind: str, key: str, positions: list[int]) -> Mask:
        mask = self._masks.get((kind, key))
        if mask is None:
            mask = self._masks[kind, key] = np.zeros(len(self.items), dtype=np.bool_)
            mask[positions] = True
        return mask

    def topics(self, position: int) -> frozenset[str]:
        return self._topics[position]


# (the first excluded keyword mentioned, topics matched, keywords matched, entity topics)
_Matches = tuple[str | None, list[str], list[str], frozenset[str]]


class Scorer:
    """score_item for one subscriber, with their settings read once for many items."""

    def __init__(self, meta: AIMetadata, index: PhraseIndex | None) -> None:
        self.meta, self.index = meta, index
        wants = self.wants = meta.refined_requests
        phrases = {*wants.excluded_keywords, *wants.topics, *wants.keywords}
        self.hits = {p: index.phrase(p) for p in phrases} if index is not None else {}
        learned = meta.learned_preferences
        self.favourites = [(t, t.lower()) for t in learned.engagement_history.favorite_topics]
        self.disliked = [t.lower() for t in learned.engagement_history.disliked_topics]
        self.sources = learned.preferred_sources
        self.weight = meta.personalization.ai_scoring_weight

    def _matches(self, item: ContentItem) -> _Matches:
        wants = self.wants
        at = self.index.position(item) if self.index is not None else None
        if self.index is not None and at is not None:
            hits = self.hits
            excluded = next((k for k in wants.excluded_keywords if hits[k][at]), None)
            topics = [t for t in wants.topics if hits[t][at]]
            keywords = [k for k in wants.keywords if hits[k][at]]
            return excluded, topics, keywords, self.index.topics(at)
        text = _item_text(item)
        excluded = next((k for k in wants.excluded_keywords if _has_phrase(text, k)), None)
        topics = [t for t in wants.topics if _has_phrase(text, t)]
        keywords = [k for k in wants.keywords if _has_phrase(text, k)]
        return excluded, topics, keywords, frozenset(t.lower() for t in item.entities.topics)

    def _match_reasons(self, topics: list[str], keywords: list[str]) -> list[str]:
        reasons = [f"matches your topic '{t}'" for t in topics[:2]]
        reasons += [f"mentions '{k}'" for k in keywords[:2] if not topics]
        if not topics and not keywords and not self.wants.topics and not self.wants.keywords:
            reasons.append("highly rated overall (you have no topics yet)")
        return reasons

    def reasons(self, item: ContentItem) -> list[str]:
        """score(item).reasons, without working out the score."""
        _, topics, keywords, item_topics = self._matches(item)
        reasons = self._match_reasons(topics, keywords)
        self._learned_adjustment(item, item_topics, reasons)
        return reasons

    def score(self, item: ContentItem) -> Scored:
        wants = self.wants
        excluded, topics, keywords, item_topics = self._matches(item)
        reasons = self._match_reasons(topics, keywords)
        if topics:
            match = TOPIC_MATCH
        elif keywords:
            match = KEYWORD_MATCH
        elif not wants.topics and not wants.keywords:
            match = item.ai_scores.relevance
        else:
            match = 0.0
        weight = self.weight
        score = (1 - weight) * match + weight * item.ai_scores.overall
        score += self._learned_adjustment(item, item_topics, reasons)
        score = round(min(1.0, max(0.0, score)), 4)
        scored = Scored(item=item, score=score, reasons=reasons)
        if excluded:
            scored.left_out = f"mentions excluded keyword '{excluded}'"
        elif match == 0.0:
            scored.left_out = "matches none of your topics or keywords"
        elif item.ai_scores.novelty < wants.novelty_score_min:
            scored.left_out = (
                f"novelty {item.ai_scores.novelty:.2f} is under your minimum "
                f"{wants.novelty_score_min:.2f}"
            )
        elif score < wants.relevance_threshold:
            scored.left_out = (
                f"score {score:.2f} is under your threshold {wants.relevance_threshold:.2f}"
            )
        return scored

    def _learned_adjustment(
        self, item: ContentItem, item_topics: frozenset[str], reasons: list[str] | None
    ) -> float:
        adjustment = 0.0
        favourite = next((t for t, lowered in self.favourites if lowered in item_topics), None)
        if favourite:
            adjustment += FAVOURITE_BOOST
            if reasons is not None:
                reasons.append(f"'{favourite}' is a favourite of yours")
        if any(lowered in item_topics for lowered in self.disliked):
            adjustment += DISLIKE_PENALTY
        if item.source in self.sources:
            adjustment += SOURCE_BOOST
            if reasons is not None:
                reasons.append(f"from {item.source}, a source you prefer")
        return adjustment


def score_item(item: ContentItem, meta: AIMetadata, index: PhraseIndex | None = None) -> Scored:
    """Score one item for one subscriber; `left_out` says why it would not be sent.
    `index` (optional) only makes term matching faster."""
    return Scorer(meta, index).score(item)


@dataclass
class Selection:
    chosen: list[Scored]
    near_misses: list[Scored]
    considered: int


def select(
    candidates: Iterable[ContentItem],
    meta: AIMetadata,
    sent_fingerprints: set[str],
    index: PhraseIndex | None = None,
) -> Selection:
    """Rank candidates and keep the top N for the subscriber's style; never pad with items
    under the bar, never repeat a story (same fingerprint) already sent or chosen.
    `index` (a PhraseIndex over the candidates) only makes term matching faster;
    core.window_ranking does the same for a whole batch, faster still."""
    seen = set(sent_fingerprints) - {""}
    scorer = Scorer(meta, index)
    passing: list[Scored] = []
    rejected: list[Scored] = []
    considered = 0
    for item in candidates:
        considered += 1
        scored = scorer.score(item)
        if scored.left_out is None and item.fingerprint in seen:
            scored.left_out = ALREADY_SENT
        (rejected if scored.left_out else passing).append(scored)
    passing.sort(key=lambda s: (-s.score, -s.item.published_at.timestamp()))
    limit = STYLE_LIMITS[meta.personalization.style]
    chosen: list[Scored] = []
    for scored in passing:
        fingerprint = scored.item.fingerprint
        if fingerprint and fingerprint in seen:
            scored.left_out = REPEATED
            rejected.append(scored)
        elif len(chosen) >= limit:
            scored.left_out = below_the_cut(limit, meta.personalization.style)
            rejected.append(scored)
        else:
            chosen.append(scored)
            seen.add(scored.item.fingerprint)
    rejected.sort(key=lambda s: -s.score)
    return Selection(chosen=chosen, near_misses=rejected, considered=considered)
