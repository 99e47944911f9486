"""Learning from engagement: what clicks, 👍 and 👎 say about a subscriber's tastes.

Clicks and explicit feedback carry the weight (👍 +2, click +1, 👎 -2 per item, added up
per topic and per source); a topic becomes a favourite at +2 and is avoided at -2.
Opens are reported as a rate but never move a topic or a source: mail clients prefetch
images, so an open alone proves nothing about interest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from core.models import EngagementHistory, LearnedPreferences

WEIGHTS: dict[str, float] = {"click": 1.0, "like": 2.0, "dislike": -2.0}  # opens: none
FAVOURITE_AT, DISLIKED_AT = 2.0, -2.0
MAX_FAVOURITES, MAX_DISLIKED, MAX_SOURCES = 5, 5, 3
FEEDBACK = ("like", "dislike")


@dataclass(frozen=True)
class Signal:
    """One stored engagement event, with the topics and source of its item."""

    kind: str  # open | click | like | dislike
    source: str
    topics: tuple[str, ...] = ()
    item_id: int | None = None


@dataclass(frozen=True)
class Rates:
    delivered: int
    opened: int
    clicked: int

    @staticmethod
    def _share(part: int, whole: int) -> float:
        return round(min(1.0, part / whole), 4) if whole else 0.0

    @property
    def open_rate(self) -> float:
        return self._share(self.opened, self.delivered)

    @property
    def click_rate(self) -> float:
        return self._share(self.clicked, self.delivered)


def _weights(pairs: Iterable[tuple[str, float]]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for name, weight in pairs:
        totals[name] = totals.get(name, 0.0) + weight
    return totals


def topic_weights(signals: Iterable[Signal]) -> dict[str, float]:
    """Net weight per topic over clicks and feedback; opens contribute nothing."""
    return _weights(
        (topic.lower(), WEIGHTS[s.kind]) for s in signals if s.kind in WEIGHTS for topic in s.topics
    )


def source_weights(signals: Iterable[Signal]) -> dict[str, float]:
    return _weights((s.source, WEIGHTS[s.kind]) for s in signals if s.kind in WEIGHTS)


def _top(
    weights: dict[str, float], keep: Callable[[float], bool], limit: int, descending: bool
) -> list[str]:
    sign = -1 if descending else 1
    ranked = sorted(weights.items(), key=lambda kv: (sign * kv[1], kv[0]))
    return [name for name, weight in ranked if keep(weight)][:limit]


def standing(signals: list[Signal]) -> list[Signal]:
    """The signals that count, oldest first: of one item's 👍 and 👎 only the latest
    stands (the buttons let people change their vote); everything else counts as it is."""
    latest = {s.item_id: n for n, s in enumerate(signals) if s.kind in FEEDBACK and s.item_id}
    return [
        s
        for n, s in enumerate(signals)
        if s.kind not in FEEDBACK or not s.item_id or latest[s.item_id] == n
    ]


def learn(
    current: LearnedPreferences, signals: list[Signal], rates: Rates, now: datetime
) -> LearnedPreferences:
    """New learned preferences from everything the subscriber did (oldest first); reading
    level and content length are kept as they are."""
    signals = standing(signals)
    topics = topic_weights(signals)
    sources = source_weights(signals)
    history = EngagementHistory(
        avg_open_rate=rates.open_rate,
        avg_click_rate=rates.click_rate,
        favorite_topics=_top(topics, lambda w: w >= FAVOURITE_AT, MAX_FAVOURITES, True),
        disliked_topics=_top(topics, lambda w: w <= DISLIKED_AT, MAX_DISLIKED, False),
        topic_weights={t: w for t, w in topics.items() if w},
        counts=dict(Counter(s.kind for s in signals)),
        learned_at=now,
    )
    return current.model_copy(
        update={
            "preferred_sources": _top(sources, lambda w: w >= FAVOURITE_AT, MAX_SOURCES, True),
            "engagement_history": history,
        }
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def explain(history: EngagementHistory) -> list[str]:
    """Plain-words lines for `/digest why` on what was learned and how."""
    counts = history.counts
    if not any(counts.get(kind) for kind in WEIGHTS):
        return ["• Nothing learned from you yet: click items and use 👍/👎 to teach me."]
    learned_from = (
        f"{_plural(counts.get('click', 0), 'click')}, {counts.get('like', 0)} 👍 and "
        f"{counts.get('dislike', 0)} 👎"
    )
    lines = [
        f"• Learned from {learned_from}: a 👍 counts +2, a click +1, a 👎 -2 for each topic "
        f"of the item; a topic is a favourite at +{FAVOURITE_AT:g} and avoided at "
        f"{DISLIKED_AT:g}. Opens ({counts.get('open', 0)}) never count."
    ]
    ranked = sorted(history.topic_weights.items(), key=lambda kv: (-kv[1], kv[0]))
    if ranked:
        lines.append("• Topic weights: " + ", ".join(f"{t} {w:+g}" for t, w in ranked[:8]) + ".")
    return lines
