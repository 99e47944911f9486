"""The guided set-up behind a bare /subscribe: selects, buttons and a modal, its state in the
Redis session, surviving a bot restart and expiring cleanly."""

from __future__ import annotations

from typing import Any

from core.models import Frequency, Weekday
from storage.redis.sessions import session_key
from tests.fakes.discord_interactions import component, modal_submit, slash
from tests.fixtures.discord import DiscordHarness

SETUP = "digestbot:setup"


def custom_ids(message: dict[str, Any]) -> list[list[str]]:
    return [[c["custom_id"] for c in row["components"]] for row in message["components"]]


async def choose(h: DiscordHarness, message: dict[str, Any], step: str, *values: str) -> None:
    """Pick values in one select; wait until the bot has edited the message in place."""
    edits = len([c for c in h.api.calls if c.method == "PATCH"])
    await h.interact(component(message, f"{SETUP}:{step}", list(values)))
    await h.api.until(lambda: len([c for c in h.api.calls if c.method == "PATCH"]) > edits)


async def open_modal(h: DiscordHarness, message: dict[str, Any]) -> str:
    """Press Continue; returns the custom_id of the modal the bot answered with (type 9)."""
    token = await h.interact(component(message, f"{SETUP}:go"))
    [modal] = await h.api.until(lambda: [c for c in h.api.callbacks(9) if token in c.path])
    inputs = [row["components"][0]["custom_id"] for row in modal.json["data"]["components"]]
    assert inputs == ["timezone", "prompt"]
    return modal.json["data"]["custom_id"]


async def test_bare_subscribe_walks_through_selects_and_a_modal(
    discord_harness: DiscordHarness,
) -> None:
    h = discord_harness
    message = await h.ask(slash("subscribe"))
    assert message["flags"] == 64 and "Set-up" in message["content"]
    assert custom_ids(message) == [
        [f"{SETUP}:frequency"], [f"{SETUP}:time"], [f"{SETUP}:days"], [f"{SETUP}:go", f"{SETUP}:no"]
    ]  # fmt: skip
    assert await h.runtime.redis.ttl(session_key("discord", "4242")) > 0  # it expires by itself

    await choose(h, message, "frequency", "weekly")
    frequency = message["components"][0]["components"][0]["options"]
    assert [o["value"] for o in frequency if o.get("default")] == ["weekly"]  # edited in place
    await h.stop_bot()
    await h.start_bot()  # the components and the answers so far survive a restart
    await choose(h, message, "days", "Monday", "Thursday")
    await choose(h, message, "time", "evening")

    bad = await open_modal(h, message)
    token = await h.interact(modal_submit(message, bad, timezone="Mars/Olympus", prompt=""))
    [error] = await h.api.until(lambda: h.api.sent(f"webhook:{token}"))
    assert error["flags"] == 64 and "bad timezone 'Mars/Olympus'" in error["content"]
    assert await h.runtime.ctx.sessions.get("discord", "4242") is not None  # kept: try again

    good = await open_modal(h, message)
    text = "Robotics and LLM agents"
    await h.interact(modal_submit(message, good, timezone="europe/berlin", prompt=text))
    await h.api.until(lambda: "Subscribed" in message["content"])
    assert message["components"] == [] and "Europe/Berlin" in message["content"]
    saved = await h.runtime.ctx.subscribers.find_by_identity("discord", "4242")
    assert saved is not None and saved.frequency is Frequency.WEEKLY
    settings = saved.frequency_settings
    assert (settings.time_of_day, settings.timezone) == ("evening", "Europe/Berlin")
    assert settings.preferred_days == [Weekday.MONDAY, Weekday.THURSDAY]
    assert saved.ai_metadata.prompts == [text]
    assert await h.runtime.ctx.sessions.get("discord", "4242") is None


async def test_an_expired_or_cancelled_set_up_saves_nothing(
    discord_harness: DiscordHarness,
) -> None:
    h = discord_harness
    first = await h.ask(slash("subscribe"))
    await h.runtime.redis.delete(session_key("discord", "4242"))  # what the TTL does
    await choose(h, first, "frequency", "monthly")
    assert "expired" in first["content"] and first["components"] == []

    second = await h.ask(slash("subscribe"))
    token = await h.interact(component(second, f"{SETUP}:no"))
    await h.api.until(lambda: "cancelled" in second["content"])
    assert second["components"] == [] and token
    assert await h.runtime.ctx.sessions.get("discord", "4242") is None

    third = await h.ask(slash("subscribe"))
    modal = await open_modal(h, third)
    await h.runtime.redis.delete(session_key("discord", "4242"))
    await h.interact(modal_submit(third, modal, timezone="UTC", prompt=""))
    await h.api.until(lambda: "expired" in third["content"])
    assert await h.runtime.ctx.subscribers.find_by_identity("discord", "4242") is None
