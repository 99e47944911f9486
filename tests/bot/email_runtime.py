"""Helpers for the email and unsubscribe tests: a real runtime on this test's PostgreSQL and
Redis, its HTTP service on 127.0.0.1 port 0, and a subscriber whose digests go by email."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.http.routes import build_routes
from bot.http.server import bound_port, make_app, start_http
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from core.actor import Actor
from core.mockdata import mock_content
from core.models import Subscriber
from tests.fixtures.runtime import test_settings

PUBLIC_BASE_URL = "https://digest.example"  # https, so RFC 8058 one-click headers are sent
NOTIFICATION_SECRET = "sns-secret-for-tests-0123456789"


def email_settings(pg_url: str, redis_url: str, **overrides: Any) -> Settings:
    """Placeholder SES unless overridden; nothing is read from the environment or `.env`."""
    values: dict[str, Any] = {
        "public_base_url": PUBLIC_BASE_URL,
        "ses_notification_secret": NOTIFICATION_SECRET,
    }
    return test_settings(pg_url, redis_url, **(values | overrides))


def ses_overrides(moto_aws: dict[str, str], sender: str) -> dict[str, Any]:
    """Settings that point real SES at the test's moto server."""
    return {
        "aws_region": moto_aws["region"],
        "aws_endpoint_url": moto_aws["endpoint_url"],
        "aws_access_key_id": moto_aws["access_key_id"],
        "aws_secret_access_key": moto_aws["secret_access_key"],
        "ses_sender_email": sender,
    }


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[tuple[Runtime, str, io.StringIO]]:
    """The runtime, the base URL of its HTTP service, and what it printed."""
    out = io.StringIO()
    runtime = await build_runtime(settings, out)
    try:
        runner = await start_http(make_app(*build_routes(runtime)), 0, host="127.0.0.1")
        runtime.exit_stack.push_async_callback(runner.cleanup)
        yield runtime, f"http://127.0.0.1:{bound_port(runner)}", out
    finally:
        await runtime.close()


async def email_subscriber(runtime: Runtime, user: str, address: str) -> Subscriber:
    """A console user subscribed by email, asking for NLP research, through the service."""
    actor = Actor(platform="console", user_id=user, display_name=f"{user.title()} <b>&</b>")
    for line in (
        "/subscribe daily at 08:00 tz UTC",
        f"/digest email {address}",
        "/subscribe via email",
        '/digest prompt add "Find latest research on NLP"',
    ):
        reply = await runtime.service.handle(actor, line)
        assert not reply.is_error, (line, reply.as_text())
    subscriber = await runtime.ctx.subscribers.find_by_identity("console", user)
    assert subscriber is not None and subscriber.id is not None
    return subscriber


async def make_due(runtime: Runtime, subscriber: Subscriber, seed: int = 7) -> None:
    """Fresh matching content, and the subscriber's next digest due a minute ago."""
    now = datetime.now(UTC)
    await runtime.ctx.content.add_many(mock_content(60, seed, now - timedelta(hours=1)))
    assert subscriber.id is not None
    await runtime.ctx.subscribers.set_next_due(subscriber.id, now - timedelta(minutes=1))


def actor_for(user: str, *, admin: bool = False) -> Actor:
    return Actor(platform="console", user_id=user, display_name=user, is_admin=admin)
