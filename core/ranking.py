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

import heapq
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from core.models import AIMetadata, ContentItem, Style

STYLE_LIMITS: dict[Style, int] = {Style.CONCISE: 5, Style.BALANCED: 8, Style.DETAILED: 12}
TOPIC_MATCH, KEYWORD_MATCH = 1.0, 0.6
FAVOURITE_BOOST, DISLIKE_PENALTY, SOURCE_BOOST = 0.15, -0.25, 0.05


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
    """Which of a fixed set of items mention each phrase, worked out once per phrase, so
    scoring many subscribers against the same items is a set lookup per term rather than
    a regex search per term and item. Items outside the set are matched directly."""

    def __init__(self, items: Iterable[ContentItem]) -> None:
        self._items = list(items)  # held, so their id()s stay theirs while the index lives
        self._texts = {id(item): _item_text(item) for item in self._items}
        self._topics = {id(i): frozenset(t.lower() for t in i.entities.topics) for i in self._items}
        self._hits: dict[str, frozenset[int]] = {}
        # (overall, relevance, novelty, -published timestamp) per item, read once
        self.facts = {
            id(i): (i.ai_scores.overall, i.ai_scores.relevance, i.ai_scores.novelty,
                    -i.published_at.timestamp())
            for i in self._items
        }  # fmt: skip
        self._by_topic: dict[str, set[int]] = {}
        self._by_source: dict[str, set[int]] = {}
        for item in self._items:
            for topic in self._topics[id(item)]:
                self._by_topic.setdefault(topic, set()).add(id(item))
            self._by_source.setdefault(item.source, set()).add(id(item))

    def with_topics(self, lowered: Iterable[str]) -> frozenset[int]:
        """Items with any of these (lowercased) entity topics."""
        return frozenset().union(*(self._by_topic.get(t, ()) for t in lowered))

    def from_sources(self, sources: Iterable[str]) -> frozenset[int]:
        return frozenset().union(*(self._by_source.get(s, ()) for s in sources))

    def covers(self, item: ContentItem) -> bool:
        return id(item) in self._texts

    def covers_all(self, items: Iterable[ContentItem]) -> bool:
        return all(map(self._texts.__contains__, map(id, items)))

    def hits(self, phrase: str) -> frozenset[int]:
        """The id() of every indexed item whose text has the phrase (as _has_phrase)."""
        hits = self._hits.get(phrase)
        if hits is None:
            lowered = phrase.lower()
            pattern = re.compile(rf"(?<!\w){re.escape(lowered)}(?!\w)")
            texts = self._texts.items()
            hits = frozenset(k for k, text in texts if lowered in text and pattern.search(text))
            self._hits[phrase] = hits
        return hits

    def topics(self, item: ContentItem) -> frozenset[str]:
        return self._topics[id(item)]


class _Scorer:
    """score_item for one subscriber, with their settings read once for many items."""

    def __init__(self, meta: AIMetadata, index: PhraseIndex | None) -> None:
        self.meta, self.index = meta, index
        wants = self.wants = meta.refined_requests
        phrases = {*wants.excluded_keywords, *wants.topics, *wants.keywords}
        self.hits = {p: index.hits(p) for p in phrases} if index is not None else {}
        learned = meta.learned_preferences
        self.favourites = [(t, t.lower()) for t in learned.engagement_history.favorite_topics]
        self.disliked = [t.lower() for t in learned.engagement_history.disliked_topics]
        self.sources = learned.preferred_sources
        self.weight = meta.personalization.ai_scoring_weight

    def score(self, item: ContentItem) -> Scored:
        wants = self.wants
        if self.index is not None and self.index.covers(item):
            key, hits = id(item), self.hits
            excluded = next((k for k in wants.excluded_keywords if key in hits[k]), None)
            topics = [t for t in wants.topics if key in hits[t]]
            keywords = [k for k in wants.keywords if key in hits[k]]
            item_topics = self.index.topics(item)
        else:
            text = _item_text(item)
            excluded = next((k for k in wants.excluded_keywords if _has_phrase(text, k)), None)
            topics = [t for t in wants.topics if _has_phrase(text, t)]
            keywords = [k for k in wants.keywords if _has_phrase(text, k)]
            item_topics = frozenset(t.lower() for t in item.entities.topics)
        reasons = [f"matches your topic '{t}'" for t in topics[:2]]
        reasons += [f"mentions '{k}'" for k in keywords[:2] if not topics]
        if topics:
            match = TOPIC_MATCH
        elif keywords:
            match = KEYWORD_MATCH
        elif not wants.topics and not wants.keywords:
            match = item.ai_scores.relevance
            reasons.append("highly rated overall (you have no topics yet)")
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

    def passes(self, item: ContentItem) -> tuple[float, bool]:
        """(score, left_out is None) exactly as score() would give them, cheaper: no
        reasons or messages. Only for items the index covers."""
        assert self.index is not None
        wants, key, hits = self.wants, id(item), self.hits
        excluded = next((k for k in wants.excluded_keywords if key in hits[k]), None)
        scores = item.ai_scores
        if any(key in hits[t] for t in wants.topics):
            match = TOPIC_MATCH
        elif any(key in hits[k] for k in wants.keywords):
            match = KEYWORD_MATCH
        elif not wants.topics and not wants.keywords:
            match = scores.relevance
        else:
            match = 0.0
        weight = self.weight
        score = (1 - weight) * match + weight * scores.overall
        score += self._learned_adjustment(item, self.index.topics(item), None)
        score = round(min(1.0, max(0.0, score)), 4)
        ok = not excluded and match != 0.0 and scores.novelty >= wants.novelty_score_min
        return score, ok and score >= wants.relevance_threshold

    def fast_passes(self) -> Callable[[ContentItem], tuple[float, bool]] | None:
        """passes() with the subscriber's term hits, favourite and disliked topics and
        preferred sources each merged into one set of items; None when that cannot be
        done exactly."""
        wants, index = self.wants, self.index
        assert index is not None
        if "" in wants.excluded_keywords or any(not t for t, _ in self.favourites):
            return None  # an empty first match would count as no match: rare, done slowly
        favoured = index.with_topics(lowered for _, lowered in self.favourites)
        disliked = index.with_topics(self.disliked)
        preferred = index.from_sources(self.sources)
        learned = bool(favoured or disliked or preferred)
        empty: frozenset[int] = frozenset()
        topics = empty.union(*(self.hits[t] for t in wants.topics))
        keywords = empty.union(*(self.hits[k] for k in wants.keywords))
        excluded = empty.union(*(self.hits[k] for k in wants.excluded_keywords))
        no_terms = not wants.topics and not wants.keywords
        weight = self.weight
        rest = 1 - weight
        novelty, threshold = wants.novelty_score_min, wants.relevance_threshold

        facts = index.facts

        def passes(item: ContentItem) -> tuple[float, bool]:
            key = id(item)
            overall, relevance, item_novelty, _ = facts[key]
            if key in topics:
                match = TOPIC_MATCH
            elif key in keywords:
                match = KEYWORD_MATCH
            elif no_terms:
                match = relevance
            else:
                match = 0.0
            adjustment = 0.0  # as _learned_adjustment, added in the same order
            if learned:
                if key in favoured:
                    adjustment += FAVOURITE_BOOST
                if key in disliked:
                    adjustment += DISLIKE_PENALTY
                if key in preferred:
                    adjustment += SOURCE_BOOST
            score = rest * match + weight * overall
            score = round(min(1.0, max(0.0, score + adjustment)), 4)
            ok = key not in excluded and match != 0.0 and item_novelty >= novelty
            return score, ok and score >= threshold

        return passes

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
    return _Scorer(meta, index).score(item)


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
    near_misses: int | None = None,
) -> Selection:
    """Rank candidates and keep the top N for the subscriber's style; never pad with items
    under the bar, never repeat a story (same fingerprint) already sent or chosen.
    `index` (a PhraseIndex over the candidates) only makes it faster; `near_misses` keeps
    only that many near-misses (the first ones of the full list), also faster."""
    seen = set(sent_fingerprints) - {""}
    scorer = _Scorer(meta, index)
    if near_misses is not None and index is not None:
        return _select_few(list(candidates), meta, seen, scorer, near_misses)
    passing: list[Scored] = []
    rejected: list[Scored] = []
    considered = 0
    for item in candidates:
        considered += 1
        scored = scorer.score(item)
        if scored.left_out is None and item.fingerprint in seen:
            scored.left_out = "same story as one you already have"
        (rejected if scored.left_out else passing).append(scored)
    passing.sort(key=lambda s: (-s.score, -s.item.published_at.timestamp()))
    limit = STYLE_LIMITS[meta.personalization.style]
    chosen: list[Scored] = []
    for scored in passing:
        fingerprint = scored.item.fingerprint
        if fingerprint and fingerprint in seen:
            scored.left_out = "same story as another item in this digest"
            rejected.append(scored)
        elif len(chosen) >= limit:
            style = meta.personalization.style.value
            scored.left_out = f"ranked below the top {limit} your {style} style keeps"
            rejected.append(scored)
        else:
            chosen.append(scored)
            seen.add(scored.item.fingerprint)
    rejected.sort(key=lambda s: -s.score)
    return Selection(chosen=chosen, near_misses=rejected, considered=considered)


_SENT, _REPEAT, _BELOW = "sent", "repeat", "below"  # why a passing item was still left out


def _select_few(
    candidates: list[ContentItem], meta: AIMetadata, seen: set[str], scorer: _Scorer, keep: int
) -> Selection:
    """select() with only `keep` near-misses: items are first scored without reasons, and
    only the chosen and the kept near-misses are scored in full (with the same result)."""
    assert scorer.index is not None
    covers = scorer.index.covers
    # (score, position in select's rejected list, item, why a passing item was left out)
    rejected: list[tuple[float, int, ContentItem, str | None]] = []
    passing: list[tuple[float, ContentItem]] = []
    fast = scorer.fast_passes() if scorer.index.covers_all(candidates) else None
    for item in candidates:
        if fast is not None:
            score, ok = fast(item)
        elif covers(item):
            score, ok = scorer.passes(item)
        else:
            full = scorer.score(item)
            score, ok = full.score, full.left_out is None
        if ok and item.fingerprint in seen:
            rejected.append((score, len(rejected), item, _SENT))
        elif ok:
            passing.append((score, item))
        else:
            rejected.append((score, len(rejected), item, None))
    passing.sort(key=lambda p: (-p[0], -p[1].published_at.timestamp()))
    limit = STYLE_LIMITS[meta.personalization.style]
    chosen: list[Scored] = []
    for score, item in passing:
        if item.fingerprint and item.fingerprint in seen:
            rejected.append((score, len(rejected), item, _REPEAT))
        elif len(chosen) >= limit:
            rejected.append((score, len(rejected), item, _BELOW))
        else:
            chosen.append(scorer.score(item))
            seen.add(item.fingerprint)
    style = meta.personalization.style.value
    why = {
        _SENT: "same story as one you already have",
        _REPEAT: "same story as another item in this digest",
        _BELOW: f"ranked below the top {limit} your {style} style keeps",
    }
    kept: list[Scored] = []
    for _, _, item, reason in heapq.nsmallest(keep, rejected, key=lambda r: (-r[0], r[1])):
        scored = scorer.score(item)
        if reason is not None:
            scored.left_out = why[reason]
        kept.append(scored)
    return Selection(chosen=chosen, near_misses=kept, considered=len(candidates))
