"""`digestbot admin-link` prints a signed, expiring dashboard link."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.http.pages.tokens import admin_token_ok


def test_the_cli_prints_a_link_that_opens_the_dashboard_until_it_expires(
    pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    env |= {
        "DATABASE_URL": pg_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "cli-test-signing-key",
        "PUBLIC_BASE_URL": "https://digest.example.org",
        "DIGESTBOT_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "admin-link", "--hours", "2"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    link = done.stdout.strip().splitlines()[-1]
    assert link.startswith("https://digest.example.org/admin?token=")
    token = link.split("token=", 1)[1]
    key, now = b"cli-test-signing-key", datetime.now(UTC)
    assert admin_token_ok(key, token, now + timedelta(hours=1)) == "valid"
    assert admin_token_ok(key, token, now + timedelta(hours=3)) == "expired"
