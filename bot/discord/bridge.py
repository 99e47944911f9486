"""From an interaction to core and back: who asks, run the command, answer ephemerally.

Every handler acknowledges first (`defer`), so Discord's 3-second window is met however
long core takes; the answer then arrives as a followup."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

import discord

from bot.discord.actions import actions_view
from bot.discord.deps import DiscordDeps
from bot.discord.replies import reply_parts
from core import commands as c
from core.actor import Actor
from core.reply import Reply
from core.usage import Bad, usage_for

log = logging.getLogger(__name__)
Build = Callable[[], c.Command | c.ParseError]
TRY_AGAIN = Reply.error("something went wrong on my side; nothing was changed. Try again soon.")


def actor_for(
    interaction: discord.Interaction, deps: DiscordDeps, *, channel: bool = False
) -> Actor:
    """The Actor behind an interaction. With channel=True (channel digests) Manage Server
    in that guild also counts as admin; elsewhere only ADMIN_USER_IDS does."""
    user = interaction.user
    admin = deps.is_admin(user.id)
    if channel and interaction.guild_id is not None:
        admin = admin or interaction.permissions.manage_guild
    return Actor(
        platform="discord",
        user_id=str(user.id),
        display_name=user.display_name,
        is_admin=admin,
        team_id=str(interaction.guild_id) if interaction.guild_id else None,
        channel_id=str(interaction.channel_id) if interaction.channel_id else None,
        channel_name=getattr(interaction.channel, "name", None),
    )


def built(topic: str, build: Build) -> c.Command | c.ParseError:
    """Run a builder; a value core's parsers reject becomes a ParseError with its usage."""
    try:
        return build()
    except Bad as bad:
        return c.ParseError(bad.message, usage_for(bad.topic or topic), list(bad.suggestions))
    except ValueError as error:  # a choice Discord would have refused (Style("x"), ...)
        return c.ParseError(str(error), usage_for(topic))


async def answer(interaction: discord.Interaction, reply: Reply) -> None:
    """Send a Reply as the (ephemeral) answer, whether or not the interaction was deferred."""
    parts = reply_parts(reply)
    view = actions_view(reply)
    if view is not None:
        parts["view"] = view
    if interaction.response.is_done():
        await interaction.followup.send(**parts, ephemeral=True)
    else:
        await interaction.response.send_message(**parts, ephemeral=True)


async def safely(interaction: discord.Interaction, work: Awaitable[None]) -> None:
    """Run a component's work; a failure (Redis away, a bug) still gets a clear answer."""
    try:
        await work
    except Exception:
        log.exception("discord interaction failed")
        with contextlib.suppress(discord.HTTPException):
            await answer(interaction, TRY_AGAIN)


async def run(
    interaction: discord.Interaction,
    deps: DiscordDeps,
    topic: str,
    build: Build,
    *,
    channel: bool = False,
) -> None:
    """Defer, build the typed command, execute it in core, answer ephemerally."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    command = built(topic, build)
    reply = await deps.service.execute(actor_for(interaction, deps, channel=channel), command)
    await answer(interaction, reply)
