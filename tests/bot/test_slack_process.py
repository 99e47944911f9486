"""A real `digestbot run` process with a Slack token is a Slack bot, not a console."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.bot.slack_harness import TEAM, wait_until
from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[2]
OURS = ("DATABASE_", "REDIS_", "SLACK_", "DISCORD_", "AWS_", "SES_")


@pytest.mark.e2e
async def test_digestbot_run_connects_to_slack_and_answers_commands(
    pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    async with FakeSlackApi() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
        env |= {
            "DATABASE_URL": pg_url, "REDIS_URL": redis_url, "HTTP_PORT": "0",
            "RUN_SCHEDULER": "false", "DIGESTBOT_DATA_DIR": str(tmp_path / "data"),
            "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": "xoxb-e2e",
            "SLACK_APP_TOKEN": "xapp-1-e2e", "SLACK_API_URL": fake.base_url,
        }  # fmt: skip
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", "--no-http", cwd=tmp_path, env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            payload = {
                "team_id": TEAM, "user_id": "U9", "user_name": "u9", "channel_id": "D9",
                "command": "/subscribe", "text": "daily at 09:00 tz UTC",
                "response_url": fake.response_url("e2e"), "trigger_id": "t9",
            }  # fmt: skip
            fake.socket_send({"envelope_id": "e2e-1", "type": "slash_commands", "payload": payload})
            await wait_until(lambda: fake.socket_acks, within=90)
            [response] = await wait_until(lambda: fake.responses, within=30)
        finally:
            proc.terminate()  # SIGTERM: a clean shutdown, bounded here
            try:
                stdout, stderr = await asyncio.wait_for(proc.communicate(), 30)
            finally:
                if proc.returncode is None:
                    proc.kill()
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert "daily" in response["text"].lower()
    assert fake.calls_to("apps.connections.open")[0].token == "xapp-1-e2e"
    assert fake.calls_to("users.info")[0].token == "xoxb-e2e"
    output = stdout.decode()
    assert "connected to Slack (Socket Mode)" in output, stderr.decode()[-2000:]
