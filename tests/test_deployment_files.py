"""docker-compose.yml, the Dockerfile and .env.example are what production relies on."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BRIEF_VARIABLES = """DATABASE_HOST DATABASE_PORT DATABASE_NAME DATABASE_USER DATABASE_PASSWORD
REDIS_HOST REDIS_PORT AWS_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY SES_SENDER_EMAIL
SLACK_BOT_TOKEN SLACK_CLIENT_ID SLACK_CLIENT_SECRET DISCORD_BOT_TOKEN DISCORD_CLIENT_ID
DISCORD_CLIENT_SECRET DATABASE_URL REDIS_URL""".split()


def test_compose_runs_postgres_redis_bot_and_worker() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "bot", "worker"}
    postgres, redis = services["postgres"], services["redis"]
    assert postgres["image"] == "postgres:15"
    assert postgres["environment"]["POSTGRES_USER"] == "publishing_user"
    assert postgres["environment"]["POSTGRES_DB"] == "publishing_db"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert redis["image"] == "redis:7"
    assert "--appendonly" in redis["command"] and "yes" in redis["command"]
    assert any(v.endswith(":/data") for v in redis["volumes"])
    assert "ping" in redis["healthcheck"]["test"]
    for name in ("bot", "worker"):
        service = services[name]
        assert service["env_file"] == ".env"
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }
        assert service["networks"] == ["publishing-network"]
    assert services["worker"]["command"] == ["digestbot", "worker"]
    assert compose["networks"]["publishing-network"]["driver"] == "bridge"
    assert set(compose["volumes"]) == {"postgres-data", "redis-data"}


def test_env_example_carries_every_brief_variable_and_parses() -> None:
    text = (ROOT / ".env.example").read_text()
    names = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    assert set(BRIEF_VARIABLES) <= names
    settings = Settings(_env_file=ROOT / ".env.example")  # type: ignore[call-arg]
    assert not settings.ses_configured  # placeholders switch services off
    assert settings.postgres_url() is None  # empty host: embedded servers
    assert settings.digestbot_data_dir.is_absolute()  # empty: the per-user default


def test_dockerfile_installs_the_project_and_runs_the_bot() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install" in dockerfile and 'CMD ["digestbot", "run"]' in dockerfile
