"""The Discord bot of a running process, built from its Runtime.

Outside bot/discord on purpose: bot.discord must not import the runtime (which imports the
console), so the Slack, Discord and console adapters stay independent."""

from __future__ import annotations

import logging

from bot.discord.app import DigestBot
from bot.discord.deps import DiscordDeps
from bot.discord.http_target import point_discord_at
from bot.runtime import Runtime
from storage.redis.engagement import EngagementCounters

log = logging.getLogger(__name__)


def discord_deps(runtime: Runtime) -> DiscordDeps:
    return DiscordDeps(
        service=runtime.service,
        engagement=EngagementCounters(runtime.redis),
        redis=runtime.redis,
        settings=runtime.settings,
    )


async def run_discord(runtime: Runtime) -> None:
    """Connect to the gateway and answer interactions until stopped (Ctrl-C)."""
    settings = runtime.settings
    point_discord_at(settings.discord_api_url)
    bot = DigestBot(discord_deps(runtime))
    async with bot:
        print("digestbot is connecting to Discord; Ctrl-C stops it.", flush=True)
        await bot.start(settings.discord_bot_token.get_secret_value())
