"""Slash commands through the real Bolt app, signed as Slack signs them, over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.bot.slack_harness import SECRET, SlackHarness, slack_running, slack_settings, wait_until
from tests.fakes.slack_api import FakeSlackApi


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        yield api


@pytest.fixture
async def slack(pg_url: str, redis_url: str, fake: FakeSlackApi) -> AsyncIterator[SlackHarness]:
    settings = slack_settings(pg_url, redis_url, fake, admin_user_ids="slack:U3")
    async with slack_running(settings, fake) as harness:
        yield harness


def texts(response: dict) -> str:
    """Everything a response shows: its fallback text and every block's text."""
    parts = [response.get("text", "")]
    for block in response.get("blocks") or []:
        parts.append(str((block.get("text") or {}).get("text", "")))
    return "\n".join(parts)


async def test_signed_subscribe_creates_the_profile_and_answers_ephemerally(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    status, _ = await slack.command("/subscribe daily at 08:00 tz Europe/Paris")

    assert status == 200
    [response] = await wait_until(lambda: fake.responses)
    assert response["response_type"] == "ephemeral"
    assert "daily" in texts(response).lower()
    subscriber = await slack.runtime.ctx.subscribers.find_by_identity("slack", "U1")
    assert subscriber is not None
    settings = subscriber.frequency_settings
    assert (settings.type.value, settings.time_of_day, settings.timezone) == (
        "daily", "08:00", "Europe/Paris",
    )  # fmt: skip
    assert (subscriber.dispatch_type.value, subscriber.slack_team_id) == ("slack", "T0000")
    await wait_until(lambda: fake.calls_to("views.publish"))  # the Home tab follows the change
    await slack.settle()


@pytest.mark.parametrize(
    ("age", "secret"),
    [(360, SECRET), (0, "forged-secret"), (-360, SECRET)],
    ids=["6-minutes-old", "forged", "from-the-future"],
)
async def test_stale_or_forged_requests_are_rejected_and_change_nothing(
    slack: SlackHarness, fake: FakeSlackApi, age: float, secret: str
) -> None:
    status, _ = await slack.command("/subscribe daily at 08:00 tz Europe/Paris", age=age,
                                    secret=secret)  # fmt: skip
    await asyncio.sleep(0.2)  # room for any (wrongly) started work to show up

    assert status == 401
    assert await slack.runtime.ctx.subscribers.find_by_identity("slack", "U1") is None
    assert fake.calls == [] and fake.responses == []


async def test_unsigned_requests_are_rejected(slack: SlackHarness) -> None:
    async with slack.http.post(slack.base + "/slack/events", data="command=/digest") as r:
        assert r.status == 401


async def test_commands_are_acknowledged_before_the_slow_work(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    release = asyncio.Event()
    fake.fail_next("users.info", ("hold", release))  # Slack is slow to tell us who U1 is

    status, body = await slack.command("/subscribe weekly on fri at 16:00 tz UTC")

    assert (status, body) == (200, "")  # the ack went out while the work is still waiting
    assert fake.responses == []
    assert await slack.runtime.ctx.subscribers.find_by_identity("slack", "U1") is None
    release.set()
    [response] = await wait_until(lambda: fake.responses)  # ...and the answer follows later
    assert "weekly" in texts(response).lower()
    assert await slack.runtime.ctx.subscribers.find_by_identity("slack", "U1") is not None


async def test_profile_timezone_is_the_default(slack: SlackHarness, fake: FakeSlackApi) -> None:
    fake.user_tz["U1"] = "Asia/Tokyo"
    await slack.command("/subscribe daily at 07:30")
    await wait_until(lambda: fake.responses)
    subscriber = await slack.runtime.ctx.subscribers.find_by_identity("slack", "U1")
    assert subscriber is not None and subscriber.frequency_settings.timezone == "Asia/Tokyo"


async def test_mentions_in_a_prompt_are_echoed_harmlessly(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    await slack.command("/subscribe daily at 08:00 tz UTC")
    await wait_until(lambda: fake.responses)
    line = '/digest prompt add "<!channel> @here <@U999> <!subteam^S1> news on NLP"'
    await slack.command(line, response="r2")
    await wait_until(lambda: len(fake.responses) == 2)
    await slack.command("/digest prompt list", response="r3")

    responses = await wait_until(lambda: len(fake.responses) == 3 and fake.responses)
    await slack.settle()
    shown = "\n".join(texts(r) for r in responses[1:])
    shown += "\n".join(str(c.body.get("view")) for c in fake.calls_to("views.publish"))
    assert "&lt;!channel&gt;" in shown and "&lt;@U999&gt;" in shown
    for mention in ("<!channel>", "<!here>", "<@U999>", "<!subteam", "@here"):
        assert mention not in shown
    assert "@\u200bhere" in shown  # still readable, no longer a mention
    subscriber = await slack.runtime.ctx.subscribers.find_by_identity("slack", "U1")
    assert subscriber is not None
    assert subscriber.ai_metadata.prompts[0].startswith("<!channel> @here")  # stored as typed


async def test_bad_input_gets_a_clear_message_and_loses_nothing(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    await slack.command("/subscribe weekly on mon at 09:00 tz UTC")
    await wait_until(lambda: fake.responses)
    await slack.command("/digest frequency sometimes", response="r2")

    responses = await wait_until(lambda: len(fake.responses) == 2 and fake.responses)
    answer = texts(responses[1])
    assert "⚠️" in answer and "sometimes" in answer and "Usage" in answer
    subscriber = await slack.runtime.ctx.subscribers.find_by_identity("slack", "U1")
    assert subscriber is not None and subscriber.frequency.value == "weekly"


async def test_help_lists_the_commands(slack: SlackHarness, fake: FakeSlackApi) -> None:
    await slack.command("/digest")
    [response] = await wait_until(lambda: fake.responses)
    assert "/digest settings" in texts(response) and "/subscribe" in texts(response)


async def test_channel_digests_are_for_admins_inside_a_channel(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    fake.users["U2"] = {"is_admin": True}  # a workspace admin; U3 is an admin by settings
    line = "/digest channel subscribe weekly on mon at 09:00 tz UTC"
    await slack.command(line, user="U1", channel="C1", channel_name="research", response="r1")
    await slack.command(line, user="U2", channel="D2", response="r2")
    await slack.command(line, user="U2", channel="C1", channel_name="research", response="r3")
    await slack.command(line, user="U3", channel="C2", channel_name="papers", response="r4")

    responses = await wait_until(lambda: len(fake.responses) == 4 and fake.responses)
    by_url = {r["url_name"]: texts(r) for r in responses}
    assert "only admins" in by_url["r1"]
    assert "inside the channel" in by_url["r2"]
    assert "✅" in by_url["r3"] and "✅" in by_url["r4"]
    channels = slack.runtime.channels
    research = await channels.find("slack", "C1")
    assert research is not None and (research.team_id, research.name) == ("T0000", "research")
    assert await channels.find("slack", "C2") is not None
    assert await channels.find("slack", "D2") is None
    joined = [c.body["channel"] for c in fake.calls_to("conversations.join")]
    assert sorted(joined) == ["C1", "C2"]  # the bot joins so it can post there
