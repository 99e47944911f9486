"""DiscordDeliverer driving discord.py's real HTTPClient against a local fake REST API."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import discord.http
import pytest
from discord.http import HTTPClient, Route

from bot.discord.deliver import DiscordDeliverer, nonce_for
from bot.discord.http_target import login_http, point_discord_at
from bot.discord.placeholder import PlaceholderDiscordDeliverer
from core.delivery import DeliveryOutcome, OutboundMessage
from tests.fakes.discord_api import FakeDiscordApi

EMBEDS = [{"title": "Your digest", "description": "1. Attention is all you need"}]
BUTTONS = [{"type": 1, "components": [{"type": 2, "style": 5, "label": "Go", "url": "https://x"}]}]
POSTS = r"/channels/\d+/messages"


class RecordingLimiter:
    def __init__(self) -> None:
        self.blocks: list[tuple[str, float]] = []

    async def wait(self, bucket: str, rate_per_second: float, burst: int) -> None:
        return None

    async def block(self, bucket: str, seconds: float) -> None:
        self.blocks.append((bucket, seconds))


def message(address: str = "4242", text: str = "Your digest\n@everyone") -> OutboundMessage:
    payload = {"embeds": EMBEDS, "components": BUTTONS}
    return OutboundMessage(destination="discord", address=address, idempotency_key="pub-1:sub-1",
                           text=text, payload=payload)  # fmt: skip


@pytest.fixture
async def api() -> AsyncIterator[FakeDiscordApi]:
    original = Route.BASE
    async with FakeDiscordApi() as fake:
        point_discord_at(fake.base_url)
        try:
            yield fake
        finally:
            Route.BASE = original  # the URL is process-wide: never leak it into other tests


@pytest.fixture
async def http(api: FakeDiscordApi) -> AsyncIterator[HTTPClient]:
    client = await login_http("test-token")
    yield client
    await client.close()


def posts(api: FakeDiscordApi) -> list[Any]:
    return [c for c in api.calls if c.method == "POST" and c.path.endswith("/messages")]


async def test_dm_opens_the_channel_then_posts_with_a_nonce(api: FakeDiscordApi, http: HTTPClient):
    result = await DiscordDeliverer(http).deliver(message())
    login, open_dm, post = api.calls
    assert (login.path, login.headers["Authorization"]) == ("/users/@me", "Bot test-token")
    assert (open_dm.path, open_dm.json) == ("/users/@me/channels", {"recipient_id": 4242})
    assert (post.path, post.json["nonce"]) == ("/channels/94242/messages", nonce_for("pub-1:sub-1"))
    assert (post.json["enforce_nonce"], post.json["allowed_mentions"]) == (True, {"parse": []})
    assert (post.json["embeds"], post.json["components"]) == (EMBEDS, BUTTONS)
    assert post.json["content"] == "Your digest\n@everyone"  # allowed_mentions: no ping
    assert result.outcome is DeliveryOutcome.SENT
    assert result.provider_message_id == f"94242:{api.messages['94242'][0]['id']}"


async def test_a_channel_address_posts_there_truncated(api: FakeDiscordApi, http: HTTPClient):
    result = await DiscordDeliverer(http).deliver(message("channel:555", text="x" * 2500))
    assert result.outcome is DeliveryOutcome.SENT
    assert [c.path for c in api.calls[1:]] == ["/channels/555/messages"]
    assert len(api.messages["555"][0]["content"]) == 2000


async def test_closed_dms_are_permanent(api: FakeDiscordApi, http: HTTPClient):
    api.fail_next("POST", POSTS, ("forbidden", 50007))
    result = await DiscordDeliverer(http).deliver(message())
    assert result.outcome is DeliveryOutcome.PERMANENT and "50007" in result.detail
    assert not api.messages  # and no retry


async def test_a_short_429_is_slept_through_by_discord_py(api: FakeDiscordApi, http: HTTPClient):
    api.fail_next("POST", POSTS, ("ratelimit", 0.5))
    started = asyncio.get_running_loop().time()
    result = await DiscordDeliverer(http).deliver(message())
    assert asyncio.get_running_loop().time() - started >= 0.5
    assert result.outcome is DeliveryOutcome.SENT
    assert len(posts(api)) == 2 and len(api.messages["94242"]) == 1


async def test_a_long_429_blocks_the_shared_bucket(api: FakeDiscordApi, http: HTTPClient):
    api.fail_next("POST", POSTS, ("ratelimit", 45))  # beyond max_ratelimit_timeout (30 s)
    limiter = RecordingLimiter()
    result = await DiscordDeliverer(http, limiter).deliver(message())
    assert (result.outcome, result.retry_after) == (DeliveryOutcome.TRANSIENT, 45)
    assert limiter.blocks == [("discord:channel:94242", 45)]


async def test_the_same_key_twice_posts_once(api: FakeDiscordApi, http: HTTPClient):
    # Two workers (no shared DM cache) delivering the same outbox row.
    first = await DiscordDeliverer(http).deliver(message())
    second = await DiscordDeliverer(http).deliver(message())
    assert first == second and first.outcome is DeliveryOutcome.SENT  # same message id
    assert len(posts(api)) == 2 and len(api.messages["94242"]) == 1


async def test_5xx_beyond_discord_py_retries_is_transient(
    api: FakeDiscordApi, http: HTTPClient, monkeypatch: pytest.MonkeyPatch
):
    slept: list[float] = []

    async def sleep(seconds: float, result: Any = None) -> Any:
        slept.append(seconds)  # discord.py backs off 1+2n s between tries: 25 s for real

    fast = SimpleNamespace(**{**vars(asyncio), "sleep": sleep})  # for discord.http only
    monkeypatch.setattr(discord.http, "asyncio", fast)
    api.fail_next("POST", POSTS, *[("status", 500)] * 5)
    result = await DiscordDeliverer(http).deliver(message())
    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert len(posts(api)) == 5 and slept == [1, 3, 5, 7, 9] and not api.messages


async def test_timeouts_and_refusals_are_transient(api: FakeDiscordApi, http: HTTPClient):
    api.fail_next("POST", POSTS, ("ratelimit", 5))
    slow = await DiscordDeliverer(http, timeout=0.2).deliver(message())
    assert slow.outcome is DeliveryOutcome.TRANSIENT and "no answer" in slow.detail
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        point_discord_at(f"http://127.0.0.1:{sock.getsockname()[1]}/api/v10")
        refused = await DiscordDeliverer(http).deliver(message("channel:555"))
    assert refused.outcome is DeliveryOutcome.TRANSIENT and "connection" in refused.detail


async def test_the_placeholder_prints_the_message():
    out = io.StringIO()
    result = await PlaceholderDiscordDeliverer(out).deliver(message(text="Hello\nWorld"))
    assert result.outcome is DeliveryOutcome.SENT
    header = "🎮 PLACEHOLDER DISCORD MESSAGE (not actually sent)\n"
    assert out.getvalue() == header + "Channel: 4242\nContent: Hello\n  World\n\n"
