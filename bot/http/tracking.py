"""Click and open tracking: `/t/c/{token}` redirects to an item, `/t/o/{token}` is an
email's 1x1 open pixel.

Tokens are HMAC-signed (bot.links) and name the publication, the item and the reader, so
this is no open redirect: the target is always the url stored for that item in
PostgreSQL, never anything from the request, and a forged or altered token gets 404 and
counts nothing. Counting goes to Redis (engagement:*), idempotent per person and item;
when Redis is away the reader is still sent on and only the count is lost."""

from __future__ import annotations

import asyncio
import base64
import logging
import re

from aiohttp import web
from redis.exceptions import RedisError

from bot.links import SignedLinks, Tracked
from storage.postgres.engagement import PgEngagementStore
from storage.redis.client import REDIS_DOWN
from storage.redis.engagement import EngagementCounters

log = logging.getLogger(__name__)
# The smallest transparent GIF: what mail clients expect from an image URL.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
# Never cached (every open counts) and never telling the target site where it came from.
NO_STORE = {"Cache-Control": "no-store, private", "Referrer-Policy": "no-referrer"}
_WEB_URL = re.compile(r"^https?://[^\s<>\"]+$", re.IGNORECASE)


def person_of(tracked: Tracked) -> str:
    """Who engaged: the subscriber id, or one anonymous reader per team-channel digest."""
    if tracked.subscriber_id is not None:
        return str(tracked.subscriber_id)
    return f"channel-publication:{tracked.publication_id}"


def _not_found() -> web.Response:
    return web.Response(status=404, text="This link is not valid.", headers=NO_STORE)


async def _count(
    counters: EngagementCounters, kind: str, tracked: Tracked, items: list[int]
) -> None:
    try:
        await asyncio.gather(
            *(
                counters.record(kind, tracked.publication_id, item, person_of(tracked))
                for item in items
            )
        )
    except (*REDIS_DOWN, RedisError) as error:
        log.warning(
            "engagement not counted (%s of publication %s): %s", kind, tracked.publication_id, error
        )


def tracking_routes(
    links: SignedLinks, store: PgEngagementStore, counters: EngagementCounters
) -> web.RouteTableDef:
    routes = web.RouteTableDef()

    @routes.get("/t/c/{token}")
    async def click(request: web.Request) -> web.StreamResponse:
        tracked = links.verify_click(request.match_info["token"])
        if tracked is None or tracked.item_id is None:
            return _not_found()
        url = await store.item_url(tracked.item_id)
        if url is None or not _WEB_URL.match(url):
            return _not_found()
        # HEAD is a link checker or a preview, not a reader.
        if request.method == "GET":
            await _count(counters, "click", tracked, [tracked.item_id])
        raise web.HTTPFound(url, headers=NO_STORE)

    @routes.get("/t/o/{token}")
    async def opened(request: web.Request) -> web.Response:
        tracked = links.verify_open(request.match_info["token"])
        if tracked is None:
            return _not_found()
        if request.method == "GET":
            # An open counts once per item the email showed: clicks per open per item.
            await _count(
                counters, "open", tracked, await store.publication_items(tracked.publication_id)
            )
        return web.Response(body=PIXEL, content_type="image/gif", headers=NO_STORE)

    return routes
