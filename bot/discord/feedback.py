"""👍/👎 on a digest item: count it as engagement, then show it on the message in place.

The buttons are posted by the deliverer as raw components (core.render.discord_components);
this DynamicItem is routed by their custom_id, so they work after any restart."""

from __future__ import annotations

import re
from typing import Any

import discord
from redis.asyncio import Redis

from bot.discord.bridge import safely
from core.render import FEEDBACK

TEMPLATE = r"digestbot:feedback:(?P<kind>like|dislike):(?P<pub>\d{1,18}):(?P<item>\d{1,18})"
EMOJI = {action.removeprefix("feedback_"): emoji for action, emoji in FEEDBACK}
CHOSEN = {"like": discord.ButtonStyle.success, "dislike": discord.ButtonStyle.danger}
VOTES_TTL_SECONDS = 90 * 24 * 3600


def votes_key(publication_id: int, item_id: int) -> str:
    return f"discord:votes:{publication_id}:{item_id}"


async def tally(redis: Redis, pub: int, item: int, user_id: str, kind: str) -> dict[str, int]:
    """Remember this member's latest vote on the item; returns votes per kind."""
    key = votes_key(pub, item)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, user_id, kind).expire(key, VOTES_TTL_SECONDS).hvals(key)
        *_, votes = await pipe.execute()
    return {k: sum(v == k for v in votes) for k in EMOJI}


class FeedbackButton(discord.ui.DynamicItem[discord.ui.Button], template=TEMPLATE):
    def __init__(self, kind: str, pub: int, item: int, label: str | None, **look: Any) -> None:
        button: discord.ui.Button = discord.ui.Button(
            custom_id=f"digestbot:feedback:{kind}:{pub}:{item}", label=label,
            emoji=EMOJI[kind], **{"style": discord.ButtonStyle.secondary, **look},
        )  # fmt: skip
        super().__init__(button)
        self.kind, self.pub, self.item_id = kind, pub, item

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> FeedbackButton:
        label = getattr(item, "label", None)
        return cls(match["kind"], int(match["pub"]), int(match["item"]), label, row=item.row)

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()  # acknowledge first; Redis and the edit follow
        await safely(interaction, self._vote(interaction))  # Redis away: say so, change nothing

    async def _vote(self, interaction: discord.Interaction) -> None:
        deps = interaction.client.deps  # type: ignore[attr-defined]
        user = str(interaction.user.id)
        await deps.engagement.record(self.kind, self.pub, self.item_id, f"discord:{user}")
        counts = await tally(deps.redis, self.pub, self.item_id, user, self.kind)
        shared = interaction.guild_id is not None  # a channel digest: show everyone's counts
        view = marked(self.view, self, counts if shared else None)
        await interaction.edit_original_response(view=view)


def marked(
    view: discord.ui.View | None, clicked: FeedbackButton, counts: dict[str, int] | None
) -> discord.ui.View:
    """The message's buttons rebuilt (all dynamic, so nothing is kept in memory) with this
    item's vote shown: highlighted in a DM, as counts in a shared channel."""
    rebuilt = discord.ui.View(timeout=None)
    for child in view.children if view else []:
        inner = getattr(child, "item", child)
        match = re.fullmatch(TEMPLATE, getattr(inner, "custom_id", None) or "")
        if match is None:
            continue
        kind, pub, item = match["kind"], int(match["pub"]), int(match["item"])
        label, style = getattr(inner, "label", None), inner.style
        if (pub, item) == (clicked.pub, clicked.item_id):
            rank = (label or "").split(" · ")[0]
            label = f"{rank} · {counts[kind]}" if counts is not None else rank
            chosen = counts is None and kind == clicked.kind
            style = CHOSEN[kind] if chosen else discord.ButtonStyle.secondary
        rebuilt.add_item(FeedbackButton(kind, pub, item, label, style=style, row=child.row))
    return rebuilt
