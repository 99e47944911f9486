"""Socket Mode: with SLACK_APP_TOKEN the bot connects out to Slack over a WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import io

from tests.bot.slack_harness import TEAM, slack_running, slack_settings, wait_until
from tests.fakes.slack_api import FakeSlackApi


async def test_socket_mode_acknowledges_and_runs_a_slash_command(
    pg_url: str, redis_url: str
) -> None:
    async with FakeSlackApi() as fake:
        settings = slack_settings(pg_url, redis_url, fake, slack_app_token="xapp-1-A0001-test",
                                  slack_signing_secret="")  # fmt: skip
        async with slack_running(settings, fake) as slack:
            out = io.StringIO()
            running = asyncio.create_task(slack.bot.run(out, http_running=False))
            try:
                payload = {
                    "team_id": TEAM, "user_id": "U5", "user_name": "u5", "channel_id": "D5",
                    "channel_name": "directmessage", "command": "/subscribe",
                    "text": "monthly at 10:00 tz UTC", "api_app_id": "A0001",
                    "response_url": fake.response_url("sock"), "trigger_id": "trig-5",
                }  # fmt: skip
                envelope = {"envelope_id": "env-1", "type": "slash_commands", "payload": payload}
                fake.socket_send({**envelope, "accepts_response_payload": True})

                acks = await wait_until(lambda: fake.socket_acks)
                assert acks[0]["envelope_id"] == "env-1"
                [response] = await wait_until(lambda: fake.responses)
                assert "monthly" in response["text"].lower()
            finally:
                running.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await running
            opened = fake.calls_to("apps.connections.open")
            assert opened and opened[0].token == "xapp-1-A0001-test"
            assert "Socket Mode" in out.getvalue()
            subscriber = await slack.runtime.ctx.subscribers.find_by_identity("slack", "U5")
            assert subscriber is not None and subscriber.frequency.value == "monthly"
