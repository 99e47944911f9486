"""Events API: the App Home tab, Slack's retried deliveries, and DMs to the bot."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.bot.slack_harness import SlackHarness, slack_running, slack_settings, wait_until
from tests.fakes.slack_api import FakeSlackApi

HOME_OPENED = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"}


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        yield api


@pytest.fixture
async def slack(pg_url: str, redis_url: str, fake: FakeSlackApi) -> AsyncIterator[SlackHarness]:
    async with slack_running(slack_settings(pg_url, redis_url, fake), fake) as harness:
        yield harness


def home_text(fake: FakeSlackApi, index: int = -1) -> str:
    view: dict[str, Any] = fake.calls_to("views.publish")[index].body["view"]
    assert view["type"] == "home"
    return json.dumps(view, ensure_ascii=False)


async def test_the_home_tab_welcomes_newcomers_with_a_set_up_button(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    status, _ = await slack.event(HOME_OPENED)
    assert status == 200
    await wait_until(lambda: fake.calls_to("views.publish"))
    assert fake.calls_to("views.publish")[0].body["user_id"] == "U1"
    assert "home_subscribe#0" in home_text(fake)


async def test_the_home_tab_shows_settings_next_digest_prompts_topics_and_history(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    await slack.command("/subscribe weekly on wed at 07:15 tz Europe/Paris")
    await wait_until(lambda: len(fake.calls_to("views.publish")) == 1)
    await slack.command('/digest prompt add "graph neural networks for chemistry"', response="r2")
    await wait_until(lambda: len(fake.calls_to("views.publish")) == 2)  # refreshed on change
    await slack.settle()

    home = home_text(fake)
    assert "07:15" in home and "Europe/Paris" in home and "next digest" in home
    assert "graph neural networks for chemistry" in home  # the prompt
    assert "What I look for" in home and "graph neural networks" in home.split("topics")[1]
    assert "No digests yet" in home  # the last digests (none so far)

    await slack.command("/digest style detailed", response="r3")
    await wait_until(lambda: len(fake.calls_to("views.publish")) == 3)
    await slack.settle()
    assert "detailed" in home_text(fake)


async def test_a_retried_event_is_processed_once(slack: SlackHarness, fake: FakeSlackApi) -> None:
    assert (await slack.event(HOME_OPENED, event_id="Ev42"))[0] == 200
    await wait_until(lambda: fake.calls_to("views.publish"))
    for retry in (1, 2):  # Slack thought we missed it and sends it again
        assert (await slack.event(HOME_OPENED, event_id="Ev42", retry=retry))[0] == 200
    await slack.settle()
    assert len(fake.calls_to("views.publish")) == 1

    assert (await slack.event(HOME_OPENED, event_id="Ev43"))[0] == 200  # a new event runs
    await wait_until(lambda: len(fake.calls_to("views.publish")) == 2)


async def test_a_dm_to_the_bot_is_answered(slack: SlackHarness, fake: FakeSlackApi) -> None:
    await slack.command("/subscribe daily at 08:00 tz UTC")
    await wait_until(lambda: fake.responses)
    message = {"type": "message", "channel_type": "im", "channel": "DU1", "user": "U1",
               "text": "digest settings", "ts": "5.0"}  # fmt: skip

    await slack.event(message, event_id="Ev7")

    [reply] = await wait_until(lambda: fake.calls_to("chat.postMessage"))
    assert reply.body["channel"] == "U1" and "Settings for" in reply.body["text"]
