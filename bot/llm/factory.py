"""Wiring for the AI ports from Settings: the LLM when LLM_API_KEY is set (a hosted API or
a local OpenAI-compatible server), the offline KeywordRefiner otherwise."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack

from redis.asyncio import Redis

from bot.llm.calls import FALLBACK_MESSAGE, LLMCalls
from bot.llm.client import ChatClient
from bot.llm.refiner import LLMRefiner
from bot.llm.rescorer import LLMRescorer
from bot.settings import Settings, is_configured
from core.ports import CandidateRescorer, Clock, PromptRefiner
from core.refine import KeywordRefiner
from storage.redis.llm_cache import DailyBudget, LlmCache

log = logging.getLogger("bot.llm")


def enable_llm(
    settings: Settings,
    redis: Redis,
    clock: Clock,
    stack: AsyncExitStack,
    local: PromptRefiner | None = None,
) -> tuple[PromptRefiner, CandidateRescorer | None]:
    """(prompt refiner, candidate rescorer or None); `local` (default KeywordRefiner) is
    what runs without a key and whenever the LLM fails."""
    local = local or KeywordRefiner()
    if not is_configured(settings.llm_api_key):
        log.info(FALLBACK_MESSAGE, "no LLM_API_KEY set")
        return local, None
    client = ChatClient(
        settings.llm_base_url,
        settings.llm_api_key.get_secret_value(),
        settings.llm_model,
        settings.llm_timeout_seconds,
    )
    stack.push_async_callback(client.close)
    calls = LLMCalls(client, LlmCache(redis), DailyBudget(redis, settings.llm_daily_budget), clock)
    return LLMRefiner(calls, local), LLMRescorer(calls) if settings.llm_rescore else None
