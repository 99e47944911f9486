"""Turn core's neutral Reply into Discord message parts, escaping every piece of text in it."""

from __future__ import annotations

from typing import Any

import discord

from core.render import clip, escape_discord
from core.reply import Reply, Section

MAX_CONTENT, MAX_DESCRIPTION, MAX_FIELDS = 2000, 4096, 25
MAX_FIELD_NAME, MAX_FIELD_VALUE, MAX_EMBED_TOTAL = 256, 1024, 6000
ERROR_COLOUR, OK_COLOUR = discord.Colour.red(), discord.Colour.blurple()
NO_PINGS = discord.AllowedMentions.none()  # whatever a user wrote, nobody gets pinged


def section_value(section: Section) -> str:
    lines = [escape_discord(section.text)] if section.text else []
    lines += [f"**{escape_discord(k)}:** {escape_discord(v)}" for k, v in section.fields]
    return "\n".join(lines) or "\u200b"


def reply_embed(reply: Reply, description: str = "") -> discord.Embed | None:
    """An embed with an (already escaped) description and the sections as fields: 25 at
    most, within the 6000-character budget of one embed."""
    sections = [s for s in reply.sections if s.title or s.text or s.fields]
    if not sections and not description:
        return None
    colour = ERROR_COLOUR if reply.is_error else OK_COLOUR
    embed = discord.Embed(colour=colour, description=clip(description, MAX_DESCRIPTION) or None)
    budget = MAX_EMBED_TOTAL - len(embed.description or "")
    for section in sections[:MAX_FIELDS]:
        name = clip(escape_discord(section.title or "\u200b"), MAX_FIELD_NAME)
        if budget - len(name) < 20:
            break
        value = clip(section_value(section), min(MAX_FIELD_VALUE, budget - len(name)))
        embed.add_field(name=name, value=value, inline=False)
        budget -= len(name) + len(value)
    return embed


def reply_parts(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for send/edit: escaped content (or, when longer than a message
    allows, an embed description), the sections as an embed, and no pings."""
    text = escape_discord(reply.text)
    long = len(text) > MAX_CONTENT
    embed = reply_embed(reply, text if long else "")
    return {
        "content": "" if long else text,
        "embeds": [embed] if embed else [],
        "allowed_mentions": NO_PINGS,
    }
