"""OAuth install for many workspaces: Bolt's settings with state in Redis, installs in PG."""

from __future__ import annotations

import logging
import secrets

from redis.asyncio import Redis
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

log = logging.getLogger(__name__)
STATE_SECONDS = 600
# What the app asks for on install; slack/manifest.yml declares the same list.
BOT_SCOPES = (
    "commands", "chat:write", "im:write", "im:history", "users:read", "users:read.email",
    "channels:join", "channels:read", "groups:read",
)  # fmt: skip


class RedisOAuthStateStore(AsyncOAuthStateStore):
    """One-time OAuth `state` values that expire: any bot process can finish an install."""

    def __init__(self, redis: Redis, expiration_seconds: int = STATE_SECONDS) -> None:
        self._redis = redis
        self._seconds = expiration_seconds

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        state = secrets.token_urlsafe(32)
        await self._redis.set(f"slack:oauth-state:{state}", "1", ex=self._seconds)
        return state

    async def async_consume(self, state: str) -> bool:
        # DEL answers 1 only for the first caller: a replayed state is refused.
        return bool(state) and bool(await self._redis.delete(f"slack:oauth-state:{state}"))


def oauth_settings(
    client_id: str,
    client_secret: str,
    installation_store: AsyncInstallationStore,
    redis: Redis,
    public_base_url: str,
) -> AsyncOAuthSettings:
    """Install at /slack/install, Slack redirects back to /slack/oauth_redirect."""
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=f"{public_base_url.rstrip('/')}/slack/oauth_redirect",
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        installation_store=installation_store,
        state_store=RedisOAuthStateStore(redis),
        state_expiration_seconds=STATE_SECONDS,
    )
