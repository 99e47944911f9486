"""Pages for people who are not in a chat: the preference centre and the admin dashboard.

Server-rendered with autoescaping Jinja2 templates, inline CSS, no JavaScript and no build
step; `page_routes(runtime)` returns the route tables bot/http/routes.py registers."""

from __future__ import annotations

from aiohttp import web

from bot.http.pages.dashboard import dashboard_routes
from bot.http.pages.preferences import preferences_routes
from bot.http.pages.render import PageRenderer
from bot.runtime import Runtime


def page_routes(runtime: Runtime) -> list[web.RouteTableDef]:
    renderer = PageRenderer()
    return [preferences_routes(runtime, renderer), dashboard_routes(runtime, renderer)]
