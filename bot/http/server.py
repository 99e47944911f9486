"""The one HTTP service every later route joins (health now; Slack, tracking, API later)."""

from __future__ import annotations

import logging

from aiohttp import web

log = logging.getLogger(__name__)


def make_app(*route_tables: web.RouteTableDef) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    for routes in route_tables:
        app.add_routes(routes)
    return app


async def start_http(app: web.Application, port: int, host: str = "0.0.0.0") -> web.AppRunner:
    """Start serving; returns the runner (its `addresses` tell the bound port)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    return int(runner.addresses[0][1])
