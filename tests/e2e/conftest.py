"""Run the real `digestbot` process against this test's own PostgreSQL and Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RunBot = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def bot_env(pg_url: str, redis_url: str, tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "SLACK_", "DISCORD_", "AWS_", "SES_"))
    }
    env.update(
        DATABASE_URL=pg_url,
        REDIS_URL=redis_url,
        HTTP_PORT="0",
        RUN_SCHEDULER="false",
        DIGESTBOT_DATA_DIR=str(tmp_path / "data"),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def run_bot(bot_env: dict[str, str], tmp_path: Path) -> RunBot:
    """Pipe lines into `digestbot run` and return the finished process."""

    def run(
        *lines: str, args: tuple[str, ...] = (), timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "run", "--no-http", *args],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            env=bot_env,
            cwd=tmp_path,  # no .env from the checkout leaks in
            timeout=timeout,
            check=False,
        )

    return run
