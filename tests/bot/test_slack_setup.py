"""The guided set-up behind a bare /subscribe: a modal whose state lives in the Redis session."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.slack.setup_modal import CALLBACK_ID
from storage.redis.sessions import session_key
from tests.bot.slack_harness import (
    TEAM,
    SlackHarness,
    block_action,
    slack_running,
    slack_settings,
    wait_until,
)
from tests.fakes.slack_api import FakeSlackApi


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        api.user_tz["U1"] = "Asia/Tokyo"
        yield api


@pytest.fixture
async def slack(pg_url: str, redis_url: str, fake: FakeSlackApi) -> AsyncIterator[SlackHarness]:
    async with slack_running(slack_settings(pg_url, redis_url, fake), fake) as harness:
        yield harness


def select(value: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def submission(view: dict[str, Any], **choices: Any) -> dict[str, Any]:
    """The view_submission Slack sends when the modal is submitted with these choices."""
    values = {
        "frequency": select(choices.get("frequency", "weekly")),
        "time": select(choices.get("time", "07:00")),
        "timezone": select(choices.get("timezone", "Asia/Tokyo")),
        "days": {"value": {"type": "multi_static_select", "selected_options": [
            {"value": d} for d in choices.get("days", ["Tuesday"])]}},
        "prompt": {"value": {"type": "plain_text_input", "value": choices.get("prompt")}},
    }  # fmt: skip
    return {
        "type": "view_submission", "team": {"id": TEAM}, "api_app_id": "A0001",
        "user": {"id": "U1", "username": "u1", "team_id": TEAM}, "token": "legacy",
        "trigger_id": "trig-2",
        "view": {**view, "id": "V1", "state": {"values": values}},
    }  # fmt: skip


async def opened_view(slack: SlackHarness, fake: FakeSlackApi) -> dict[str, Any]:
    status, body = await slack.command("/subscribe")
    assert (status, body) == (200, "")
    [call] = await wait_until(lambda: fake.calls_to("views.open"))
    assert call.body["trigger_id"] == "trig-U1"
    view: dict[str, Any] = call.body["view"]
    return view


async def test_bare_subscribe_opens_the_modal_and_its_submission_subscribes(
    slack: SlackHarness, fake: FakeSlackApi, redis_client: Redis
) -> None:
    view = await opened_view(slack, fake)

    assert view["callback_id"] == CALLBACK_ID
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert set(blocks) == {"frequency", "time", "timezone", "days", "prompt"}
    zone = blocks["timezone"]["element"]["initial_option"]["value"]
    assert zone == "Asia/Tokyo"  # the Slack profile's timezone is the default
    assert await redis_client.get(session_key("slack", "U1")) is not None  # state: Redis
    assert await slack.runtime.ctx.subscribers.find_by_identity("slack", "U1") is None

    status, body = await slack.interact(submission(view, prompt="Find latest research on NLP"))

    assert (status, body) == (200, "")  # an empty ack closes the modal
    [response] = await wait_until(lambda: fake.responses)  # the /subscribe's response_url
    await slack.settle()
    assert response["response_type"] == "ephemeral" and "weekly" in response["text"].lower()
    subscriber = await slack.runtime.ctx.subscribers.find_by_identity("slack", "U1")
    assert subscriber is not None
    settings = subscriber.frequency_settings
    assert (settings.type.value, settings.time_of_day, settings.timezone) == (
        "weekly", "07:00", "Asia/Tokyo",
    )  # fmt: skip
    assert [d.value for d in settings.preferred_days] == ["Tuesday"]
    assert subscriber.ai_metadata.prompts == ["Find latest research on NLP"]
    assert await redis_client.get(session_key("slack", "U1")) is None
    assert fake.calls_to("views.publish")  # the Home tab shows the new profile


async def test_bad_choices_are_shown_on_the_fields_and_nothing_is_saved(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    view = await opened_view(slack, fake)

    status, body = await slack.interact(submission(view, timezone="Mars/Olympus", days=["Fun"]))

    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"timezone", "days"}
    assert "Mars/Olympus" in answer["errors"]["timezone"]
    assert await slack.runtime.ctx.subscribers.find_by_identity("slack", "U1") is None


async def test_an_expired_set_up_saves_nothing(
    slack: SlackHarness, fake: FakeSlackApi, redis_client: Redis
) -> None:
    view = await opened_view(slack, fake)
    key = session_key("slack", "U1")
    await redis_client.pexpire(key, 20)  # the session's TTL runs out while the modal is open
    await wait_until_gone(redis_client, key)

    status, body = await slack.interact(submission(view))

    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "update"
    assert "expired" in json.dumps(answer["view"])
    assert await slack.runtime.ctx.subscribers.find_by_identity("slack", "U1") is None
    assert fake.responses == []


async def wait_until_gone(redis: Redis, key: str) -> None:
    for _ in range(500):
        if not await redis.exists(key):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{key} did not expire")


async def test_closing_the_modal_cancels_the_set_up(
    slack: SlackHarness, fake: FakeSlackApi, redis_client: Redis
) -> None:
    view = await opened_view(slack, fake)
    closed = {**submission(view), "type": "view_closed", "is_cleared": False}

    status, _ = await slack.interact(closed)

    assert status == 200
    await wait_until_gone(redis_client, session_key("slack", "U1"))
    assert await slack.runtime.ctx.subscribers.find_by_identity("slack", "U1") is None


async def test_without_a_modal_the_set_up_runs_on_buttons(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    fake.fail_next("views.open", ("error", "expired_trigger_id"))
    await slack.command("/subscribe")
    [first] = await wait_until(lambda: fake.responses)
    buttons = [e for b in first["blocks"] if b["type"] == "actions" for e in b["elements"]]
    weekly = next(b for b in buttons if b["value"] == "weekly")
    assert weekly["action_id"].startswith("setup_frequency#")
    assert len({b["action_id"] for b in buttons}) == len(buttons)  # unique, as Slack requires

    pressed = block_action(weekly, response_url=fake.response_url("r2"))
    assert (await slack.interact(pressed))[0] == 200

    responses = await wait_until(lambda: len(fake.responses) == 2 and fake.responses)
    assert "2/5" in responses[1]["text"]  # on to the next question
