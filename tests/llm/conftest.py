"""Fixtures for the LLM client: a local OpenAI-compatible server and guarded calls on
this test's own Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from bot.llm.calls import LLMCalls
from bot.llm.client import ChatClient
from storage.redis.llm_cache import DailyBudget, LlmCache
from tests.fakes.llm_api import FakeLLMApi


class FixedClock:
    def now(self) -> datetime:
        return datetime(2025, 1, 15, 12, tzinfo=UTC)


@pytest.fixture
async def llm() -> AsyncIterator[FakeLLMApi]:
    async with FakeLLMApi() as server:
        yield server


@pytest.fixture
async def make_calls(
    llm: FakeLLMApi, redis_client: Redis
) -> AsyncIterator[Callable[..., LLMCalls]]:
    clients: list[ChatClient] = []

    def make(*, budget: int = 100, timeout: float = 0.5) -> LLMCalls:
        client = ChatClient(llm.base_url, "test-key", "test-model", timeout)
        clients.append(client)
        return LLMCalls(
            client, LlmCache(redis_client), DailyBudget(redis_client, budget), FixedClock()
        )

    yield make
    for client in clients:
        await client.close()
