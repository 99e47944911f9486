"""/subscribe and /unsubscribe: top-level commands, their options typed for Discord."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord import setup
from bot.discord.bridge import run
from bot.discord.deps import DiscordDeps
from bot.discord.options import (
    DAYS_HELP,
    FREQUENCY_HELP,
    TIME_HELP,
    ZONE_HELP,
    FrequencyName,
    ViaName,
    days_choices,
    schedule,
    time_choices,
    timezone_choices,
)
from core import commands as c


class SubscribeCog(commands.Cog):
    def __init__(self, deps: DiscordDeps) -> None:
        self.deps = deps

    @app_commands.command(description="Start digests; with no options, a short guided set-up")
    @app_commands.describe(
        frequency=FREQUENCY_HELP,
        time=TIME_HELP,
        timezone=ZONE_HELP,
        days=DAYS_HELP,
        via="Where digests go: this DM (default) or email",
    )
    @app_commands.autocomplete(time=time_choices, timezone=timezone_choices, days=days_choices)
    async def subscribe(
        self,
        interaction: discord.Interaction,
        frequency: FrequencyName | None = None,
        time: str | None = None,
        timezone: str | None = None,
        days: str | None = None,
        via: ViaName | None = None,
    ) -> None:
        if all(v is None for v in (frequency, time, timezone, days, via)):
            await setup.start(interaction, self.deps)
            return
        await run(
            interaction,
            self.deps,
            "subscribe",
            lambda: c.Subscribe(**schedule(frequency, time, timezone, days), via=via),  # type: ignore[arg-type]
        )

    @app_commands.command(description="Stop all digests (your settings are kept)")
    async def unsubscribe(self, interaction: discord.Interaction) -> None:
        await run(interaction, self.deps, "unsubscribe", c.Unsubscribe)
