"""The offline prompt refiner turns free text into topics and keywords, deterministically."""

from __future__ import annotations

from core.models import RefinedRequests
from core.refine import KeywordRefiner, extract_terms


def test_prompt_becomes_topics_and_keywords() -> None:
    topics, keywords = extract_terms("Find latest research on NLP and diffusion models")
    assert topics == ["natural language processing"]
    assert "nlp" in keywords and "diffusion" in keywords
    assert not {"find", "latest", "research", "on", "and"} & set(keywords)


async def test_refining_merges_without_duplicates_and_keeps_thresholds() -> None:
    current = RefinedRequests(topics=["robotics"], keywords=["nlp"], relevance_threshold=0.8)
    refined = await KeywordRefiner().refine("NLP for robot manipulation", current)
    assert refined.topics[0] == "robotics" and "natural language processing" in refined.topics
    assert refined.keywords.count("nlp") == 1
    assert refined.relevance_threshold == 0.8


async def test_metacharacters_are_plain_words() -> None:
    refined = await KeywordRefiner().refine("'; DROP TABLE x; -- <!channel>", RefinedRequests())
    assert refined.topics == []
    assert all(";" not in k and "<" not in k for k in refined.keywords)
