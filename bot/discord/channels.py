"""/digest channel: team digests posted in a server channel.

Set up by a member with Manage Server there (or an ADMIN_USER_IDS admin); core stores it in
publishing_channels and the scheduler posts to "channel:<id>" through the DiscordDeliverer."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.discord.bridge import Build, run
from bot.discord.groups import DepsGroup
from bot.discord.options import (
    DAYS_HELP,
    FREQUENCY_HELP,
    TIME_HELP,
    ZONE_HELP,
    FrequencyName,
    days_choices,
    schedule,
    time_choices,
    timezone_choices,
)
from core import commands as c
from core.usage import usage_for

GUILD_ONLY = "team digests are set up inside a server channel, not in a DM."


class ChannelGroup(
    DepsGroup, name="channel", description="Team digests in this channel (Manage Server)"
):
    async def _channel_run(self, interaction: discord.Interaction, build: Build) -> None:
        if interaction.guild_id is None:
            build = lambda: c.ParseError(GUILD_ONLY, usage_for("channel"))  # noqa: E731
        await run(interaction, self.deps, "channel", build, channel=True)

    @app_commands.command(description="Post a team digest in this channel")
    @app_commands.describe(
        frequency=FREQUENCY_HELP, time=TIME_HELP, timezone=ZONE_HELP, days=DAYS_HELP,
        topics="Comma-separated topics the team digest follows",
    )  # fmt: skip
    @app_commands.autocomplete(time=time_choices, timezone=timezone_choices, days=days_choices)
    async def subscribe(
        self,
        interaction: discord.Interaction,
        frequency: FrequencyName = "weekly",
        time: str | None = None,
        timezone: str | None = None,
        days: str | None = None,
        topics: str | None = None,
    ) -> None:
        def build() -> c.ChannelSubscribe:
            values = schedule(frequency, time, timezone, days)
            values["topics"] = tuple(
                dict.fromkeys(t.strip() for t in (topics or "").split(",") if t.strip())
            )
            return c.ChannelSubscribe(**values)  # type: ignore[arg-type]

        await self._channel_run(interaction, build)

    @app_commands.command(description="Stop this channel's team digest")
    async def unsubscribe(self, interaction: discord.Interaction) -> None:
        await self._channel_run(interaction, c.ChannelUnsubscribe)
