"""Buttons for the actions in core's replies (e.g. preview's "Send it now").

Routed by custom_id like the feedback buttons, so they keep working after a restart. Only
actions with a command here are shown; the set-up's choices have their own components."""

from __future__ import annotations

import re
from typing import Any

import discord

from core import commands as c
from core.reply import Reply

COMMANDS: dict[str, tuple[str, type[c.SendNow]]] = {"digest_now": ("now", c.SendNow)}


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button], template=r"digestbot:action:(?P<action>[a-z_]+)"
):
    def __init__(self, action: str, label: str | None) -> None:
        button: discord.ui.Button = discord.ui.Button(
            custom_id=f"digestbot:action:{action}",
            label=(label or action)[:80],
            style=discord.ButtonStyle.primary,
        )
        super().__init__(button)
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> ActionButton:
        return cls(match["action"], getattr(item, "label", None))

    async def callback(self, interaction: discord.Interaction) -> None:
        from bot.discord.bridge import run  # the bridge renders replies with these buttons

        topic, command = COMMANDS.get(self.action, ("help", c.Help))
        await run(interaction, interaction.client.deps, topic, command)  # type: ignore[attr-defined]


def actions_view(reply: Reply) -> discord.ui.View | None:
    """A view of the reply's actions that the bot can carry out; None when there are none."""
    known = [a for a in reply.actions if a.action_id in COMMANDS][:25]
    if not known:
        return None
    view = discord.ui.View(timeout=None)
    for action in known:
        view.add_item(ActionButton(action.action_id, action.label))
    return view
