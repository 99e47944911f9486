"""The /digest subcommand groups: prompt, refine, alerts, source and admin."""

from __future__ import annotations

import shlex

import discord
from discord import app_commands

from bot.discord.bridge import Build, run
from bot.discord.deps import DiscordDeps
from bot.discord.options import TERMS_HELP, Unit
from core import commands as c
from core.models import MAX_PROMPT_LENGTH, MAX_PROMPTS
from core.parser import parse_parts
from core.usage import parse_quiet_hours, parse_url

OFF = ("off", "none", "clear")


class DepsGroup(app_commands.Group):
    def __init__(self, deps: DiscordDeps) -> None:
        super().__init__()
        self.deps = deps

    async def _run(self, interaction: discord.Interaction, build: Build) -> None:
        await run(interaction, self.deps, self.name, build)


class PromptGroup(
    DepsGroup, name="prompt", description="Free-text requests that steer your digest"
):
    @app_commands.command(description="Tell me what to look for, in a sentence")
    @app_commands.describe(text="e.g. Find latest research on NLP")
    async def add(
        self, interaction: discord.Interaction, text: app_commands.Range[str, 1, MAX_PROMPT_LENGTH]
    ) -> None:
        await self._run(interaction, lambda: c.PromptAdd(text=text.strip()))

    @app_commands.command(name="list", description="Your prompts, numbered")
    async def list_(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, c.PromptList)

    @app_commands.command(description="Remove a prompt by its number in /digest prompt list")
    @app_commands.describe(number="Its number in /digest prompt list")
    async def remove(
        self, interaction: discord.Interaction, number: app_commands.Range[int, 1, MAX_PROMPTS]
    ) -> None:
        await self._run(interaction, lambda: c.PromptRemove(index=number))


def refine_terms(field: str, add: str | None, remove: str | None) -> c.Command | c.ParseError:
    """Comma-separated terms to add and remove, checked by core's own refine grammar."""
    words = [f"+{t.strip()}" for t in (add or "").split(",") if t.strip()]
    words += [f"-{t.strip()}" for t in (remove or "").split(",") if t.strip()]
    return parse_parts("/digest", f"refine {field} " + " ".join(map(shlex.quote, words)))


class RefineGroup(DepsGroup, name="refine", description="Topics, keywords, exclusions, thresholds"):
    @app_commands.command(description="Add or remove topics (comma-separated)")
    @app_commands.describe(add=TERMS_HELP, remove=TERMS_HELP)
    async def topics(
        self, interaction: discord.Interaction, add: str | None = None, remove: str | None = None
    ) -> None:
        await self._run(interaction, lambda: refine_terms("topics", add, remove))

    @app_commands.command(description="Add or remove keywords (comma-separated)")
    @app_commands.describe(add=TERMS_HELP, remove=TERMS_HELP)
    async def keywords(
        self, interaction: discord.Interaction, add: str | None = None, remove: str | None = None
    ) -> None:
        await self._run(interaction, lambda: refine_terms("keywords", add, remove))

    @app_commands.command(description="Words that keep an item out (comma-separated)")
    @app_commands.describe(add=TERMS_HELP, remove=TERMS_HELP)
    async def exclude(
        self, interaction: discord.Interaction, add: str | None = None, remove: str | None = None
    ) -> None:
        await self._run(interaction, lambda: refine_terms("exclude", add, remove))

    @app_commands.command(description="The relevance an item needs, 0..1")
    @app_commands.describe(value="0 lets everything through, 1 only perfect matches")
    async def threshold(self, interaction: discord.Interaction, value: Unit) -> None:
        await self._run(interaction, lambda: c.SetThreshold(kind="threshold", value=value))

    @app_commands.command(description="The novelty an item needs, 0..1")
    @app_commands.describe(value="0 accepts any item, 1 only brand-new ideas")
    async def novelty(self, interaction: discord.Interaction, value: Unit) -> None:
        await self._run(interaction, lambda: c.SetThreshold(kind="novelty", value=value))


class AlertsGroup(DepsGroup, name="alerts", description="Real-time alerts and their quiet hours"):
    @app_commands.command(name="on", description="Alert me about outstanding items")
    @app_commands.describe(min_score="Only items scoring at least this (0..1)")
    async def on_(self, interaction: discord.Interaction, min_score: Unit | None = None) -> None:
        await self._run(interaction, lambda: c.SetAlerts(enabled=True, min_score=min_score))

    @app_commands.command(name="off", description="No real-time alerts")
    async def off_(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, lambda: c.SetAlerts(enabled=False))

    @app_commands.command(description="Hours when alerts stay silent: HH:MM-HH:MM, or off")
    @app_commands.describe(hours="e.g. 22:00-07:00, or off")
    async def quiet(self, interaction: discord.Interaction, hours: str) -> None:
        def build() -> c.SetQuietHours:
            if hours.strip().lower() in OFF:
                return c.SetQuietHours(start=None, end=None)
            start, end = parse_quiet_hours(hours.strip())
            return c.SetQuietHours(start=start, end=end)

        await run(interaction, self.deps, "quiet", build)


class SourceGroup(DepsGroup, name="source", description="Content sources (admins)"):
    @app_commands.command(description="Add a feed or site")
    @app_commands.describe(url="An http(s) address", name="A short name for it")
    async def add(
        self, interaction: discord.Interaction, url: str, name: str | None = None
    ) -> None:
        clean = (name or "").strip() or None
        await self._run(interaction, lambda: c.SourceAdd(url=parse_url(url.strip()), name=clean))

    @app_commands.command(name="list", description="Every source")
    async def list_(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, c.SourceList)

    @app_commands.command(description="Remove a source by name")
    @app_commands.describe(name="As shown by /digest source list")
    async def remove(
        self, interaction: discord.Interaction, name: app_commands.Range[str, 1, 100]
    ) -> None:
        await self._run(interaction, lambda: c.SourceRemove(name=name.strip()))


class AdminGroup(DepsGroup, name="admin", description="Demo data and counts (admins)"):
    @app_commands.command(description="Load mock subscribers and content")
    @app_commands.describe(
        subscribers="How many mock subscribers",
        content="How many mock content items",
        seed="A seed, for the same data every time",
        dispatch="Also send each one a digest now",
    )
    async def seed(
        self,
        interaction: discord.Interaction,
        subscribers: app_commands.Range[int, 1, 100_000] = 10,
        content: app_commands.Range[int, 1, 1_000_000] = 20,
        seed: app_commands.Range[int, 0, 2**53] | None = None,
        dispatch: bool = False,
    ) -> None:
        command = c.AdminSeed(
            subscribers=subscribers, content=content, seed=seed, dispatch=dispatch
        )
        await self._run(interaction, lambda: command)

    @app_commands.command(description="Subscribers, due digests, outbox and failures")
    async def stats(self, interaction: discord.Interaction) -> None:
        await self._run(interaction, c.AdminStats)

    @app_commands.command(description="Deliveries with an unknown outcome; settle one")
    @app_commands.describe(
        outbox_id="The delivery's id from the list", outcome="sent: it arrived; retry: send again"
    )
    @app_commands.choices(
        outcome=[app_commands.Choice(name=o, value=o) for o in c.RECONCILE_OUTCOMES]
    )
    async def reconcile(
        self,
        interaction: discord.Interaction,
        outbox_id: app_commands.Range[int, 1, 2**53] | None = None,
        outcome: str | None = None,
    ) -> None:
        def build() -> c.AdminReconcile:
            if (outbox_id is None) != (outcome is None):
                raise ValueError("give both the delivery's id and an outcome, or neither")
            return c.AdminReconcile(outbox_id=outbox_id, outcome=outcome)

        await self._run(interaction, build)
