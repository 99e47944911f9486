"""Slash commands travelling from the fake gateway through discord.py's own CommandTree into
core and back as ephemeral followups, against real PostgreSQL and Redis."""

from __future__ import annotations

import json

import pytest

from core.models import Frequency, Style, Weekday
from tests.fakes.discord_interactions import slash
from tests.fixtures.discord import DiscordHarness

EPHEMERAL = 64


async def profile(h: DiscordHarness, user_id: str = "4242"):  # type: ignore[no-untyped-def]
    return await h.runtime.ctx.subscribers.find_by_identity("discord", user_id)


async def test_subscribe_with_options_creates_the_profile_ephemerally(
    discord_harness: DiscordHarness,
) -> None:
    h = discord_harness
    command = slash("subscribe", frequency="daily", time="07:30", timezone="Europe/Paris",
                    days="tue,fri")  # fmt: skip
    reply = await h.ask(command)

    [deferral] = h.api.callbacks()
    assert deferral.json == {"type": 5, "data": {"flags": EPHEMERAL}}  # "thinking", only to them
    assert reply["flags"] == EPHEMERAL
    assert "Subscribed: daily" in reply["content"] and "07:30 Europe/Paris" in reply["content"]
    saved = await profile(h)
    assert saved is not None and saved.dispatch_type.value == "discord"
    assert (saved.frequency, saved.frequency_settings.timezone) == (Frequency.DAILY, "Europe/Paris")
    assert saved.frequency_settings.preferred_days == [Weekday.TUESDAY, Weekday.FRIDAY]
    assert saved.name == "ada" and saved.next_due_at is not None


INVALID = [  # (options, the reason the answer must give)
    ({"time": "25:00"}, "bad time '25:00' (use HH:MM in 24 h"),
    ({"timezone": "Mars/Olympus"}, "bad timezone 'Mars/Olympus'"),
    ({"days": "mon,funday"}, "unknown day 'funday'"),
    ({"frequency": "yearly"}, "unknown frequency 'yearly'"),  # a choice Discord would refuse
]


async def test_invalid_options_answer_with_the_reason(discord_harness: DiscordHarness) -> None:
    h = discord_harness
    for options, reason in INVALID:
        reply = await h.ask(slash("subscribe", **{"frequency": "daily", **options}))
        assert reply["flags"] == EPHEMERAL
        assert reply["content"].startswith("⚠️") and reason in reply["content"].replace("\\", "")
        assert "Usage: /subscribe" in reply["content"]
    assert await profile(h) is None  # nothing saved


async def test_timezones_autocomplete_without_deferring(discord_harness: DiscordHarness) -> None:
    h = discord_harness
    token = await h.interact(slash("subscribe", timezone="paris", focused="timezone"))
    answer = await h.api.until(lambda: h.api.callbacks(8))
    assert all(token in c.path for c in answer)
    choices = answer[0].json["data"]["choices"]
    assert {"name": "Europe/Paris", "value": "Europe/Paris"} in choices and len(choices) <= 25


async def test_subcommands_and_groups_reach_core(discord_harness: DiscordHarness) -> None:
    h = discord_harness
    await h.ask(slash("subscribe", frequency="daily"))
    style = await h.ask(slash("digest style", style="detailed"))
    refine = await h.ask(slash("digest refine topics", add="graph neural networks, robotics"))
    threshold = await h.ask(slash("digest refine threshold", value=0.7))
    history = await h.ask(slash("digest history", count=3))
    assert "detailed" in style["content"] and "No digests yet" in history["content"]
    assert "⚠️" not in refine["content"] + threshold["content"]
    saved = await profile(h)
    assert saved is not None and saved.ai_metadata.personalization.style is Style.DETAILED
    wants = saved.ai_metadata.refined_requests
    assert {"graph neural networks", "robotics"} <= set(wants.topics)
    assert wants.relevance_threshold == 0.7


async def test_settings_come_back_as_an_embed(discord_harness: DiscordHarness) -> None:
    h = discord_harness
    await h.ask(slash("subscribe", frequency="monthly"))
    reply = await h.ask(slash("digest settings"))
    [embed] = reply["embeds"]
    names = [f["name"] for f in embed["fields"]]
    assert names[:3] == ["Delivery", "Reading", "Prompts"] and len(json.dumps(embed)) < 6000


async def test_mentions_in_a_prompt_ping_nobody(discord_harness: DiscordHarness) -> None:
    h = discord_harness
    await h.ask(slash("subscribe", frequency="daily"))
    text = "@everyone @here <@&123> <@456> find LLM papers"
    await h.ask(slash("digest prompt add", text=text))
    listed = await h.ask(slash("digest prompt list"))

    saved = await profile(h)
    assert saved is not None and saved.ai_metadata.prompts == [text]  # stored verbatim
    for call in h.api.calls:
        if call.json and "allowed_mentions" in call.json:
            assert call.json["allowed_mentions"] == {"parse": []}
    shown = json.dumps(listed)
    assert "@\u200beveryone" in listed["content"] and "@\u200bhere" in listed["content"]
    for ping in ("@everyone", "@here", "<@&123>", "<@456>"):
        assert ping not in shown


async def test_admin_commands_need_an_admin(discord_harness: DiscordHarness) -> None:
    h = discord_harness
    refused = await h.ask(slash("digest admin stats"))
    allowed = await h.ask(slash("digest admin stats", user_id="1"))  # discord:1 in ADMIN_USER_IDS
    assert "only admins can do that" in refused["content"]
    assert "⚠️" not in allowed["content"]


async def test_admins_reconcile_unknown_deliveries(discord_harness: DiscordHarness) -> None:
    h = discord_harness
    listed = await h.ask(slash("digest admin reconcile", user_id="1"))
    assert "No delivery awaits reconciliation" in listed["content"]
    missing = await h.ask(slash("digest admin reconcile", user_id="1", outbox_id=5, outcome="sent"))
    assert "No delivery 5 awaits reconciliation" in missing["content"]
    half = await h.ask(slash("digest admin reconcile", user_id="1", outbox_id=5))
    assert "give both the delivery's id and an outcome" in half["content"]
    assert "Usage:" in half["content"] and "admin reconcile" in half["content"]


async def test_a_crash_inside_a_command_still_answers(
    discord_harness: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = discord_harness

    async def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(h.deps.service, "execute", broken)
    reply = await h.ask(slash("digest status"))
    assert reply["flags"] == EPHEMERAL and "something went wrong" in reply["content"]
    assert await h.ask(slash("digest help")) is not None  # the bot keeps answering
