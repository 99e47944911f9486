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


def score_item(item: ContentItem, meta: AIMetadata) -> Scored:
    """Score one item for one subscriber; `left_out` says why it would not be sent."""
    wants = meta.refined_requests
    text = _item_text(item)
    excluded = next((k for k in wants.excluded_keywords if _has_phrase(text, k)), None)
    topics = [t for t in wants.topics if _has_phrase(text, t)]
    keywords = [k for k in wants.keywords if _has_phrase(text, k)]
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
    weight = meta.personalization.ai_scoring_weight
    score = (1 - weight) * match + weight * item.ai_scores.overall
    score += _learned_adjustment(item, meta, reasons)
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


def _learned_adjustment(item: ContentItem, meta: AIMetadata, reasons: list[str]) -> float:
    learned = meta.learned_preferences
    history = learned.engagement_history
    item_topics = {t.lower() for t in item.entities.topics}
    adjustment = 0.0
    favourite = next((t for t in history.favorite_topics if t.lower() in item_topics), None)
    if favourite:
        adjustment += FAVOURITE_BOOST
        reasons.append(f"'{favourite}' is a favourite of yours")
    if any(t.lower() in item_topics for t in history.disliked_topics):
        adjustment += DISLIKE_PENALTY
    if item.source in learned.preferred_sources:
        adjustment += SOURCE_BOOST
        reasons.append(f"from {item.source}, a source you prefer")
    return adjustment


@dataclass
class Selection:
    chosen: list[Scored]
    near_misses: list[Scored]
    considered: int


def select(
    candidates: Iterable[ContentItem], meta: AIMetadata, sent_fingerprints: set[str]
) -> Selection:
    """Rank candidates and keep the top N for the subscriber's style; never pad with items
    under the bar, never repeat a story (same fingerprint) already sent or chosen."""
    seen = set(sent_fingerprints) - {""}
    passing: list[Scored] = []
    rejected: list[Scored] = []
    considered = 0
    for item in candidates:
        considered += 1
        scored = score_item(item, meta)
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
