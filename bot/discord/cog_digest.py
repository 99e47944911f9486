"""/digest and its subcommands (RoboDanny style: a GroupCog loaded in setup_hook).

Options are typed (Literal choices, Range, autocomplete) so Discord validates first; free
text goes through core's parsers. Discord allows 25 children: alerts and quiet hours share
the `alerts` group; the rest of the grammar maps one to one."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.bridge import Build, run
from bot.discord.channels import ChannelGroup
from bot.discord.deps import DiscordDeps
from bot.discord.groups import AdminGroup, AlertsGroup, PromptGroup, RefineGroup, SourceGroup
from bot.discord.options import (
    DAYS_HELP,
    FREQUENCY_HELP,
    TIME_HELP,
    ZONE_HELP,
    FormatName,
    FrequencyName,
    StyleName,
    ToneName,
    days_choices,
    schedule,
    time_choices,
    timezone_choices,
)
from core import commands as c
from core.models import Style, Summarization, Tone
from core.usage import USAGE, parse_date, parse_days, parse_email, parse_time, parse_zone

OFF = ("off", "none", "clear")


async def topic_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    found = [t for t in USAGE if current.strip().lower() in t][:25]
    return [app_commands.Choice(name=t, value=t) for t in found]


def _help(topic: str | None) -> c.Help:
    word = (topic or "").strip().lower().removeprefix("/")
    if word and word not in USAGE:
        raise ValueError(f"no help for '{word[:40]}' (pick one of the suggested subcommands)")
    return c.Help(topic=word or None)


class DigestCog(commands.GroupCog, group_name="digest", group_description="Your research digest"):
    def __init__(self, deps: DiscordDeps) -> None:
        self.deps = deps
        super().__init__()
        for group in (PromptGroup, RefineGroup, AlertsGroup, ChannelGroup, SourceGroup, AdminGroup):
            self.app_command.add_command(group(deps))

    async def _run(self, interaction: discord.Interaction, topic: str, build: Build) -> None:
        await run(interaction, self.deps, topic, build)

    @app_commands.command(description="Every subcommand, or the usage of one")
    @app_commands.autocomplete(topic=topic_choices)
    @app_commands.describe(topic="A subcommand, e.g. refine")
    async def help(self, interaction: discord.Interaction, topic: str | None = None) -> None:
        await self._run(interaction, "help", lambda: _help(topic))

    @app_commands.command(description="Show your profile")
    async def settings(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, "settings", c.ShowSettings)

    @app_commands.command(description="Your last and next digest, and why")
    async def status(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, "status", c.ShowStatus)

    @app_commands.command(description="See your next digest without sending it")
    async def preview(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, "preview", c.Preview)

    @app_commands.command(description="Send your digest now")
    async def now(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, "now", c.SendNow)

    @app_commands.command(description="Your last digests")
    @app_commands.describe(count="How many (1-50)")
    async def history(
        self, interaction: discord.Interaction, count: app_commands.Range[int, 1, 50] = 5
    ) -> None:
        await self._run(interaction, "history", lambda: c.History(limit=count))

    @app_commands.command(description="How often digests arrive")
    @app_commands.autocomplete(days=days_choices, time=time_choices)
    @app_commands.describe(frequency=FREQUENCY_HELP, days=DAYS_HELP, time=TIME_HELP)
    async def frequency(
        self,
        interaction: discord.Interaction,
        frequency: FrequencyName,
        days: str | None = None,
        time: str | None = None,
    ) -> None:
        def build() -> c.SetFrequency:
            values = schedule(frequency, time, None, days)
            return c.SetFrequency(values["frequency"], values["days"], values["time_of_day"])  # type: ignore[arg-type]

        await self._run(interaction, "frequency", build)

    @app_commands.command(description="The time of day digests arrive")
    @app_commands.autocomplete(time=time_choices)
    @app_commands.describe(time=TIME_HELP)
    async def time(self, interaction: discord.Interaction, time: str) -> None:
        await self._run(interaction, "time", lambda: c.SetTime(parse_time(time.strip())))

    @app_commands.command(description="Your timezone (an IANA name)")
    @app_commands.autocomplete(zone=timezone_choices)
    @app_commands.describe(zone=ZONE_HELP)
    async def timezone(self, interaction: discord.Interaction, zone: str) -> None:
        await self._run(interaction, "timezone", lambda: c.SetTimezone(parse_zone(zone)))

    @app_commands.command(description="The days digests may arrive, e.g. mon,wed,fri")
    @app_commands.autocomplete(days=days_choices)
    @app_commands.describe(days=DAYS_HELP)
    async def days(self, interaction: discord.Interaction, days: str) -> None:
        await self._run(interaction, "days", lambda: c.SetDays(parse_days([days])))

    @app_commands.command(description="Stop digests for a while")
    @app_commands.describe(until="YYYY-MM-DD; leave out to pause until /digest resume")
    async def pause(self, interaction: discord.Interaction, until: str | None = None) -> None:
        build = lambda: c.Pause(until=parse_date(until.strip()) if until else None)  # noqa: E731
        await self._run(interaction, "pause", build)

    @app_commands.command(description="Start paused digests again")
    async def resume(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, "resume", c.Resume)

    @app_commands.command(description="How much each item says")
    @app_commands.describe(style="concise: top 5, one line each; detailed: up to 12, with scores")
    async def style(self, interaction: discord.Interaction, style: StyleName) -> None:
        await self._run(interaction, "style", lambda: c.SetStyle(Style(style)))

    @app_commands.command(description="How your digest sounds")
    @app_commands.describe(tone="technical also shows the scores")
    async def tone(self, interaction: discord.Interaction, tone: ToneName) -> None:
        await self._run(interaction, "tone", lambda: c.SetTone(Tone(tone)))

    @app_commands.command(name="format", description="Bullets, paragraphs or both")
    @app_commands.describe(format="How each summary is laid out")
    async def format_(self, interaction: discord.Interaction, format: FormatName) -> None:
        await self._run(interaction, "format", lambda: c.SetFormat(Summarization(format)))

    @app_commands.command(description="Your address for email digests and fallback")
    @app_commands.describe(address="e.g. ada@example.com, or off to remove it")
    async def email(self, interaction: discord.Interaction, address: str) -> None:
        value = address.strip()
        build = lambda: c.SetEmail(None if value.lower() in OFF else parse_email(value))  # noqa: E731
        await self._run(interaction, "email", build)

    @app_commands.command(description="What to send when nothing clears your bar")
    @app_commands.describe(mode="note: a one-line note; silent: nothing at all")
    async def empty(
        self, interaction: discord.Interaction, mode: Literal["note", "silent"]
    ) -> None:
        await self._run(interaction, "empty", lambda: c.SetEmptyDigest(mode=mode))

    @app_commands.command(description="How ranking weighs things for you")
    async def why(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, "why", c.Why)

    @app_commands.command(description="Stop all digests (same as /unsubscribe)")
    async def unsubscribe(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, "unsubscribe", c.Unsubscribe)
