"""The default prompt refiner: deterministic, offline, explainable."""

from __future__ import annotations

import re

from core.models import RefinedRequests
from core.topics import TOPICS, topics_in

MAX_TERMS = 20
# Words that carry no interest of their own in prompts like "Find latest research on NLP".
_FILLER = frozenset(
    """a about after all also an and any are as at be been best by can day digest each
    every find for from get give have how i in into is it its latest like look looking
    me more most my new news newest of on or other over papers paper please recent
    research send show some studies study that the their them these this those to today
    up want week what which while with work works would you your""".split()
)


def _merge(current: list[str], extra: list[str]) -> list[str]:
    merged = list(current)
    lowered = {term.lower() for term in merged}
    for term in extra:
        if term.lower() not in lowered:
            merged.append(term)
            lowered.add(term.lower())
    return merged[:MAX_TERMS]


def extract_terms(prompt: str) -> tuple[list[str], list[str]]:
    """Canonical topics named in the prompt, and the keywords that remain significant."""
    topics = topics_in(prompt)
    lowered = prompt.lower()
    synonyms_used = [
        s for t in topics for s in TOPICS[t] if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", lowered)
    ]
    covered = {w for t in topics for w in t.split()} | {w for s in synonyms_used for w in s.split()}
    words = re.findall(r"[a-z0-9][a-z0-9+#.\-]*[a-z0-9+#]|[a-z0-9]", lowered)
    keywords = [w for w in words if w not in _FILLER and w not in covered and len(w) >= 3]
    return topics, _merge(synonyms_used, keywords)


class KeywordRefiner:
    """Implements core.ports.PromptRefiner with the shared topic vocabulary."""

    async def refine(self, prompt: str, current: RefinedRequests) -> RefinedRequests:
        topics, keywords = extract_terms(prompt)
        return current.model_copy(
            update={
                "topics": _merge(current.topics, topics),
                "keywords": _merge(current.keywords, keywords),
                "research_areas": _merge(current.research_areas, topics),
            }
        )
