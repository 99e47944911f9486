"""Every route table of the one HTTP service, assembled from the runtime."""

from __future__ import annotations

from aiohttp import web

from bot.http.health import health_routes
from bot.runtime import Runtime


def build_routes(runtime: Runtime) -> list[web.RouteTableDef]:
    # Each feature adds its route table here (Slack events, unsubscribe, tracking, API...).
    return [health_routes(runtime.pool, runtime.redis)]
