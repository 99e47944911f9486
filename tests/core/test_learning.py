"""What engagement teaches: clicks and feedback move topics and sources, opens never do."""

from __future__ import annotations

from datetime import UTC, datetime

from core.learning import Rates, Signal, explain, learn, topic_weights
from core.models import LearnedPreferences

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
NLP, VISION, RL = "natural language processing", "computer vision", "reinforcement learning"


def test_opens_alone_teach_nothing_but_are_reported() -> None:
    signals = [Signal("open", "arXiv", (VISION,)) for _ in range(10)]
    learned = learn(LearnedPreferences(), signals, Rates(delivered=4, opened=3, clicked=0), NOW)
    history = learned.engagement_history
    assert history.favorite_topics == [] and history.topic_weights == {}
    assert learned.preferred_sources == []
    assert history.avg_open_rate == 0.75 and history.counts == {"open": 10}


def test_likes_count_double_clicks_once_and_dislikes_sink() -> None:
    signals = [
        Signal("like", "ACL", (NLP,)),
        Signal("click", "arXiv", (NLP, RL)),
        Signal("click", "arXiv", (RL,)),
        Signal("dislike", "CVPR", (VISION,)),
        Signal("click", "CVPR", (VISION,)),
    ]
    assert topic_weights(signals) == {NLP: 3.0, RL: 2.0, VISION: -1.0}
    learned = learn(LearnedPreferences(reading_level="beginner"), signals, Rates(5, 2, 2), NOW)
    history = learned.engagement_history
    assert history.favorite_topics == [NLP, RL]  # strongest first
    assert history.disliked_topics == []  # -1 is not yet -2
    assert learned.preferred_sources == ["ACL", "arXiv"]  # tied at +2: by name
    assert learned.reading_level == "beginner"  # untouched
    assert history.avg_click_rate == 0.4 and history.learned_at == NOW


def test_rates_never_exceed_one_or_divide_by_zero() -> None:
    assert Rates(delivered=0, opened=3, clicked=1).open_rate == 0.0
    assert Rates(delivered=2, opened=3, clicked=3).click_rate == 1.0


def test_why_says_plainly_what_was_learned() -> None:
    assert "Nothing learned from you yet" in explain(LearnedPreferences().engagement_history)[0]
    signals = [Signal("like", "ACL", (NLP,)), Signal("dislike", "CVPR", (VISION,))]
    history = learn(LearnedPreferences(), signals, Rates(1, 1, 0), NOW).engagement_history
    lines = explain(history)
    assert lines[0].startswith("• Learned from 0 clicks, 1 👍 and 1 👎")
    assert lines[1] == f"• Topic weights: {NLP} +2, {VISION} -2."


def test_a_changed_vote_counts_only_as_its_latest() -> None:
    signals = [
        Signal("like", "ACL", (NLP,), item_id=7),
        Signal("click", "ACL", (NLP,), item_id=7),
        Signal("dislike", "ACL", (NLP,), item_id=7),  # changed their mind
        Signal("like", "ACL", (RL,), item_id=8),
    ]
    history = learn(LearnedPreferences(), signals, Rates(1, 1, 1), NOW).engagement_history
    assert history.topic_weights == {NLP: -1.0, RL: 2.0}
    assert history.counts == {"click": 1, "dislike": 1, "like": 1}
