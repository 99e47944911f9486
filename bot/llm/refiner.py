"""Prompt refinement by the LLM (core.ports.PromptRefiner), cached per prompt."""

from __future__ import annotations

import logging

from bot.llm.calls import FALLBACK_MESSAGE, LLMCalls
from bot.llm.client import LLMUnavailable
from bot.llm.schemas import REFINE_SYSTEM, RefineAnswer
from core.models import RefinedRequests
from core.ports import PromptRefiner
from core.refine import MAX_TERMS
from core.topics import topics_in

log = logging.getLogger("bot.llm")


def _merge(current: list[str], extra: list[str]) -> list[str]:
    merged = list(current)
    for term in extra:
        if term.lower() not in {t.lower() for t in merged}:
            merged.append(term.lower())
    return merged[:MAX_TERMS]


class LLMRefiner:
    def __init__(self, calls: LLMCalls, fallback: PromptRefiner) -> None:
        self.calls = calls
        self.fallback = fallback

    async def refine(self, prompt: str, current: RefinedRequests) -> RefinedRequests:
        """The LLM's topics and keywords folded into `current`; the fallback's on failure."""
        key = self.calls.key("refine", prompt.strip().lower())
        try:
            answer = await self.calls.cached(key, RefineAnswer)
            if answer is None:
                answer = await self.calls.ask(REFINE_SYSTEM, prompt, RefineAnswer)
                await self.calls.remember(key, answer)
        except LLMUnavailable as error:
            log.warning(FALLBACK_MESSAGE, error)
            return await self.fallback.refine(prompt, current)
        # Canonical topics named in the answer keep research areas in the shared vocabulary.
        canonical = topics_in(" ; ".join(answer.topics + answer.keywords))
        return current.model_copy(
            update={
                "topics": _merge(current.topics, [*answer.topics, *canonical]),
                "keywords": _merge(current.keywords, answer.keywords),
                "research_areas": _merge(current.research_areas, canonical),
            }
        )
