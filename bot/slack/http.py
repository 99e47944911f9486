"""Bolt on the bot's one HTTP service: /slack/events, and the OAuth install routes."""

from __future__ import annotations

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp


def slack_routes(app: AsyncApp) -> web.RouteTableDef:
    """POST /slack/events (signature checked by Bolt); GET install/redirect with OAuth."""
    routes = web.RouteTableDef()

    @routes.post("/slack/events")
    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    flow = app.oauth_flow
    if flow is None:
        return routes

    @routes.get(flow.install_path)
    async def install(request: web.Request) -> web.Response:
        return await to_aiohttp_response(
            await flow.handle_installation(await to_bolt_request(request))
        )

    @routes.get(flow.redirect_uri_path)
    async def redirect(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

    return routes
