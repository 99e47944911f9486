"""`digestbot discord sync [--guild ID]` and `digestbot discord invite`.

Neither needs PostgreSQL or Redis: sync logs in over REST only (no gateway) and PUTs the
command tree; invite only formats a URL."""

from __future__ import annotations

import argparse
import asyncio
from typing import TextIO

import discord

from bot.discord.app import DigestBot
from bot.discord.http_target import point_discord_at
from bot.settings import Settings, is_configured

SCOPES = ("bot", "applications.commands")
# Channel digests: see the channel, post in it, and show embeds. DMs need no permission.
PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)


def add_discord_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    discord_cmd = sub.add_parser("discord", help="register slash commands; print the invite URL")
    actions = discord_cmd.add_subparsers(dest="discord_command", required=True)
    sync = actions.add_parser("sync", help="register the slash commands (globally, or one guild)")
    sync.add_argument("--guild", type=int, default=None, help="a guild id: instant, for testing")
    actions.add_parser("invite", help="print the OAuth2 URL that adds the bot to a server")


def invite_url(client_id: str) -> str:
    """The OAuth2 authorize URL with exactly the permissions the bot needs."""
    return discord.utils.oauth_url(client_id, permissions=PERMISSIONS, scopes=SCOPES)


async def sync_commands(
    settings: Settings, guild: int | None
) -> list[discord.app_commands.AppCommand]:
    """PUT the command tree to Discord: global (may take a while to show) or one guild."""
    point_discord_at(settings.discord_api_url)
    bot = DigestBot(None)
    async with bot:
        await bot.login(settings.discord_bot_token.get_secret_value())  # runs setup_hook
        if guild is None:
            return await bot.tree.sync()
        target = discord.Object(id=guild)
        bot.tree.copy_global_to(guild=target)
        return await bot.tree.sync(guild=target)


def discord_command(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    """Run one `digestbot discord ...` subcommand; returns the exit status."""
    if args.discord_command == "invite":
        if not is_configured(settings.discord_client_id):
            print("digestbot: set DISCORD_CLIENT_ID (the application id) first.", file=out)
            return 2
        print(invite_url(settings.discord_client_id.strip()), file=out)
        return 0
    if not is_configured(settings.discord_bot_token):
        print("digestbot: set DISCORD_BOT_TOKEN first.", file=out)
        return 2
    try:
        synced = asyncio.run(sync_commands(settings, args.guild))
    except discord.LoginFailure:
        print("digestbot: Discord refused DISCORD_BOT_TOKEN.", file=out)
        return 1
    except (discord.HTTPException, OSError) as error:
        print(f"digestbot: could not register the commands: {error}", file=out)
        return 1
    where = f"guild {args.guild}" if args.guild else "globally (may take up to an hour to show)"
    print(f"Registered {len(synced)} commands {where}: "
          + ", ".join(f"/{command.name}" for command in synced), file=out)  # fmt: skip
    return 0
