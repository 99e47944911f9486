"""The shared research vocabulary: canonical topics, their synonyms, and known sources.

Mock data and the offline prompt refiner both draw from here, so the topics a subscriber
asks for and the topics content is tagged with always come from the same small set.
"""

from __future__ import annotations

import re

TOPICS: dict[str, tuple[str, ...]] = {
    "natural language processing": ("nlp", "language model", "llm", "transformer", "text"),
    "computer vision": ("vision", "image", "cv", "segmentation", "detection"),
    "reinforcement learning": ("rl", "policy gradient", "reward", "q-learning", "agent"),
    "robotics": ("robot", "manipulation", "locomotion", "motion planning", "grasping"),
    "graph neural networks": ("gnn", "graph learning", "message passing", "node embedding"),
    "quantum computing": ("quantum", "qubit", "quantum circuit", "error correction"),
    "climate science": ("climate", "weather", "carbon", "emissions", "climate model"),
    "genomics": ("genome", "dna", "sequencing", "gene expression", "single-cell"),
    "drug discovery": ("drug", "molecule", "protein folding", "binding affinity", "compound"),
    "neuroscience": ("brain", "neuron", "neural recording", "cognition", "fmri"),
    "cryptography": ("encryption", "zero-knowledge", "post-quantum", "cipher", "signature"),
    "distributed systems": ("consensus", "replication", "fault tolerance", "raft", "cluster"),
    "databases": ("database", "query optimization", "sql", "indexing", "transaction"),
    "computer security": ("security", "malware", "vulnerability", "intrusion", "exploit"),
    "human-computer interaction": ("hci", "user study", "usability", "interface", "ux"),
    "speech recognition": ("speech", "asr", "audio", "voice", "speaker"),
    "recommender systems": ("recommendation", "recommender", "collaborative filtering"),
    "causal inference": ("causal", "causality", "counterfactual", "treatment effect"),
    "federated learning": ("federated", "on-device learning", "differential privacy"),
    "ai safety": ("alignment", "interpretability", "robustness", "red teaming", "safety"),
}

# The broad field each topic belongs to (used for research_areas).
RESEARCH_AREAS: dict[str, str] = {
    "natural language processing": "machine learning",
    "computer vision": "machine learning",
    "reinforcement learning": "machine learning",
    "robotics": "robotics and control",
    "graph neural networks": "machine learning",
    "quantum computing": "physical sciences",
    "climate science": "earth sciences",
    "genomics": "life sciences",
    "drug discovery": "life sciences",
    "neuroscience": "life sciences",
    "cryptography": "security and privacy",
    "distributed systems": "computer systems",
    "databases": "computer systems",
    "computer security": "security and privacy",
    "human-computer interaction": "human factors",
    "speech recognition": "machine learning",
    "recommender systems": "information retrieval",
    "causal inference": "statistics",
    "federated learning": "machine learning",
    "ai safety": "machine learning",
}

# Source name -> credibility in 0..1 (peer-reviewed venues above preprints above blogs).
SOURCES: dict[str, float] = {
    "arXiv": 0.7,
    "Nature": 0.95,
    "Science": 0.95,
    "ACL Anthology": 0.9,
    "NeurIPS Proceedings": 0.9,
    "IEEE Xplore": 0.85,
    "bioRxiv": 0.65,
    "Google Research Blog": 0.6,
    "OpenAI Blog": 0.55,
    "The Gradient": 0.5,
    "Distill": 0.75,
}


def _pattern(topic: str, synonyms: tuple[str, ...]) -> re.Pattern[str]:
    # An optional plural "s" so "transformers" and "robots" still count as whole words.
    terms = sorted({topic, *synonyms}, key=len, reverse=True)
    alternatives = "|".join(re.escape(term) for term in terms)
    return re.compile(rf"\b(?:{alternatives})s?\b", re.IGNORECASE)


_PATTERNS: dict[str, re.Pattern[str]] = {
    topic: _pattern(topic, synonyms) for topic, synonyms in TOPICS.items()
}


def topics_in(text: str) -> list[str]:
    """Canonical topics whose name or a synonym appears in `text` as a whole word or phrase
    (case-insensitive), in TOPICS order."""
    return [topic for topic, pattern in _PATTERNS.items() if pattern.search(text)]
