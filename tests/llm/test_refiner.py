"""Prompt refinement through a local OpenAI-compatible API: its answer is used, cached and
budgeted; garbage, a timeout and a 429 each fall back to the local refiner."""

from __future__ import annotations

import logging

import pytest

from bot.llm.refiner import LLMRefiner
from core.models import RefinedRequests
from core.refine import KeywordRefiner
from tests.fakes.llm_api import FakeLLMApi

PROMPT = "Find latest research on fault-tolerant qubits"
FALLBACK = "LLM unavailable ("


async def test_refinement_uses_the_llm_answer_and_caches_it(llm: FakeLLMApi, make_calls) -> None:
    refiner = LLMRefiner(make_calls(), KeywordRefiner())
    current = RefinedRequests(topics=["robotics"], relevance_threshold=0.7)
    refined = await refiner.refine(PROMPT, current)
    assert refined.topics == ["robotics", "quantum error correction", "quantum computing"]
    assert refined.keywords == ["surface code", "decoder"]
    assert refined.research_areas == ["quantum computing"]
    assert refined.relevance_threshold == 0.7  # what the LLM does not touch is kept

    [request] = llm.requests
    assert request["model"] == "test-model"
    assert request["response_format"] == {"type": "json_object"}
    assert request["messages"][1]["content"] == PROMPT
    assert llm.headers[0]["Authorization"] == "Bearer test-key"

    again = await LLMRefiner(make_calls(), KeywordRefiner()).refine(PROMPT, RefinedRequests())
    assert again.keywords == ["surface code", "decoder"]
    assert len(llm.requests) == 1  # answered from the Redis cache


@pytest.mark.parametrize("mode", ["garbage", "timeout", "429"])
async def test_failures_fall_back_to_the_local_refiner_and_say_so(
    llm: FakeLLMApi, make_calls, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    llm.mode = mode
    local = await KeywordRefiner().refine(PROMPT, RefinedRequests())
    with caplog.at_level(logging.WARNING, logger="bot.llm"):
        refined = await LLMRefiner(make_calls(timeout=0.3), KeywordRefiner()).refine(
            PROMPT, RefinedRequests()
        )
    assert refined == local
    assert len(llm.requests) == 1
    [record] = [r for r in caplog.records if r.getMessage().startswith(FALLBACK)]
    assert record.getMessage().endswith("using the local scorer")
    reason = {"garbage": "bad output", "timeout": "no answer within 0.3 s", "429": "HTTP 429"}
    assert reason[mode] in record.getMessage()


async def test_a_wrong_shape_is_bad_output_too(llm: FakeLLMApi, make_calls, caplog) -> None:
    llm.refine_answer = {"topics": "quantum", "extra": 1}
    with caplog.at_level(logging.WARNING, logger="bot.llm"):
        refined = await LLMRefiner(make_calls(), KeywordRefiner()).refine(PROMPT, RefinedRequests())
    assert refined == await KeywordRefiner().refine(PROMPT, RefinedRequests())
    assert "bad output" in caplog.text


async def test_the_daily_budget_caps_requests(llm: FakeLLMApi, make_calls, caplog) -> None:
    refiner = LLMRefiner(make_calls(budget=1), KeywordRefiner())
    await refiner.refine("first prompt about qubits", RefinedRequests())
    with caplog.at_level(logging.WARNING, logger="bot.llm"):
        second = await refiner.refine("second prompt about robots", RefinedRequests())
    assert len(llm.requests) == 1
    assert "daily budget of 1 requests is used up" in caplog.text
    assert second.topics == ["robotics"]  # the local refiner's reading
