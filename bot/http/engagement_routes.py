"""The tracking routes (/t/c/, /t/o/) and the JSON API (/api/v1/), built from the runtime."""

from __future__ import annotations

from aiohttp import web

from bot.http.api import ApiDeps, api_routes
from bot.http.tracking import tracking_routes
from bot.runtime import Runtime
from storage.postgres.browse import PgBrowse
from storage.postgres.channels import PgChannelRepository
from storage.postgres.engagement import PgEngagementStore
from storage.postgres.templates import PgTemplateRepository
from storage.redis.engagement import EngagementCounters


def engagement_route_tables(runtime: Runtime) -> list[web.RouteTableDef]:
    engagement = runtime.engagement
    counters = engagement.counters if engagement else EngagementCounters(runtime.redis)
    store = engagement.store if engagement else PgEngagementStore(runtime.pool)
    api = ApiDeps(
        token=runtime.settings.api_token,
        ctx=runtime.ctx,
        channels=PgChannelRepository(runtime.pool),
        browse=PgBrowse(runtime.pool),
        templates=PgTemplateRepository(runtime.pool),
        template_cache=runtime.templates,
    )
    return [tracking_routes(runtime.links, store, counters), api_routes(api)]
