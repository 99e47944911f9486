"""Every route table of the one HTTP service, assembled from the runtime."""

from __future__ import annotations

from aiohttp import web

from bot.http.engagement_routes import engagement_route_tables
from bot.http.health import health_routes
from bot.http.pages import page_routes
from bot.http.ses_notifications import ses_notification_routes
from bot.http.unsubscribe import unsubscribe_routes
from bot.runtime import Runtime
from bot.slack_runtime import slack_route_tables


def build_routes(runtime: Runtime) -> list[web.RouteTableDef]:
    # Each feature adds its route table here (Slack events, unsubscribe, tracking, API...).
    return [
        health_routes(runtime.pool, runtime.redis),
        *engagement_route_tables(runtime),  # /t/c/, /t/o/ tracking and the /api/v1/ JSON API
        *page_routes(runtime),
        unsubscribe_routes(runtime.links, runtime.ctx.subscribers),
        *slack_route_tables(runtime),
        ses_notification_routes(runtime.settings.ses_notification_secret, runtime.outbox.suppress),
    ]
