"""Helpers for the tracking and API tests: a real runtime on this test's PostgreSQL and
Redis with its HTTP service on 127.0.0.1 port 0, and content to build digests from."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.http.routes import build_routes
from bot.http.server import bound_port, make_app, start_http
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from core.actor import Actor
from core.models import AIScores, ContentItem, Entities, Subscriber
from tests.fixtures.runtime import test_settings

BASE_URL = "https://digest.example"
API_TOKEN = "api-token-for-tests-0123456789abcdef"


def settings_for(pg_url: str, redis_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"public_base_url": BASE_URL, "api_token": API_TOKEN}
    return test_settings(pg_url, redis_url, **(values | overrides))


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[Runtime, str]]:
    """The runtime and the base URL of its HTTP service."""
    runtime = await build_runtime(settings, io.StringIO())
    try:
        runner = await start_http(make_app(*build_routes(runtime)), 0, host="127.0.0.1")
        runtime.exit_stack.push_async_callback(runner.cleanup)
        yield runtime, f"http://127.0.0.1:{bound_port(runner)}"
    finally:
        await runtime.close()


def item(n: int, topic: str, *, overall: float = 0.6, source: str = "arXiv") -> ContentItem:
    """A research item about one topic, published `n` minutes before now."""
    return ContentItem(
        title=f"Study {n} on {topic}",
        summary=f"New results in {topic}.",
        url=f"https://papers.example/{topic.replace(' ', '-')}/{n}",
        source=source,
        published_at=datetime.now(UTC) - timedelta(minutes=n),
        ai_scores=AIScores(overall=overall, relevance=overall, novelty=0.6),
        entities=Entities(topics=[topic]),
    )


async def subscriber(
    runtime: Runtime, user: str, lines: Sequence[str] = ('/digest prompt add "NLP"',)
) -> Subscriber:
    """A console subscriber set up through the command service."""
    actor = Actor(platform="console", user_id=user, display_name=user)
    for line in ("/subscribe daily at 08:00 tz UTC", *lines):
        reply = await runtime.service.handle(actor, line)
        assert not reply.is_error, (line, reply.as_text())
    found = await runtime.ctx.subscribers.find_by_identity("console", user)
    assert found is not None and found.id is not None
    return found
