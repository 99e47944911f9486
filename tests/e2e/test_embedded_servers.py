"""With no DATABASE_URL / REDIS_URL, `digestbot run` starts embedded servers, says so in one
line, and the next start finds the same data."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(data_dir: Path, *lines: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "TEST_", "SLACK_", "DISCORD_", "AWS_"))
    }
    env.update(DIGESTBOT_DATA_DIR=str(data_dir), HTTP_PORT="0", RUN_SCHEDULER="false")
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--no-http"],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=data_dir.parent,
        timeout=180,
        check=False,
    )


def test_embedded_servers_start_and_keep_data_across_restarts(tmp_path: Path) -> None:
    data_dir = tmp_path / "digestbot-data"
    try:
        first = _run(data_dir, "/subscribe weekly on fri at 09:15 tz Asia/Tokyo")
        assert first.returncode == 0, first.stderr
        notices = [line for line in first.stdout.splitlines() if "embedded" in line]
        assert notices == [
            f"Using embedded PostgreSQL and Redis with data in {data_dir} "
            "(set DATABASE_URL / REDIS_URL to use your own servers)."
        ]
        second = _run(data_dir, "/digest settings")
        assert second.returncode == 0, second.stderr
        assert "weekly on Friday at 09:15 Asia/Tokyo" in second.stdout
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver

            pgserver.get_server(data_dir / "postgres", cleanup_mode="stop").cleanup()
