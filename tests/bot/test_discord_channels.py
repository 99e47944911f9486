"""Team digests in a server channel: set up by Manage Server (or an ADMIN_USER_IDS admin),
stored in publishing_channels, posted there by the scheduler, voted on by members."""

from __future__ import annotations

from tests.bot.test_discord_digests import buttons, press, seed_items
from tests.fakes.discord_interactions import MANAGE_GUILD, component, slash
from tests.fixtures.discord import ADMIN_ID, DiscordHarness

GUILD, CHANNEL = "777", "555"


async def channels(h: DiscordHarness) -> list[dict[str, object]]:
    rows = await h.runtime.pool.fetch("SELECT * FROM publishing_channels ORDER BY id")
    return [dict(row) for row in rows]


async def test_channel_digests_need_manage_server_or_an_admin(
    discord_harness: DiscordHarness,
) -> None:
    h = discord_harness
    member = await h.ask(slash("digest channel subscribe", guild=GUILD))
    assert member["flags"] == 64 and "only admins can do that" in member["content"]
    in_dm = await h.ask(slash("digest channel subscribe", perms=MANAGE_GUILD))
    assert "inside a server channel" in in_dm["content"]
    assert await channels(h) == []

    options = {"frequency": "daily", "time": "09:00", "topics": "robotics, nlp"}
    manager = await h.ask(
        slash("digest channel subscribe", guild=GUILD, perms=MANAGE_GUILD, **options)
    )
    assert "Team digest set up for research" in manager["content"]
    admin = await h.ask(slash("digest channel subscribe", guild=GUILD, user_id=ADMIN_ID,
                              frequency="weekly", days="fri"))  # fmt: skip
    assert "Updated the team digest" in admin["content"]
    [row] = await channels(h)
    assert (row["platform"], row["platform_channel_id"], row["team_id"]) == (
        "discord",
        CHANNEL,
        GUILD,
    )
    assert (row["name"], row["created_by"], row["frequency"]) == ("research", "4242", "weekly")


async def test_a_team_digest_is_posted_in_the_channel_and_shows_votes(
    discord_harness: DiscordHarness,
) -> None:
    h = discord_harness
    await h.ask(slash("digest channel subscribe", guild=GUILD, perms=MANAGE_GUILD,
                      frequency="daily", topics="sparse attention"))  # fmt: skip
    await seed_items(h.runtime, "team")
    await h.runtime.pool.execute("UPDATE publishing_channels SET next_due_at = now()")
    assert (await h.runtime.tick.run()).published == 1
    await h.runtime.delivery.drain()

    [post] = h.api.sent(CHANNEL)
    assert len(post["embeds"]) == 4 and post["author"]["bot"]
    [call] = [c for c in h.api.calls if c.path == f"/channels/{CHANNEL}/messages"]
    assert call.json["allowed_mentions"] == {"parse": []} and call.json["enforce_nonce"]
    like = buttons(post)[0]["custom_id"]
    await press(h, post, like, guild=GUILD)
    assert buttons(post)[0]["label"] == "1 · 1"
    await h.interact(component(post, like, user_id="5151", guild=GUILD))  # a second member
    await h.api.until(lambda: buttons(post)[0]["label"] == "1 · 2")
    assert buttons(post)[0]["style"] == 2  # shared message: counts, no personal highlight
