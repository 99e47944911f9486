"""Settings decide whether the LLM is used: no key (or a placeholder) means the local
refiner and scorer, and the log says so."""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.llm.factory import enable_llm
from bot.llm.refiner import LLMRefiner
from bot.llm.rescorer import LLMRescorer
from core.refine import KeywordRefiner
from tests.fixtures import runtime as wired
from tests.llm.conftest import FixedClock


@pytest.mark.parametrize("key", ["", "placeholder-llm-api-key"])
async def test_no_key_means_the_local_scorer(
    key: str, redis_client: Redis, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = wired.test_settings("postgresql://x/y", "redis://x", tmp_path, llm_api_key=key)
    async with AsyncExitStack() as stack:
        with caplog.at_level(logging.INFO, logger="bot.llm"):
            refiner, rescorer = enable_llm(settings, redis_client, FixedClock(), stack)
    assert isinstance(refiner, KeywordRefiner) and rescorer is None
    assert "LLM unavailable (no LLM_API_KEY set), using the local scorer" in caplog.text


async def test_a_key_enables_refinement_and_optionally_rescoring(
    redis_client: Redis, tmp_path: Path
) -> None:
    on = wired.test_settings("postgresql://x/y", "redis://x", tmp_path, llm_api_key="sk-test")
    off = on.model_copy(update={"llm_rescore": False})
    async with AsyncExitStack() as stack:
        refiner, rescorer = enable_llm(on, redis_client, FixedClock(), stack)
        assert isinstance(refiner, LLMRefiner) and isinstance(rescorer, LLMRescorer)
        assert isinstance(refiner.fallback, KeywordRefiner)
        assert enable_llm(off, redis_client, FixedClock(), stack)[1] is None
