"""The running Slack bot: Socket Mode with an app token, else HTTP on the bot's service."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TextIO

import asyncpg
from aiohttp import web
from redis.asyncio import Redis
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.settings import Settings
from bot.slack.app import build_app, slack_mode, socket_mode, web_client
from bot.slack.http import slack_routes
from bot.slack.services import SlackServices, admin_ids_from
from core.service import CommandService
from storage.postgres.slack_installations import PgSlackInstallationStore
from storage.redis.engagement import EngagementCounters

log = logging.getLogger(__name__)


@dataclass
class SlackBot:
    settings: Settings
    app: AsyncApp
    services: SlackServices
    installations: AsyncInstallationStore | None = None

    def routes(self) -> web.RouteTableDef:
        return slack_routes(self.app)

    async def run(self, out: TextIO, http_running: bool) -> None:
        """Serve Slack until cancelled."""
        if socket_mode(self.settings):
            token = self.settings.slack_app_token.get_secret_value()
            handler = AsyncSocketModeHandler(
                self.app, app_token=token, web_client=web_client(self.settings)
            )
            await handler.connect_async()
            print("digestbot is connected to Slack (Socket Mode).", file=out, flush=True)
            try:
                await asyncio.Event().wait()
            finally:
                await handler.close_async()
                await self.services.settle()
            return
        base = self.settings.public_base_url.rstrip("/")
        where = f"{base}/slack/events" if http_running else "nowhere: the HTTP service is off"
        print(f"digestbot is serving Slack over HTTP; events at {where}.", file=out, flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await self.services.settle()


def build_slack(
    settings: Settings, service: CommandService, redis: Redis, pool: asyncpg.Pool
) -> SlackBot | None:
    """The Slack bot when Slack is configured (bot token or OAuth client), else None."""
    mode = slack_mode(settings)
    if mode == "off":
        return None
    services = SlackServices(
        service=service,
        redis=redis,
        engagement=EngagementCounters(redis),
        admin_user_ids=admin_ids_from(settings.admin_user_ids),
    )
    store = PgSlackInstallationStore(pool, settings.slack_client_id) if mode == "oauth" else None
    return SlackBot(settings, build_app(settings, services, store), services, store)
