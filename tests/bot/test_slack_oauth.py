"""Installing into any number of workspaces: Slack's OAuth flow on the bot's HTTP service,
installations in PostgreSQL, and digests sent with each workspace's own bot token."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
from slack_sdk.oauth.installation_store import Installation

from core.delivery import DeliveryOutcome, OutboundMessage
from core.mockdata import mock_content
from storage.postgres.slack_installations import PgSlackInstallationStore
from tests.bot.slack_harness import SlackHarness, slack_running, slack_settings, wait_until
from tests.fakes.slack_api import FakeSlackApi

CLIENT_ID = "111.222"
INSTALLED_TOKEN = "xoxb-T111-installed"  # what the fake's oauth.v2.access hands out


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        api.oauth_team = ("T111", "Acme Research")
        yield api


@pytest.fixture
async def slack(pg_url: str, redis_url: str, fake: FakeSlackApi) -> AsyncIterator[SlackHarness]:
    settings = slack_settings(pg_url, redis_url, fake, slack_bot_token="",
                              slack_client_id=CLIENT_ID, slack_client_secret="shh")  # fmt: skip
    async with slack_running(settings, fake) as harness:
        yield harness


async def install(slack: SlackHarness, state: str | None = None) -> tuple[int, str]:
    """(status, state used): `state` replaces the one Slack would hand back."""
    # Visit /slack/install, then come back from Slack to /slack/oauth_redirect.
    async with slack.http.get(slack.base + "/slack/install") as page:
        assert page.status == 200
        html, cookie = await page.text(), page.headers["Set-Cookie"].split(";")[0]
    link = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', html)
    assert link is not None and f"client_id={CLIENT_ID}" in link.group(1)
    issued = re.search(r"state=([\w-]+)", link.group(1))
    assert issued is not None
    query = {"code": "the-code", "state": state or issued.group(1)}
    headers = {"Cookie": cookie.replace(issued.group(1), query["state"])}
    async with slack.http.get(
        slack.base + "/slack/oauth_redirect", params=query, headers=headers
    ) as back:
        return back.status, query["state"]


async def test_installing_stores_the_workspace_and_its_token_is_used(
    slack: SlackHarness, fake: FakeSlackApi, pg_url: str
) -> None:
    status, state = await install(slack)

    assert status == 200
    assert (await install(slack, state=state))[0] >= 400  # a used state is refused
    [exchange] = fake.calls_to("oauth.v2.access")
    assert exchange.body["code"] == "the-code"
    store = PgSlackInstallationStore(slack.runtime.pool, CLIENT_ID)
    bot = await store.async_find_bot(enterprise_id=None, team_id="T111")
    assert bot is not None and bot.bot_token == INSTALLED_TOKEN

    await slack.command("/subscribe daily at 08:00 tz UTC", team="T111")  # from that workspace
    await wait_until(lambda: fake.responses)
    await slack.settle()
    assert {c.token for c in fake.calls_to("users.info")} == {INSTALLED_TOKEN}

    await slack.runtime.ctx.content.add_many(mock_content(20, 3, datetime.now(UTC)))
    await slack.command('/digest prompt add "NLP and language models"', team="T111", response="r2")
    await wait_until(lambda: len(fake.responses) == 2)
    await slack.runtime.pool.execute("UPDATE publishing_subscribers SET next_due_at = now()")
    await slack.runtime.tick.run()
    await slack.runtime.delivery.drain()
    [post] = fake.ok_calls_to("chat.postMessage")
    assert post.token == INSTALLED_TOKEN  # the digest went out with T111's own bot token
    assert await slack.runtime.redis.exists("ratelimit:team:T111:slack:workspace")

    await slack.event({"type": "app_uninstalled"}, event_id="EvU", team="T111")
    await wait_until_uninstalled(store)


async def wait_until_uninstalled(store: PgSlackInstallationStore) -> None:
    for _ in range(500):  # Bolt's own listener removes the workspace's tokens
        bot = await store.async_find_bot(enterprise_id=None, team_id="T111")
        installed = await store.async_find_installation(enterprise_id=None, team_id="T111")
        if bot is None and installed is None:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the installation outlived the uninstall")


async def test_a_forged_or_replayed_state_installs_nothing(
    slack: SlackHarness, fake: FakeSlackApi
) -> None:
    status, _ = await install(slack, state="made-up-state")

    assert status >= 400
    assert fake.calls_to("oauth.v2.access") == []
    store = PgSlackInstallationStore(slack.runtime.pool, CLIENT_ID)
    assert await store.async_find_bot(enterprise_id=None, team_id="T111") is None


async def test_a_workspace_without_an_installation_is_retried_not_suppressed(
    slack: SlackHarness,
) -> None:
    deliverer = slack.runtime.delivery.deliverers["slack"]
    message = OutboundMessage(destination="slack", address="U9", idempotency_key="k")

    result = await deliverer.deliver(message)

    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert "no Slack installation" in result.detail


async def test_the_installation_store_round_trips(pg_pool: asyncpg.Pool) -> None:
    store = PgSlackInstallationStore(pg_pool, CLIENT_ID)
    for user, token in (("U1", "xoxb-old"), ("U2", "xoxb-new")):
        await store.async_save(Installation(
            app_id="A1", team_id="T1", team_name="One", user_id=user, bot_token=token,
            bot_id="B1", bot_user_id="UB", bot_scopes="commands,chat:write",
        ))  # fmt: skip
    org = Installation(enterprise_id="E1", team_id="T9", user_id="U3", bot_token="xoxb-org",
                       is_enterprise_install=True)  # fmt: skip
    await store.async_save(org)

    bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and (bot.bot_token, bot.bot_scopes) == (
        "xoxb-new", ["commands", "chat:write"],
    )  # fmt: skip
    latest = await store.async_find_installation(enterprise_id=None, team_id="T1")
    assert latest is not None and latest.user_id == "U2"
    first = await store.async_find_installation(enterprise_id=None, team_id="T1", user_id="U1")
    assert first is not None and first.team_name == "One"
    found = await store.async_find_bot(enterprise_id="E1", team_id="T5", is_enterprise_install=True)
    assert found is not None and found.bot_token == "xoxb-org"  # an org install serves all
    assert await PgSlackInstallationStore(pg_pool, "other").async_find_bot(
        enterprise_id=None, team_id="T1"
    ) is None  # fmt: skip

    await store.async_delete_all(enterprise_id=None, team_id="T1")
    assert await store.async_find_bot(enterprise_id=None, team_id="T1") is None
    assert await store.async_find_installation(enterprise_id=None, team_id="T1") is None
