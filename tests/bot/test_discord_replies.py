"""Discord message shapes without any network: digest buttons within Discord's limits, and
core replies rendered as escaped content and embeds."""

from __future__ import annotations

import json
import re

import discord

from bot.discord.feedback import TEMPLATE
from bot.discord.options import zone_matches
from bot.discord.replies import reply_parts
from core.render import DigestRenderer
from core.reply import Reply, Section
from tests.core.test_render import Templates, digest

MAX_ROWS, MAX_BUTTONS_PER_ROW, MAX_CUSTOM_ID = 5, 5, 100


async def test_digest_buttons_cover_the_shown_items_within_limits() -> None:
    rendered = await DigestRenderer(Templates()).render(
        digest(12, style="detailed"), "discord", publication_id=987654321
    )
    embeds, rows = rendered.payload["embeds"], rendered.payload["components"]
    shown = len(embeds) - 1  # the header embed carries no buttons
    assert len(rows) <= MAX_ROWS and all(len(r["components"]) <= MAX_BUTTONS_PER_ROW for r in rows)
    ids = [b["custom_id"] for row in rows for b in row["components"]]
    assert len(ids) == 2 * shown == len(set(ids))
    assert all(re.fullmatch(TEMPLATE, i) and len(i) <= MAX_CUSTOM_ID for i in ids)
    assert ids[:2] == [
        "digestbot:feedback:like:987654321:1",
        "digestbot:feedback:dislike:987654321:1",
    ]
    labels = [(b["emoji"]["name"], b["label"]) for b in rows[0]["components"]]
    assert labels == [("👍", "1"), ("👎", "1"), ("👍", "2"), ("👎", "2")]


async def test_a_preview_render_has_no_buttons() -> None:
    rendered = await DigestRenderer(Templates()).render(digest(3), "discord")
    assert "components" not in rendered.payload  # nothing recorded to give feedback on


def test_replies_are_escaped_and_ping_nobody() -> None:
    reply = Reply(
        text="Prompt: @everyone **bold** <@&42>",
        sections=[Section(title="@here", text="`code`", fields=[("who", "<@1> @everyone")])],
    )
    parts = reply_parts(reply)
    assert parts["allowed_mentions"].to_dict() == {"parse": []}
    assert parts["content"] == "Prompt: @\u200beveryone \\*\\*bold\\*\\* <@\u200b&42\\>"
    dumped = json.dumps([e.to_dict() for e in parts["embeds"]], ensure_ascii=False)
    for ping in ("@everyone", "@here", "<@1>", "<@&42>"):
        assert ping not in dumped + parts["content"]


def test_long_replies_fit_discord_limits() -> None:
    sections = [Section(title=f"S{i}" * 200, text="x" * 3000) for i in range(40)]
    parts = reply_parts(Reply(text="y" * 5000, sections=sections, is_error=True))
    [embed] = parts["embeds"]
    assert parts["content"] == "" and embed.description and len(embed.description) == 4096
    assert len(embed) <= 6000 and len(embed.fields) <= 25
    assert all(len(f.name) <= 256 and len(f.value) <= 1024 for f in embed.fields)
    assert embed.colour == discord.Colour.red()


def test_zone_autocomplete_prefers_names_and_cities() -> None:
    assert zone_matches("europe/lon")[0] == "Europe/London"
    assert zone_matches("new york")[0] == "America/New_York"
    assert len(zone_matches("a")) == 25 and zone_matches("")[0] == "UTC"


def test_help_longer_than_a_message_goes_into_the_embed() -> None:
    lines = [f"/digest sub{i} ARGS  description of subcommand {i}" for i in range(60)]
    parts = reply_parts(Reply(text="\n".join(lines)))
    [embed] = parts["embeds"]
    assert parts["content"] == "" and "sub59" in (embed.description or "")
