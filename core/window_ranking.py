"""Ranking many subscribers against one batch's content window, with array operations.

`WindowRanker.select` gives exactly what `core.ranking.select` gives for the same
candidates (tests/core/test_window_ranking.py checks it), but scores a subscriber's
candidates with NumPy over per-item arrays instead of a Python loop per item, and builds
reasons and messages only for what a digest keeps: the chosen items and the first
near-misses. Candidates are positions in the window, so nothing is materialised per item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cache, partial

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
# Entries a ranker keeps before starting afresh. A kept score is ~9-13 KB (its
# candidates' positions as the key, the scores, the bar and the passing ones' order):
# 2,000 of them, ~18-26 MB, hold a batch where every profile differs; a reason list is
# a few hundred bytes.
_KEPT_SCORES, _KEPT_REASONS = 2_000, 20_000


def _profile(meta: AIMetadata) -> tuple[object, ...]:
    """Everything of a subscriber's that their scores, bars and reasons depend on:
    subscribers with equal profiles (a team's preset, say) share them over the same
    candidates."""
    wants, learned = meta.refined_requests, meta.learned_preferences
    history = learned.engagement_history
    return (
        tuple(wants.topics), tuple(wants.keywords), tuple(wants.excluded_keywords),
        wants.relevance_threshold, wants.novelty_score_min,
        tuple(history.favorite_topics), tuple(history.disliked_topics),
        tuple(learned.preferred_sources), meta.personalization.ai_scoring_weight,
    )  # fmt: skip


def _round4(values: np.ndarray) -> np.ndarray:
    """round(x, 4) for each x in [0, 1], exactly as Python rounds: the decimal nearest
    the double's exact value (scores are compared with the threshold after rounding).
    np.round scales by 10**4 first, and that product's rounding can tip a value lying
    near a half either way; scores often lie there (two 4-place values averaged). So the
    product's lost part is recovered exactly (Dekker's product: 10**4 needs no split)
    and decides which side of the half the value is on."""
    scaled = values * 1e4
    split = values * 134217729.0  # 2**27 + 1
    high = split - (split - values)
    lost = (high * 1e4 - scaled) + (values - high) * 1e4  # exact: values * 1e4 - scaled
    below = np.floor(scaled)
    past_half = scaled - (below + 0.5)  # exact where it matters, near the half
    on_half = past_half == 0
    up = (past_half > 0) | (on_half & (lost > 0))
    tie = on_half & (lost == 0)
    if tie.any():  # a double exactly on a half (0.03125): Python rounds to an even digit
        up |= tie & (np.fmod(below, 2.0) == 1.0)
    return (below + up) / 1e4


class WindowRanker:
    """A window's items (in a fixed order) as arrays, with term masks cached per phrase."""

    def __init__(self, items: Sequence[ContentItem]) -> None:
        self.index = PhraseIndex(items)
        self.items = self.index.items
        scores = [item.ai_scores for item in self.items]
        self.overall = np.array([s.overall for s in scores], dtype=np.float64)
        self.relevance = np.array([s.relevance for s in scores], dtype=np.float64)
        self.novelty = np.array([s.novelty for s in scores], dtype=np.float64)
        # Each item's place newest first (equal times share one): select's tie-break, so
        # that score and recency sort as one integer key.
        newest = np.array([-i.published_at.timestamp() for i in self.items], np.float64)
        self.newest_rank = np.unique(newest, return_inverse=True)[1].astype(np.int64)
        self._codes: dict[str, int] = {}
        codes = [self._codes.setdefault(i.fingerprint, len(self._codes)) for i in self.items]
        self.fingerprints = np.array(codes, dtype=np.intp)
        # Scores over the same candidates, and an item's reasons, per profile (_profile).
        self._scored: dict[
            tuple[bytes, tuple[object, ...]], tuple[np.ndarray, Mask, Positions]
        ] = {}
        self._reasons: dict[tuple[tuple[object, ...], int], list[str]] = {}

    def fingerprint_codes(self, fingerprints: Iterable[str]) -> list[int]:
        """The codes of those fingerprints that some item in the window has."""
        return [self._codes[f] for f in fingerprints if f in self._codes]

    @staticmethod
    def _any(masks: Iterable[Mask], positions: Positions) -> Mask | None:
        """Which candidates (at these positions) are in any of the masks; None when there
        are no masks. Each mask is cut to the candidates first: they are far fewer."""
        found: Mask | None = None
        for mask in masks:
            found = mask[positions] if found is None else found | mask[positions]
        return found

    def select(
        self,
        positions: Positions,
        meta: AIMetadata,
        sent_fingerprints: set[str],
        near_misses: int,
    ) -> Selection:
        """select() over the items at these positions, keeping `near_misses` of them."""
        wants = meta.refined_requests
        favourites = meta.learned_preferences.engagement_history.favorite_topics
        if "" in wants.excluded_keywords or "" in favourites:
            # An empty first match would count as no match: rare, done item by item.
            chosen = [self.items[p] for p in positions.tolist()]
            full = select(chosen, meta, sent_fingerprints, self.index)
            full.near_misses = full.near_misses[:near_misses]
            return full
        # Made on first use: a subscriber whose scores and reasons were all kept needs none.
        scorer: Callable[[], Scorer] = cache(partial(Scorer, meta, self.index))
        profile = _profile(meta)
        seen = set(sent_fingerprints) - {""}
        score, ok, in_order = self._kept_scores(positions, profile, scorer)
        seen_codes = self.fingerprint_codes(seen)
        repeat = np.isin(self.fingerprints[positions], seen_codes) if seen_codes else None
        passing = ok
        if repeat is not None and repeat.any():  # rare: a batch's candidates exclude sent items
            passing = ok & ~repeat
            in_order = self._in_rank_order(score, positions, passing)
        limit = STYLE_LIMITS[meta.personalization.style]
        chosen: list[tuple[int, ContentItem]] = []
        items = self.items
        for n in in_order.tolist():  # until the digest is full: a handful of items
            if len(chosen) >= limit:
                break
            item = items[positions[n]]
            if not item.fingerprint or item.fingerprint not in seen:
                chosen.append((n, item))
                seen.add(item.fingerprint)
        chosen_scored = [
            Scored(item, float(score[n]), self._kept_reasons(profile, int(positions[n]), scorer))
            for n, item in chosen
        ]
        if near_misses <= 0:
            return Selection(chosen=chosen_scored, near_misses=[], considered=len(positions))
        # Left out, in select's order: first what failed a bar or was sent before (in
        # candidate order), then every other passing item (in rank order), which repeats
        # a chosen story or ranked below the cut.
        failed = np.flatnonzero(~passing)
        passed = in_order[~np.isin(in_order, [n for n, _ in chosen])]
        fingerprints = self.fingerprints[positions]
        passed_repeat = np.isin(fingerprints[passed], self.fingerprint_codes(seen - {""}))
        sent = (ok & repeat)[failed].tolist() if repeat is not None else [False] * len(failed)
        reasons = [_SENT if r else None for r in sent]
        reasons += [_REPEAT if r else _BELOW for r in passed_repeat.tolist()]
        left_out = np.concatenate((failed, passed))
        order = np.argsort(-score[left_out], kind="stable")[:near_misses]
        why = {
            _SENT: ALREADY_SENT,
            _REPEAT: REPEATED,
            _BELOW: below_the_cut(limit, meta.personalization.style),
        }
        kept: list[Scored] = []
        for n in order.tolist():
            scored = scorer().score(items[positions[left_out[n]]])
            reason = reasons[n]
            if reason is not None:
                scored.left_out = why[reason]
            kept.append(scored)
        return Selection(chosen=chosen_scored, near_misses=kept, considered=len(positions))

    def _kept_scores(
        self, positions: Positions, profile: tuple[object, ...], scorer: Callable[[], Scorer]
    ) -> tuple[np.ndarray, Mask, Positions]:
        """_scores, and the passing candidates in rank order, kept per (candidates,
        profile), as read-only arrays."""
        key = (positions.tobytes(), profile)
        kept = self._scored.get(key)
        if kept is None:
            if len(self._scored) >= _KEPT_SCORES:
                self._scored.clear()
            score, ok = self._scores(positions, scorer())
            kept = self._scored[key] = (score, ok, self._in_rank_order(score, positions, ok))
            for shared in kept:
                shared.flags.writeable = False  # other subscribers will read these
        return kept

    def _in_rank_order(self, score: np.ndarray, positions: Positions, passing: Mask) -> Positions:
        """The passing candidates (indexes into positions), highest score then newest."""
        in_order = np.flatnonzero(passing)
        key = self._sort_key(score[in_order], positions[in_order])
        return in_order[np.argsort(key, kind="stable")]

    def _kept_reasons(
        self, profile: tuple[object, ...], position: int, scorer: Callable[[], Scorer]
    ) -> list[str]:
        """Scorer.reasons for the item at this position, kept per profile (a copy each)."""
        key = (profile, position)
        kept = self._reasons.get(key)
        if kept is None:
            if len(self._reasons) >= _KEPT_REASONS:
                self._reasons.clear()
            kept = self._reasons[key] = scorer().reasons(self.items[position])
        return list(kept)

    def _sort_key(self, score: np.ndarray, positions: Positions) -> npt.NDArray[np.int64]:
        """select's order, highest score then newest, as one integer per candidate (ties
        keep candidate order with a stable sort)."""
        points = np.rint(score * 1e4).astype(np.int64)  # scores have 4 decimal places
        return -points * len(self.items) + self.newest_rank[positions]

    def _scores(self, positions: Positions, scorer: Scorer) -> tuple[np.ndarray, Mask]:
        """Each candidate's score and whether it passes the bar, as Scorer.score would."""
        wants, index, weight = scorer.wants, self.index, scorer.weight
        topics = self._any(map(index.phrase, wants.topics), positions)
        keywords = self._any(map(index.phrase, wants.keywords), positions)
        if not wants.topics and not wants.keywords:
            match = self.relevance[positions]
        else:
            match = np.zeros(len(positions), dtype=np.float64)
        if keywords is not None:
            match[keywords] = KEYWORD_MATCH
        if topics is not None:
            match[topics] = TOPIC_MATCH
        score = (1 - weight) * match + weight * self.overall[positions]
        # Added in _learned_adjustment's order, so the sums are bit for bit the same.
        adjustment = np.zeros(len(positions), dtype=np.float64)
        for masks, amount in (
            ([index.topic(lowered) for _, lowered in scorer.favourites], FAVOURITE_BOOST),
            (map(index.topic, scorer.disliked), DISLIKE_PENALTY),
            (map(index.source, scorer.sources), SOURCE_BOOST),
        ):
            mask = self._any(masks, positions)
            if mask is not None:
                adjustment[mask] += amount
        score = _round4(np.clip(score + adjustment, 0.0, 1.0))
        ok = (match != 0.0) & (self.novelty[positions] >= wants.novelty_score_min)
        ok &= score >= wants.relevance_threshold
        excluded = self._any(map(index.phrase, wants.excluded_keywords), positions)
        if excluded is not None:
            ok &= ~excluded
        return score, ok
