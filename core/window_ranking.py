"""Ranking many subscribers against one batch's content window, with array operations.

`WindowRanker.select` gives exactly what `core.ranking.select` gives for the same
candidates (tests/core/test_window_ranking.py checks it), but scores a subscriber's
candidates with NumPy over per-item arrays instead of a Python loop per item, and builds
reasons and messages only for what a digest keeps: the chosen items and the first
near-misses. Candidates are positions in the window, so nothing is materialised per item.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from core.models import AIMetadata, ContentItem
from core.ranking import (
    ALREADY_SENT,
    DISLIKE_PENALTY,
    FAVOURITE_BOOST,
    KEYWORD_MATCH,
    REPEATED,
    SOURCE_BOOST,
    STYLE_LIMITS,
    TOPIC_MATCH,
    Mask,
    PhraseIndex,
    Scored,
    Scorer,
    Selection,
    below_the_cut,
    select,
)

Positions = npt.NDArray[np.intp]
_SENT, _REPEAT, _BELOW = "sent", "repeat", "below"  # why a passing item was still left out


def _round4(values: np.ndarray) -> np.ndarray:
    """round(x, 4) for each value, exactly as Python rounds (scores are compared with the
    threshold after rounding). NumPy scales by 10**4 first, which can tip a value lying
    on a half either way, so those few are rounded by Python."""
    rounded = np.round(values, 4)
    scaled = values * 1e4
    for n in np.flatnonzero(np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6).tolist():
        rounded[n] = round(float(values[n]), 4)
    return rounded


class WindowRanker:
    """A window's items (in a fixed order) as arrays, with term masks cached per phrase."""

    def __init__(self, items: Sequence[ContentItem]) -> None:
        self.index = PhraseIndex(items)
        self.items = self.index.items
        scores = [item.ai_scores for item in self.items]
        self.overall = np.array([s.overall for s in scores], dtype=np.float64)
        self.relevance = np.array([s.relevance for s in scores], dtype=np.float64)
        self.novelty = np.array([s.novelty for s in scores], dtype=np.float64)
        # Negated, as select's sort key: newest first among equal scores.
        self.newest = np.array([-i.published_at.timestamp() for i in self.items], np.float64)
        self._codes: dict[str, int] = {}
        codes = [self._codes.setdefault(i.fingerprint, len(self._codes)) for i in self.items]
        self.fingerprints = np.array(codes, dtype=np.intp)

    def fingerprint_codes(self, fingerprints: Iterable[str]) -> list[int]:
        """The codes of those fingerprints that some item in the window has."""
        return [self._codes[f] for f in fingerprints if f in self._codes]

    def _any(self, masks: Iterable[Mask]) -> Mask | None:
        """Items in any of the masks; None when there are none."""
        found = list(masks)
        if not found:
            return None
        return found[0] if len(found) == 1 else np.logical_or.reduce(found)

    def select(
        self,
        positions: Positions,
        meta: AIMetadata,
        sent_fingerprints: set[str],
        near_misses: int,
    ) -> Selection:
        """select() over the items at these positions, keeping `near_misses` of them."""
        scorer = Scorer(meta, self.index)
        wants = scorer.wants
        if "" in wants.excluded_keywords or any(not t for t, _ in scorer.favourites):
            # An empty first match would count as no match: rare, done item by item.
            chosen = [self.items[p] for p in positions.tolist()]
            full = select(chosen, meta, sent_fingerprints, self.index)
            full.near_misses = full.near_misses[:near_misses]
            return full
        seen = set(sent_fingerprints) - {""}
        score, ok = self._scores(positions, scorer)
        fingerprints = self.fingerprints[positions]
        seen_codes = self.fingerprint_codes(seen)
        repeat = np.isin(fingerprints, seen_codes) if seen_codes else np.zeros_like(ok)
        passing = ok & ~repeat
        # Rejected so far, in candidate order: select's rejected list starts the same way.
        rejected = np.flatnonzero(~passing)
        reasons: list[str | None] = [_SENT if r else None for r in (ok & repeat)[rejected].tolist()]
        rejected_scores = [score[rejected]]
        rejected_at = [positions[rejected]]
        in_order = np.flatnonzero(passing)
        in_order = in_order[np.lexsort((self.newest[positions[in_order]], -score[in_order]))]
        limit = STYLE_LIMITS[meta.personalization.style]
        chosen: list[ContentItem] = []
        walked = 0
        for n in in_order.tolist():  # until the digest is full: a handful of items
            if len(chosen) >= limit:
                break
            walked += 1
            item = self.items[int(positions[n])]
            if item.fingerprint and item.fingerprint in seen:
                reasons.append(_REPEAT)
                rejected_scores.append(score[n : n + 1])
                rejected_at.append(positions[n : n + 1])
            else:
                chosen.append(item)
                seen.add(item.fingerprint)
        chosen_scored = [scorer.score(item) for item in chosen]
        if near_misses <= 0:
            return Selection(chosen=chosen_scored, near_misses=[], considered=len(positions))
        rest = in_order[walked:]  # the digest is full: each is a repeat or ranked below
        rest_repeat = np.isin(fingerprints[rest], self.fingerprint_codes(seen - {""}))
        reasons += [_REPEAT if r else _BELOW for r in rest_repeat.tolist()]
        rejected_scores.append(score[rest])
        rejected_at.append(positions[rest])
        all_scores = np.concatenate(rejected_scores)
        order = np.lexsort((np.arange(len(all_scores)), -all_scores))[:near_misses]
        at = np.concatenate(rejected_at)
        why = {
            _SENT: ALREADY_SENT,
            _REPEAT: REPEATED,
            _BELOW: below_the_cut(limit, meta.personalization.style),
        }
        kept: list[Scored] = []
        for n in order.tolist():
            scored = scorer.score(self.items[int(at[n])])
            reason = reasons[n]
            if reason is not None:
                scored.left_out = why[reason]
            kept.append(scored)
        return Selection(chosen=chosen_scored, near_misses=kept, considered=len(positions))

    def _scores(self, positions: Positions, scorer: Scorer) -> tuple[np.ndarray, Mask]:
        """Each candidate's score and whether it passes the bar, as Scorer.score would."""
        wants, index, weight = scorer.wants, self.index, scorer.weight
        topics = self._any(map(index.phrase, wants.topics))
        keywords = self._any(map(index.phrase, wants.keywords))
        if not wants.topics and not wants.keywords:
            match = self.relevance[positions]
        else:
            match = np.zeros(len(positions), dtype=np.float64)
        if keywords is not None:
            match = np.where(keywords[positions], KEYWORD_MATCH, match)
        if topics is not None:
            match = np.where(topics[positions], TOPIC_MATCH, match)
        score = (1 - weight) * match + weight * self.overall[positions]
        # Added in _learned_adjustment's order, so the sums are bit for bit the same.
        adjustment = np.zeros(len(positions), dtype=np.float64)
        for masks, amount in (
            ([index.topic(lowered) for _, lowered in scorer.favourites], FAVOURITE_BOOST),
            (map(index.topic, scorer.disliked), DISLIKE_PENALTY),
            (map(index.source, scorer.sources), SOURCE_BOOST),
        ):
            mask = self._any(masks)
            if mask is not None:
                adjustment += np.where(mask[positions], amount, 0.0)
        score = _round4(np.clip(score + adjustment, 0.0, 1.0))
        ok = (match != 0.0) & (self.novelty[positions] >= wants.novelty_score_min)
        ok &= score >= wants.relevance_threshold
        excluded = self._any(map(index.phrase, wants.excluded_keywords))
        if excluded is not None:
            ok &= ~excluded[positions]
        return score, ok
