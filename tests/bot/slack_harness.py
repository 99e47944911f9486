"""Drive the real Bolt app over HTTP, with requests signed exactly as Slack signs them.

The runtime is the real one (PostgreSQL, Redis, CommandService), its HTTP service listens
on 127.0.0.1 port 0, and its Web API client talks to a FakeSlackApi."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from bot.http.routes import build_routes
from bot.http.server import bound_port, make_app, start_http
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.slack.runner import SlackBot
from bot.slack_runtime import slack_bot
from tests.fakes.slack_api import FakeSlackApi
from tests.fixtures.runtime import test_settings

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAM = "T0000"


def slack_settings(pg_url: str, redis_url: str, fake: FakeSlackApi, **overrides: Any) -> Settings:
    """A single-workspace bot in HTTP mode; nothing is read from the environment or `.env`."""
    values: dict[str, Any] = {
        "slack_bot_token": "xoxb-test",
        "slack_signing_secret": SECRET,
        "slack_api_url": fake.base_url,
        "public_base_url": "https://digest.example",
    }
    return test_settings(pg_url, redis_url, **(values | overrides))


def signed_headers(body: str, *, age: float = 0, secret: str = SECRET) -> dict[str, str]:
    """X-Slack-Request-Timestamp and X-Slack-Signature (v0=HMAC-SHA256 of v0:ts:body)."""
    timestamp = str(int(time.time() - age))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


async def wait_until(check: Callable[[], Any], within: float = 10.0) -> Any:
    """Poll until `check()` is truthy (the listener works after its ack); fail on timeout."""
    deadline = time.monotonic() + within
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.02)
    return result


@dataclass
class SlackHarness:
    runtime: Runtime
    fake: FakeSlackApi
    base: str
    http: aiohttp.ClientSession
    out: io.StringIO

    @property
    def bot(self) -> SlackBot:
        bot = slack_bot(self.runtime)
        assert bot is not None
        return bot

    async def post(
        self, body: str, content_type: str, *, age: float = 0, secret: str = SECRET,
        headers: dict[str, str] | None = None, path: str = "/slack/events",
    ) -> tuple[int, str]:  # fmt: skip
        sent = {"Content-Type": content_type, **signed_headers(body, age=age, secret=secret)}
        async with self.http.post(self.base + path, data=body, headers=sent | (headers or {})) as r:
            return r.status, await r.text()

    async def command(
        self, line: str, *, user: str = "U1", channel: str = "D1", channel_name: str =
        "directmessage", response: str = "r1", age: float = 0, secret: str = SECRET,
        team: str = TEAM,
    ) -> tuple[int, str]:  # fmt: skip
        """A slash command as Slack posts it, e.g. line "/subscribe daily at 08:00"."""
        command, _, text = line.partition(" ")
        form = {
            "token": "legacy", "team_id": team, "team_domain": "fake", "channel_id": channel,
            "channel_name": channel_name, "user_id": user, "user_name": user.lower(),
            "command": command, "text": text, "api_app_id": "A0001",
            "response_url": self.fake.response_url(response), "trigger_id": f"trig-{user}",
        }  # fmt: skip
        body = urlencode(form)
        return await self.post(body, "application/x-www-form-urlencoded", age=age, secret=secret)

    async def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        """An interaction (block_actions, view_submission, ...) as a signed form post."""
        body = urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded")

    async def event(
        self, event: dict[str, Any], *, event_id: str = "Ev1", retry: int | None = None,
        team: str = TEAM,
    ) -> tuple[int, str]:  # fmt: skip
        body = json.dumps({
            "token": "legacy", "team_id": team, "api_app_id": "A0001", "event": event,
            "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
        })  # fmt: skip
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(
            body, "application/json", headers=headers if retry is not None else None
        )

    async def settle(self) -> None:
        await self.bot.services.settle()


def block_action(
    action: dict[str, Any], *, user: str = "U1", channel: str = "D1", **extra: Any
) -> dict[str, Any]:
    """A block_actions payload for one pressed button."""
    return {
        "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "team": {"id": TEAM, "domain": "fake"}, "api_app_id": "A0001", "token": "legacy",
        "trigger_id": f"trig-{user}", "channel": {"id": channel, "name": "general"},
        "container": {"type": "message", "channel_id": channel, "message_ts": "1.0"},
        "actions": [{"type": "button", "block_id": "b1", "action_ts": "2.0", **action}],
        **extra,
    }  # fmt: skip


@asynccontextmanager
async def slack_running(settings: Settings, fake: FakeSlackApi) -> AsyncIterator[SlackHarness]:
    out = io.StringIO()
    runtime = await build_runtime(settings, out)
    try:
        runner = await start_http(make_app(*build_routes(runtime)), 0, host="127.0.0.1")
        runtime.exit_stack.push_async_callback(runner.cleanup)
        async with aiohttp.ClientSession() as http:
            harness = SlackHarness(
                runtime, fake, f"http://127.0.0.1:{bound_port(runner)}", http, out
            )
            yield harness
            await harness.settle()
    finally:
        await runtime.close()
