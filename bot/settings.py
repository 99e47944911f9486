"""One typed Settings object, read from the environment and `.env`, built only in bot.cli."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_PREFIX = "placeholder-"


def is_configured(value: SecretStr | str | None) -> bool:
    """A credential counts only when it is non-empty and not a `placeholder-...` value."""
    if value is None:
        return False
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    return bool(text.strip()) and not text.startswith(PLACEHOLDER_PREFIX)


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "digestbot"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_file_encoding="utf-8")

    database_url: str = ""
    database_host: str = ""
    database_port: int = Field(default=5432, ge=1, le=65535)
    database_name: str = "publishing_db"
    database_user: str = "publishing_user"
    database_password: SecretStr = SecretStr("")
    database_pool_size: int = Field(default=20, ge=1, le=500)

    redis_url: str = ""
    redis_host: str = ""
    redis_port: int = Field(default=6379, ge=1, le=65535)

    aws_region: str = "us-east-1"
    aws_access_key_id: SecretStr = SecretStr("")
    aws_secret_access_key: SecretStr = SecretStr("")
    aws_endpoint_url: str = ""
    ses_sender_email: str = ""
    # Secret path segment of POST /ses/notifications/{secret} (SNS bounces/complaints).
    ses_notification_secret: SecretStr = SecretStr("")

    slack_bot_token: SecretStr = SecretStr("")
    slack_app_token: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")
    slack_client_id: str = ""
    slack_client_secret: SecretStr = SecretStr("")
    slack_api_url: str = "https://slack.com/api/"

    discord_bot_token: SecretStr = SecretStr("")
    discord_client_id: str = ""
    discord_client_secret: SecretStr = SecretStr("")
    discord_api_url: str = "https://discord.com/api/v10"

    # Feed and arXiv sources (scheduler/ingest.py).
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    ingest_seconds: float = Field(default=300.0, gt=0)  # how often due sources are looked for
    feed_poll_minutes: int = Field(default=60, ge=1)  # how often each source is fetched
    feed_timeout_seconds: float = Field(default=20.0, gt=0)
    feed_max_bytes: int = Field(default=5_000_000, ge=10_000)
    feed_max_redirects: int = Field(default=5, ge=0, le=20)
    feed_max_failures: int = Field(default=5, ge=1)  # failures in a row before a pause
    feed_host_interval_seconds: float = Field(default=1.0, ge=0)  # per-host pacing
    arxiv_interval_seconds: float = Field(default=3.0, ge=0)  # arXiv's API etiquette
    # Lets sources on private or loopback addresses be fetched (local testing only).
    feed_allow_private_hosts: bool = False

    # An OpenAI-compatible chat-completions API (hosted or local); no key: local scorer.
    llm_base_url: str = "https://api.openai.com/v1"
    llm_api_key: SecretStr = SecretStr("")
    llm_model: str = "gpt-4o-mini"
    llm_timeout_seconds: float = Field(default=20.0, gt=0)
    llm_daily_budget: int = Field(default=500, ge=0)  # requests per UTC day, all processes
    llm_rescore: bool = True  # also rescore each digest's top candidates

    http_port: int = Field(default=8080, ge=0, le=65535)
    public_base_url: str = "http://localhost:8080"
    secret_key: SecretStr = SecretStr("")
    # Bearer token for the JSON API and the admin dashboard; empty turns bearer access off.
    api_token: SecretStr = SecretStr("")
    digestbot_data_dir: Path = Field(default_factory=default_data_dir)
    admin_user_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    console_user: str = "console-user"
    run_scheduler: bool = True
    # Scheduler and delivery workers (see scheduler/); seconds unless named otherwise.
    tick_seconds: float = Field(default=30.0, gt=0)
    drain_seconds: float = Field(default=2.0, gt=0)
    housekeeping_seconds: float = Field(default=600.0, gt=0)
    claim_lease_seconds: float = Field(default=300.0, gt=0)
    delivery_lease_seconds: float = Field(default=120.0, gt=0)
    tick_batch_size: int = Field(default=200, ge=1, le=5000)
    delivery_batch_size: int = Field(default=50, ge=1, le=1000)
    # The SES account's MaxSendRate (emails per second), shared by every worker.
    ses_max_send_rate: float = Field(default=14.0, gt=0)
    # Pub/sub channel for operator alerts; empty means one per Redis database.
    alerts_channel: str = ""
    # Engagement roll-up into learned preferences, and the scan for real-time alerts.
    rollup_seconds: float = Field(default=300.0, gt=0)
    alert_scan_seconds: float = Field(default=60.0, gt=0)
    log_level: str = "WARNING"

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("digestbot_data_dir", mode="before")
    @classmethod
    def _data_dir(cls, value: object) -> object:
        # An empty value (as in .env.example) means the default, not the current directory.
        return default_data_dir() if value in ("", None) else value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    def postgres_url(self) -> str | None:
        """The configured server, or None to start the embedded one."""
        if self.database_url:
            return self.database_url
        if self.database_host:
            password = quote(self.database_password.get_secret_value(), safe="")
            auth = f"{quote(self.database_user, safe='')}:{password}"
            return (
                f"postgresql://{auth}@{self.database_host}:{self.database_port}/"
                f"{self.database_name}"
            )
        return None

    def redis_server_url(self) -> str | None:
        if self.redis_url:
            return self.redis_url
        if self.redis_host:
            return f"redis://{self.redis_host}:{self.redis_port}/0"
        return None

    def is_admin(self, platform: str, user_id: str) -> bool:
        return f"{platform}:{user_id}" in self.admin_user_ids

    @property
    def ses_configured(self) -> bool:
        return all(
            is_configured(v)
            for v in (self.aws_access_key_id, self.aws_secret_access_key, self.ses_sender_email)
        )


def describe_error(error: Exception) -> str:
    """One line naming the bad variable, for start-up failures."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        name = "_".join(str(p) for p in first["loc"]).upper() or "SETTINGS"
        return f"digestbot: invalid setting {name}: {first['msg']}"
    return f"digestbot: invalid settings: {error}"
