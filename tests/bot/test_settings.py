"""Settings: placeholder detection, server resolution, and one clear line on bad input."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import SecretStr

from bot.settings import Settings, is_configured


@pytest.mark.parametrize(
    ("value", "configured"),
    [("", False), ("  ", False), ("placeholder-xoxb", False), (None, False), ("xoxb-1", True)],
)
def test_placeholder_values_switch_a_service_off(value: str | None, configured: bool) -> None:
    assert is_configured(value) is configured
    if value is not None:
        assert is_configured(SecretStr(value)) is configured


def test_ses_needs_all_three_credentials() -> None:
    settings = Settings(
        _env_file=None,
        aws_access_key_id="AKIA1",
        aws_secret_access_key="secret",
        ses_sender_email="placeholder-digests@example.com",
    )  # type: ignore[call-arg]
    assert not settings.ses_configured


def test_configured_servers_win_over_embedded() -> None:
    bare = Settings(_env_file=None)  # type: ignore[call-arg]
    assert bare.postgres_url() is None and bare.redis_server_url() is None
    hosts = Settings(
        _env_file=None,
        database_host="db",
        database_password="p@ss word",
        redis_host="cache",
    )  # type: ignore[call-arg]
    assert (
        hosts.postgres_url() == "postgresql://publishing_user:p%40ss%20word@db:5432/publishing_db"
    )
    assert hosts.redis_server_url() == "redis://cache:6379/0"
    url = Settings(_env_file=None, database_url="postgresql://x@y/z", database_host="db")  # type: ignore[call-arg]
    assert url.postgres_url() == "postgresql://x@y/z"


def test_admin_ids_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_USER_IDS", "slack:U1, discord:42")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.is_admin("slack", "U1") and settings.is_admin("discord", "42")
    assert not settings.is_admin("slack", "U2")


@pytest.mark.parametrize(
    ("name", "value"),
    [("HTTP_PORT", "eighty"), ("DATABASE_POOL_SIZE", "0"), ("LOG_LEVEL", "LOUD")],
)
def test_invalid_settings_stop_startup_with_one_line_naming_the_variable(
    name: str, value: str, tmp_path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        env={"PATH": "/usr/bin:/bin", name: value, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
        input="",
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"digestbot: invalid setting {name}:")
