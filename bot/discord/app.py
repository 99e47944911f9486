"""The discord.py client: sharded, app commands in cogs loaded in setup_hook, persistent
components registered as DynamicItems, and one error handler that always answers."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.actions import ActionButton
from bot.discord.bridge import answer
from bot.discord.cog_digest import DigestCog
from bot.discord.cog_subscribe import SubscribeCog
from bot.discord.deps import DiscordDeps
from bot.discord.feedback import FeedbackButton
from bot.discord.replies import NO_PINGS
from bot.discord.setup import SetupButton, SetupSelect
from core.reply import Reply

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    # Slash commands and components arrive as interactions: no privileged intents needed.
    return discord.Intents(guilds=True)


class DigestTree(app_commands.CommandTree):
    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CheckFailure | app_commands.TransformerError):
            reply = Reply.error(str(error))
        else:  # a bug: log it, and still answer so the user is not left waiting
            log.exception("discord command failed", exc_info=error)
            reply = Reply.error("something went wrong on my side; nothing was changed.")
        try:
            await answer(interaction, reply)
        except discord.HTTPException:
            log.warning("could not answer a failed interaction", exc_info=True)


class DigestBot(commands.AutoShardedBot):
    """AutoShardedBot: the recommended shard count comes from GET /gateway/bot."""

    def __init__(self, deps: DiscordDeps | None, **options: object) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            tree_cls=DigestTree,
            allowed_mentions=NO_PINGS,
            help_command=None,
            **options,
        )
        # None only for `digestbot discord sync`, which registers commands and never runs them.
        self.deps = deps

    async def setup_hook(self) -> None:
        deps = self.deps
        await self.add_cog(SubscribeCog(deps))  # type: ignore[arg-type]
        await self.add_cog(DigestCog(deps))  # type: ignore[arg-type]
        self.add_dynamic_items(FeedbackButton, SetupSelect, SetupButton, ActionButton)
