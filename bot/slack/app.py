"""Build the Bolt AsyncApp: one bot token, or OAuth installs into many workspaces."""

from __future__ import annotations

import logging
from typing import Any, Literal

from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings, is_configured
from bot.slack.dedupe import dedupe_events
from bot.slack.listeners import register_all
from bot.slack.oauth import oauth_settings
from bot.slack.services import SlackServices

log = logging.getLogger(__name__)
Mode = Literal["off", "token", "oauth"]


def slack_mode(settings: Settings) -> Mode:
    """oauth with SLACK_CLIENT_ID + SLACK_CLIENT_SECRET, token with SLACK_BOT_TOKEN, else off."""
    if is_configured(settings.slack_client_id) and is_configured(settings.slack_client_secret):
        return "oauth"
    return "token" if is_configured(settings.slack_bot_token) else "off"


def socket_mode(settings: Settings) -> bool:
    return is_configured(settings.slack_app_token)


def web_client(settings: Settings, token: str | None = None) -> AsyncWebClient:
    """A Web API client pointed at SLACK_API_URL (a local fake in tests)."""
    return AsyncWebClient(token=token, base_url=settings.slack_api_url)


def build_app(
    settings: Settings,
    services: SlackServices,
    installation_store: AsyncInstallationStore | None = None,
) -> AsyncApp:
    """The app with every listener; `installation_store` is required in OAuth mode."""
    mode = slack_mode(settings)
    signing_secret = settings.slack_signing_secret.get_secret_value()
    if not is_configured(signing_secret) and not socket_mode(settings):
        # Without it every request fails verification (401): safe, but say why.
        log.warning("SLACK_SIGNING_SECRET is not set: Slack's requests will all be rejected")
    kwargs: dict[str, Any] = {"signing_secret": signing_secret, "name": "digestbot"}
    if mode == "oauth":
        if installation_store is None:
            raise ValueError("OAuth mode needs an installation store")
        settings_ = oauth_settings(
            settings.slack_client_id,
            settings.slack_client_secret.get_secret_value(),
            installation_store,
            services.redis,
            settings.public_base_url,
        )
        app = AsyncApp(
            client=web_client(settings),
            installation_store=installation_store,
            oauth_settings=settings_,
            **kwargs,
        )
        app.enable_token_revocation_listeners()  # uninstalls remove the stored tokens
    elif mode == "token":
        token = settings.slack_bot_token.get_secret_value()
        app = AsyncApp(client=web_client(settings, token), **kwargs)
    else:
        raise ValueError("Slack is not configured (set SLACK_BOT_TOKEN or client id/secret)")
    app.middleware(dedupe_events(services))
    register_all(app, services)
    return app
