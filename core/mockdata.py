"""Deterministic mock subscribers and content; both draw topics from core.topics, so they
overlap. Each call seeds its own Faker and Random, so a seed always gives the same data."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from faker import Faker

from core.fingerprint import fingerprint
from core.models import (
    NAMED_SLOTS,
    AIMetadata,
    AIScores,
    ContentItem,
    DispatchType,
    Entities,
    Frequency,
    FrequencySettings,
    Style,
    Subscriber,
    Summarization,
    Tone,
    Weekday,
)
from core.topics import RESEARCH_AREAS, SOURCES, TOPICS

TIMEZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Sao_Paulo", "Europe/London", "Europe/Berlin", "Europe/Paris",
    "Africa/Nairobi", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney",
)  # fmt: skip
PROMPT_FORMS = (
    "Find latest research on {topic}", "What's new in {topic}?",
    "Papers about {keyword} in {topic}", "Keep me posted on {keyword} breakthroughs",
)  # fmt: skip
CONTENT_TYPES = ("paper", "article", "preprint")
PREPRINT_SERVERS = ("arXiv", "bioRxiv")
WEEKLY_KINDS = (Frequency.WEEKLY, Frequency.BIWEEKLY)
DISPATCH = (DispatchType.SLACK, DispatchType.DISCORD, DispatchType.EMAIL)
METHODS = (
    "Contrastive Pretraining", "Sparse Attention", "Diffusion Models", "Bayesian Optimization",
    "Self-Supervised Learning", "Hierarchical Planning", "Graph Transformers",
    "Low-Rank Adaptation", "Active Learning", "Neural Operators", "Meta-Learning",
)  # fmt: skip
TASKS = ("benchmarking", "forecasting", "alignment", "compression", "evaluation", "scaling")
TECHNOLOGIES = (
    "PyTorch", "JAX", "TensorFlow", "CUDA", "Kubernetes", "Rust", "PostgreSQL",
    "Qiskit", "AlphaFold", "Hugging Face Transformers", "Ray", "scikit-learn",
)  # fmt: skip
# Weights for the overall score: relevance and quality matter most.
SCORE_WEIGHTS = {
    "relevance": 0.3, "quality": 0.25, "novelty": 0.15, "credibility": 0.2,
    "engagement_prediction": 0.1,
}  # fmt: skip


def _seeded(seed: int) -> tuple[Faker, random.Random]:
    fake = Faker()
    fake.seed_instance(seed)  # never Faker.seed(): that would reseed every instance
    return fake, random.Random(seed)


def _unit(rng: random.Random, low: float = 0.0, high: float = 1.0) -> float:
    return round(min(1.0, max(0.0, rng.uniform(low, high))), 3)


def _frequency_settings(rng: random.Random, frequency: Frequency) -> FrequencySettings:
    slot = rng.choice([*NAMED_SLOTS, f"{rng.randint(6, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}"])
    days = [rng.choice(list(Weekday))] if frequency in WEEKLY_KINDS else []
    if frequency is Frequency.DAILY and rng.random() < 0.4:
        days = list(Weekday)[:5]  # weekdays only
    return FrequencySettings(
        type=frequency,
        time_of_day=slot,
        timezone=rng.choice(TIMEZONES),
        preferred_days=days,
        day_of_month=rng.randint(1, 28) if frequency is Frequency.MONTHLY else 1,
    )


def _ai_metadata(rng: random.Random) -> AIMetadata:
    topics = rng.sample(sorted(TOPICS), rng.randint(1, 3))
    keywords = sorted({kw for t in topics for kw in rng.sample(TOPICS[t], 2)})
    prompts = [
        rng.choice(PROMPT_FORMS).format(topic=topic, keyword=rng.choice(TOPICS[topic]))
        for topic in rng.sample(topics, rng.randint(1, len(topics)))
    ]
    open_rate = _unit(rng, 0.1, 0.9)
    clicks, favorites = _unit(rng, 0.0, open_rate), rng.sample(topics, rng.randint(0, len(topics)))
    refined = {
        "topics": topics,
        "keywords": keywords,
        "research_areas": sorted({RESEARCH_AREAS[t] for t in topics}),
        "content_types": rng.sample(CONTENT_TYPES, rng.randint(1, 3)),
        "relevance_threshold": round(rng.uniform(0.3, 0.7), 2),
        "novelty_score_min": round(rng.uniform(0.0, 0.4), 2),
    }
    learned = {
        "preferred_sources": rng.sample(sorted(SOURCES), rng.randint(1, 3)),
        "reading_level": rng.choice(("beginner", "intermediate", "expert")),
        "content_length": rng.choice(("short", "medium", "long")),
        "engagement_history": {
            "avg_open_rate": open_rate,
            "avg_click_rate": clicks,
            "favorite_topics": favorites,
        },
    }
    personal = {
        "enabled": rng.random() < 0.9,
        "style": rng.choice(list(Style)),
        "tone": rng.choice(list(Tone)),
        "summarization": rng.choice(list(Summarization)),
        "ai_scoring_weight": round(rng.uniform(0.2, 0.8), 2),
    }
    # Plain dicts keep this short; AIMetadata validates them into their models.
    return AIMetadata.model_validate(
        {"prompts": prompts, "refined_requests": refined, "learned_preferences": learned,
         "personalization": personal}
    )  # fmt: skip


def mock_subscribers(n: int, seed: int) -> list[Subscriber]:
    """`n` valid subscribers spread over slack/discord/email; the same seed gives the same
    people with the same platform ids, so re-seeding updates rather than duplicates."""
    fake, rng = _seeded(seed)
    subscribers: list[Subscriber] = []
    for i in range(n):
        name = fake.name()
        dispatch = DISPATCH[i % len(DISPATCH)]
        frequency = rng.choices(list(Frequency), weights=(6, 3, 1, 1))[0]
        domain = rng.choice(("example.com", "example.org"))
        subscribers.append(
            Subscriber(
                name=name,
                email=f"{re.sub(r'[^a-z]+', '.', name.lower()).strip('.')}.{seed}.{i}@{domain}",
                dispatch_type=dispatch,
                platform="mock",
                platform_user_id=f"mock-{seed}-{i}",
                slack_team_id=f"TMOCK{seed}" if dispatch is DispatchType.SLACK else None,
                frequency=frequency,
                frequency_settings=_frequency_settings(rng, frequency),
                ai_metadata=_ai_metadata(rng),
            )
        )
    return subscribers


def _scores(rng: random.Random, source: str) -> AIScores:
    parts = {name: _unit(rng, 0.2, 1.0) for name in SCORE_WEIGHTS}
    parts["credibility"] = _unit(rng, SOURCES[source] - 0.1, SOURCES[source] + 0.05)
    overall = sum(parts[name] * weight for name, weight in SCORE_WEIGHTS.items())
    return AIScores(**parts, overall=round(overall / sum(SCORE_WEIGHTS.values()), 3))


def mock_content(n: int, seed: int, now: datetime) -> list[ContentItem]:
    """`n` items with 1-3 canonical topics, published in the 7 days before an aware `now`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    fake, rng = _seeded(seed)
    items: list[ContentItem] = []
    for i in range(n):
        topics = rng.sample(sorted(TOPICS), rng.randint(1, 3))
        main, synonyms = topics[0], TOPICS[topics[0]]
        keyword, other = (w.upper() if len(w) <= 3 else w for w in rng.sample(synonyms, 2))
        method, task = rng.choice(METHODS), rng.choice(TASKS)
        name = fake.word().capitalize() + rng.choice(("Net", "Former", "Bench", "GPT", "Lab"))
        title = f"{name}: {method} for {keyword} {task} in {main.title().replace('Ai ', 'AI ')}"
        sentences = [
            f"We propose {name}, applying {method.lower()} to {keyword} {task}.",
            f"Across {rng.randint(3, 12)} {other} benchmarks it improves on prior work "
            f"by {rng.randint(2, 30)}%.",
        ]
        if len(topics) > 1:
            sentences.append(f"The results also bear on {' and '.join(topics[1:])}.")
        source, orgs = rng.choice(sorted(SOURCES)), rng.randint(1, 2)
        # Preprint servers, peer-reviewed venues (high credibility), else blogs.
        kind = "preprint" if source in PREPRINT_SERVERS else "article"
        kind = "paper" if SOURCES[source] >= 0.85 else kind
        items.append(
            ContentItem(
                title=title,
                summary=" ".join(sentences),
                url=f"https://example.org/papers/{seed}-{i}",
                source=source,
                content_type=kind,
                published_at=now - timedelta(seconds=rng.randint(60, 7 * 86400)),
                ai_scores=_scores(rng, source),
                entities=Entities(
                    topics=topics,
                    people=[fake.name() for _ in range(rng.randint(1, 3))],
                    organizations=[f"University of {fake.city()}", fake.company()][:orgs],
                    technologies=rng.sample(TECHNOLOGIES, rng.randint(1, 3)),
                ),
                fingerprint=fingerprint(title),
            )
        )
    return items
