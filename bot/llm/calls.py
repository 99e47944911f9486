"""One guarded LLM request: cache first, then the daily budget, then the API, then
strict parsing. Every way it can fail raises LLMUnavailable."""

from __future__ import annotations

import hashlib
import logging

from pydantic import BaseModel

from bot.llm.client import AnswerT, ChatClient, LLMUnavailable, parse_answer
from core.ports import Clock
from storage.redis.llm_cache import DailyBudget, LlmCache

log = logging.getLogger("bot.llm")
FALLBACK_MESSAGE = "LLM unavailable (%s), using the local scorer"


def digest_of(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


class LLMCalls:
    def __init__(
        self, client: ChatClient, cache: LlmCache, budget: DailyBudget, clock: Clock
    ) -> None:
        self.client, self.cache, self.budget, self.clock = client, cache, budget, clock

    def key(self, kind: str, *parts: str) -> str:
        return f"{kind}:{digest_of(self.client.model, *parts)}"

    async def cached(self, key: str, schema: type[AnswerT]) -> AnswerT | None:
        raw = await self.cache.get(key)
        if raw is None:
            return None
        try:
            return parse_answer(raw, schema)
        except LLMUnavailable:
            return None  # an answer cached by an older schema: ask again

    async def remember(self, key: str, answer: BaseModel) -> None:
        await self.cache.put(key, answer.model_dump_json())

    async def ask(self, system: str, user: str, schema: type[AnswerT]) -> AnswerT:
        """One request, counted against the daily budget, its answer strictly parsed."""
        try:
            allowed = await self.budget.spend(self.clock.now().date())
        except Exception as error:  # no counter, no spending: fail closed
            raise LLMUnavailable(f"budget counter unreachable: {error}") from None
        if not allowed:
            raise LLMUnavailable(f"the daily budget of {self.budget.limit} requests is used up")
        return parse_answer(await self.client.complete_json(system, user), schema)
