"""`digestbot discord sync|invite`, and `digestbot run` with a Discord token, against the fakes."""

from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import sys
from argparse import Namespace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from discord.http import Route

from bot.discord.app import DigestBot
from bot.discord.cli import discord_command, sync_commands
from bot.discord.http_target import point_discord_at
from bot.discord.placeholder import PlaceholderDiscordDeliverer
from bot.runtime import build_runtime
from core import commands as c
from core.actor import Actor
from core.models import Frequency
from tests.bot.test_discord_digests import seed_items
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_gateway import FakeGateway
from tests.fakes.discord_interactions import slash
from tests.fixtures.discord import TOKEN, FakeDiscord, discord_settings
from tests.fixtures.runtime import test_settings as settings_for

ROOT = Path(__file__).resolve().parents[2]
MAX_COMMAND_SIZE = 8000  # Discord: name, description, options, choices of one command


def size(node: dict[str, Any]) -> int:
    """What Discord counts against 8000: every name, description and choice value within."""
    own = len(node["name"]) + len(node.get("description", "")) + len(str(node.get("value", "")))
    children = node.get("options") or node.get("choices") or []
    return own + sum(size(child) for child in children)


def options(command: dict[str, Any], *path: str) -> dict[str, dict[str, Any]]:
    """The options of a command, or of a subcommand/group down `path`, by name."""
    found = {o["name"]: o for o in command.get("options", [])}
    return options(found[path[0]], *path[1:]) if path else found


def test_invite_has_exactly_the_permissions_the_bot_needs(tmp_path: Path) -> None:
    out = io.StringIO()
    settings = settings_for("", "", tmp_path, discord_client_id="987654321")
    assert discord_command(settings, Namespace(discord_command="invite"), out) == 0
    query = parse_qs(urlsplit(out.getvalue().strip()).query)
    assert query["client_id"] == ["987654321"]
    assert query["scope"] == ["bot applications.commands"]
    # View Channel (1 << 10) + Send Messages (1 << 11) + Embed Links (1 << 14); DMs need none.
    assert query["permissions"] == [str((1 << 10) | (1 << 11) | (1 << 14))]

    missing = io.StringIO()
    unset = settings_for("", "", tmp_path)
    assert discord_command(unset, Namespace(discord_command="invite"), missing) == 2
    assert "DISCORD_CLIENT_ID" in missing.getvalue()


async def test_global_sync_uses_discord_option_types(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    api = fake_discord.api
    settings = discord_settings("", "", api.base_url, tmp_path)
    synced = await sync_commands(settings, None)
    commands = {c["name"]: c for c in api.commands["global"]}
    assert (
        sorted(commands) == ["digest", "subscribe", "unsubscribe"] == sorted(c.name for c in synced)
    )
    for command in commands.values():
        assert size(command) <= MAX_COMMAND_SIZE
        assert "…" not in json.dumps(command)  # every option is described
    digest = options(commands["digest"])
    assert len(digest) <= 25 and {"prompt", "refine", "alerts", "channel", "admin"} <= set(digest)
    subscribe = options(commands["subscribe"])
    assert [c["value"] for c in subscribe["frequency"]["choices"]] == [
        "daily", "weekly", "bi-weekly", "monthly"
    ]  # fmt: skip
    assert subscribe["timezone"]["autocomplete"] is True and subscribe["time"]["autocomplete"]
    assert [c["value"] for c in options(commands["digest"], "style")["style"]["choices"]] == [
        "concise", "balanced", "detailed"
    ]  # fmt: skip
    assert [c["value"] for c in options(commands["digest"], "tone")["tone"]["choices"]] == [
        "formal", "casual", "technical"
    ]  # fmt: skip
    threshold = options(commands["digest"], "refine", "threshold")["value"]
    assert (threshold["type"], threshold["min_value"], threshold["max_value"]) == (10, 0, 1)
    count = options(commands["digest"], "history")["count"]
    assert (count["min_value"], count["max_value"]) == (1, 50)


def _env(api_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = ("DATABASE_", "REDIS_", "SLACK_", "DISCORD_", "AWS_", "SES_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(keep)}
    env |= {"DISCORD_BOT_TOKEN": TOKEN, "DISCORD_API_URL": api_url, "PYTHONUNBUFFERED": "1"}
    env |= {"DIGESTBOT_DATA_DIR": str(tmp_path / "data"), "HTTP_PORT": "0"}
    env |= {"RUN_SCHEDULER": "false", "PYTHONPATH": str(ROOT), **extra}
    return env


async def test_sync_command_registers_to_one_guild(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    api = fake_discord.api
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "discord", "sync", "--guild", "42",
        env=_env(api.base_url, tmp_path), cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, out
    assert "Registered 3 commands guild 42" in out.decode()
    assert [c["name"] for c in api.commands["42"]] == ["subscribe", "unsubscribe", "digest"]
    assert "global" not in api.commands


@pytest.mark.e2e
async def test_digestbot_run_answers_on_discord_instead_of_the_console(
    fake_discord: FakeDiscord, pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    api, gateway = fake_discord.api, fake_discord.gateway
    env = _env(api.base_url, tmp_path, DATABASE_URL=pg_url, REDIS_URL=redis_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--no-http", env=env, cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await gateway.wait_ready(seconds=60)
        command = slash("subscribe", frequency="weekly", timezone="Asia/Tokyo")
        await gateway.interact(command)
        [_, reply] = await api.until(lambda: api.sent(f"webhook:{command['token']}")[:2][1:] and
                                     api.sent(f"webhook:{command['token']}"), 30)  # fmt: skip
        assert "Subscribed: weekly" in reply["content"] and "Asia/Tokyo" in reply["content"]
    finally:
        # What `docker stop` sends; SIGINT may be ignored when the suite runs in the background.
        process.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()[-2000:]  # a clean shutdown, not killed
    assert b"Traceback" not in err, err.decode()[-2000:]
    assert b"connecting to Discord" in out and b"digest> " not in out  # not the console


async def test_the_client_shards_as_discord_recommends() -> None:
    original, api = Route.BASE, FakeDiscordApi()
    gateway = FakeGateway(api, shards=2)  # GET /gateway/bot recommends two shards

    async def at_once(shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py spaces identifies 5 s apart; not needed against the fake

    async with api:
        point_discord_at(api.base_url)
        bot = DigestBot(None, guild_ready_timeout=0.0)
        bot.before_identify_hook = at_once  # type: ignore[method-assign]
        try:
            await bot.login(TOKEN)
            task = asyncio.create_task(bot.connect(reconnect=False))
            await gateway.wait_ready(sessions=2)
            assert sorted(d["shard"] for d in gateway.identified) == [[0, 2], [1, 2]]
            assert {d["intents"] for d in gateway.identified} == {1}  # guilds: not privileged
        finally:
            await bot.close()
            await asyncio.wait_for(task, 5)
            Route.BASE = original


async def test_without_a_token_digests_print_the_placeholder_block(
    pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    out = io.StringIO()
    runtime = await build_runtime(settings_for(pg_url, redis_url, tmp_path), out)
    try:
        assert isinstance(runtime.delivery.deliverers["discord"], PlaceholderDiscordDeliverer)
        ada = Actor(platform="discord", user_id="4242", display_name="ada")
        await runtime.service.execute(ada, c.Subscribe(frequency=Frequency.DAILY))
        await seed_items(runtime, "p")
        sent = await runtime.service.execute(ada, c.SendNow())
        assert "Sent your digest" in sent.text
        assert "🎮 PLACEHOLDER DISCORD MESSAGE (not actually sent)\nChannel: 4242" in out.getvalue()
    finally:
        await runtime.close()
