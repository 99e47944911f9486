"""Rescoring a digest's top candidates through the wired bot and a local OpenAI-compatible
API: its scores re-rank the digest with a one-line reason, in one batched, cached request;
garbage, a timeout and a 429 each leave the local ranking and the digest intact."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.runtime import Runtime, build_runtime
from core.models import AIScores, ContentItem, Entities
from tests.fakes.llm_api import FakeLLMApi
from tests.fixtures import runtime as wired
from tests.fixtures.runtime import Transcript

NOW = datetime.now(UTC)
TITLES = {
    "Low-overhead quantum error correction codes": 0.9,
    "Neural decoders for surface codes": 0.8,
    "Magic state distillation gets cheaper": 0.7,
    "Benchmarking qubit readout fidelity": 0.4,  # the local scorer's last pick
}


def items() -> list[ContentItem]:
    made = [
        ContentItem(
            title=title,
            summary="A result in quantum error correction.",
            url=f"https://example.org/{n}",
            source="arXiv",
            published_at=NOW - timedelta(hours=n + 1),
            ai_scores=AIScores(overall=overall, relevance=overall),
            entities=Entities(topics=["quantum computing"]),
        )
        for n, (title, overall) in enumerate(TITLES.items())
    ]
    made.append(
        ContentItem(
            title="Monsoon rainfall ensembles",
            url="https://example.org/monsoon",
            source="Blog",
            published_at=NOW - timedelta(hours=1),
            entities=Entities(topics=["climate science"]),
        )
    )
    return made


@pytest.fixture
async def llm() -> AsyncIterator[FakeLLMApi]:
    async with FakeLLMApi() as server:
        yield server


@pytest.fixture
async def llm_runtime(
    pg_url: str, redis_url: str, tmp_path: Path, llm: FakeLLMApi
) -> AsyncIterator[Runtime]:
    settings = wired.test_settings(
        pg_url,
        redis_url,
        tmp_path,
        llm_base_url=llm.base_url,
        llm_api_key="test-key",
        llm_model="local-model",
        llm_timeout_seconds=0.5,
    )
    built = await build_runtime(settings, out=io.StringIO())
    try:
        await built.ctx.content.add_many(items())
        console = Transcript(built)
        await console.say("/subscribe daily at 08:00 tz UTC")
        await console.say("/digest style detailed")
        yield built
    finally:
        await built.close()


async def assemble(runtime: Runtime) -> list[tuple[str, list[str]]]:
    subscriber = await runtime.ctx.subscribers.find_by_identity("console", "console-user")
    assert subscriber is not None
    digest = await runtime.ctx.pipeline.assemble(subscriber, "test")
    return [(d.item.title, d.reasons) for d in digest.items]


async def test_rescoring_reranks_the_top_candidates_with_a_reason(
    llm_runtime: Runtime, llm: FakeLLMApi
) -> None:
    console = Transcript(llm_runtime)
    assert "quantum error correction" in await console.say(
        '/digest prompt add "fault-tolerant qubits"'
    )  # the LLM's reading of the prompt
    llm.favour = {"readout": 0.99, "Benchmarking": 0.99}

    ranked = await assemble(llm_runtime)
    assert [title for title, _ in ranked][0] == "Benchmarking qubit readout fidelity"
    assert "Monsoon rainfall ensembles" not in [title for title, _ in ranked]
    assert all("AI: fits the request" in reasons for _, reasons in ranked)
    assert llm.kinds() == ["refine", "rescore"]  # one batched request for the digest
    asked = llm.requests[1]["messages"][1]["content"]
    assert all(title in asked for title in TITLES) and "Monsoon" not in asked

    await assemble(llm_runtime)
    assert llm.kinds() == ["refine", "rescore"]  # each item scored once: cached


@pytest.mark.parametrize("mode", ["garbage", "timeout", "429"])
async def test_llm_failures_keep_the_local_ranking_and_the_digest(
    llm_runtime: Runtime, llm: FakeLLMApi, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    console = Transcript(llm_runtime)
    llm.mode = mode
    with caplog.at_level(logging.WARNING, logger="bot.llm"):
        await console.say('/digest prompt add "quantum error correction"')
        rescorer, llm_runtime.ctx.pipeline.rescorer = llm_runtime.ctx.pipeline.rescorer, None
        local = await assemble(llm_runtime)
        llm_runtime.ctx.pipeline.rescorer = rescorer
        assert rescorer is not None
        fallen_back = await assemble(llm_runtime)
        sent = await console.say("/digest now")

    assert [t for t, _ in fallen_back] == [t for t, _ in local] == list(TITLES)
    assert not any(r.startswith("AI:") for _, reasons in fallen_back for r in reasons)
    assert "Sent your digest: 4 items" in sent
    messages = [r.getMessage() for r in caplog.records]
    fallbacks = [m for m in messages if m.startswith("LLM unavailable (")]
    assert len(fallbacks) >= 3  # the prompt, the assembly, /digest now
    assert all(m.endswith("using the local scorer") for m in fallbacks)
