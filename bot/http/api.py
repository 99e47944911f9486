"""The JSON API under /api/v1/: subscribers, channels, publications and templates, each
with list, get, create (POST) and update (PATCH). See bot.http.api_support for the
token, paging and error rules every route shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import SecretStr

from bot.http.api_records import identity_of, new_record, updated_record
from bot.http.api_support import (
    PREFIX,
    ApiError,
    Handler,
    guarded,
    invalid,
    json_object,
    not_found,
    optional_id,
    page_of,
    paged,
)
from core.context import Context
from core.models import Channel, Subscriber, SubscriberStatus
from storage.postgres.browse import PgBrowse
from storage.postgres.channels import PgChannelRepository
from storage.postgres.templates import PgTemplateRepository, TemplateRecord, output_format_of
from storage.redis.template_cache import CachedTemplateSource

ID = r"{id:\d{1,17}}"
TEMPLATE_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
MAX_TEMPLATE = 100_000
Guard = Callable[[Handler], Handler]


@dataclass
class ApiDeps:
    token: SecretStr
    ctx: Context  # subscribers (cache-aware), pipeline, dispatcher, clock
    channels: PgChannelRepository
    browse: PgBrowse
    templates: PgTemplateRepository
    template_cache: CachedTemplateSource


def _id(request: web.Request) -> int:
    return int(request.match_info["id"])


def _created(data: dict[str, Any], location: str) -> web.Response:
    return web.json_response(data, status=201, headers={"Location": location})


def _template_json(record: TemplateRecord, with_body: bool = True) -> dict[str, Any]:
    data = {"name": record.name, "output_format": record.output_format, "style": record.style,
            "version": record.version, "updated_at": record.updated_at.isoformat()}  # fmt: skip
    return {**data, "body": record.body} if with_body else data


def _check_template(name: str, body: object) -> str:
    if not TEMPLATE_NAME.match(name) or len(name) > 64:
        raise invalid("name", "use lower-case words joined by dots, like email.html")
    if not isinstance(body, str) or not body.strip() or len(body) > MAX_TEMPLATE:
        raise invalid("body", f"must be non-empty text of at most {MAX_TEMPLATE} characters")
    try:
        SandboxedEnvironment().parse(body)
    except TemplateSyntaxError as error:
        raise invalid("body", f"line {error.lineno}: {error.message}") from None
    return body


def api_routes(deps: ApiDeps) -> web.RouteTableDef:
    """Every /api/v1/ route, each behind the bearer-token check."""
    routes = web.RouteTableDef()
    api = guarded(deps.token)
    for add in (_subscriber_routes, _channel_routes, _publication_routes, _template_routes):
        add(routes, api, deps)

    @routes.route("*", PREFIX + "/{tail:.*}")
    @api
    async def unknown(request: web.Request) -> web.Response:
        raise ApiError(404, f"no such API route: {request.method} {request.path}")

    return routes


def _subscriber_routes(routes: web.RouteTableDef, api: Guard, deps: ApiDeps) -> None:
    subscribers, clock = deps.ctx.subscribers, deps.ctx.clock

    async def stored_subscriber(request: web.Request) -> Subscriber:
        subscriber = await subscribers.get(_id(request))
        if subscriber is None:
            raise not_found("subscriber")
        return subscriber

    @routes.get(f"{PREFIX}/subscribers")
    @api
    async def list_subscribers(request: web.Request) -> web.Response:
        page = page_of(request)
        rows = await subscribers.list_page(page.limit + 1, page.offset)  # type: ignore[attr-defined]
        return paged(request, page, [s.model_dump(mode="json") for s in rows])

    @routes.get(f"{PREFIX}/subscribers/{ID}")
    @api
    async def get_subscriber(request: web.Request) -> web.Response:
        return web.json_response((await stored_subscriber(request)).model_dump(mode="json"))

    @routes.post(f"{PREFIX}/subscribers")
    @api
    async def create_subscriber(request: web.Request) -> web.Response:
        subscriber = new_record(Subscriber, await json_object(request), clock.now())
        if await subscribers.find_by_identity(*identity_of(subscriber)) is not None:
            raise ApiError(409, "a subscriber with this platform identity exists")
        saved = await subscribers.save(subscriber)
        return _created(saved.model_dump(mode="json"), f"{PREFIX}/subscribers/{saved.id}")

    @routes.patch(f"{PREFIX}/subscribers/{ID}")
    @api
    async def update_subscriber(request: web.Request) -> web.Response:
        stored = await stored_subscriber(request)
        subscriber = updated_record(stored, await json_object(request), clock.now())
        return web.json_response((await subscribers.save(subscriber)).model_dump(mode="json"))


def _channel_routes(routes: web.RouteTableDef, api: Guard, deps: ApiDeps) -> None:
    clock = deps.ctx.clock

    async def stored_channel(request: web.Request) -> Channel:
        channel = await deps.channels.get(_id(request))
        if channel is None:
            raise not_found("channel")
        return channel

    @routes.get(f"{PREFIX}/channels")
    @api
    async def list_channels(request: web.Request) -> web.Response:
        page = page_of(request)
        rows = await deps.browse.channels(page.limit + 1, page.offset)
        return paged(request, page, [c.model_dump(mode="json") for c in rows])

    @routes.get(f"{PREFIX}/channels/{ID}")
    @api
    async def get_channel(request: web.Request) -> web.Response:
        return web.json_response((await stored_channel(request)).model_dump(mode="json"))

    @routes.post(f"{PREFIX}/channels")
    @api
    async def create_channel(request: web.Request) -> web.Response:
        channel = new_record(Channel, await json_object(request), clock.now())
        if await deps.channels.find(*identity_of(channel)) is not None:
            raise ApiError(409, "this channel already has a team digest")
        saved = await deps.channels.save(channel)
        return _created(saved.model_dump(mode="json"), f"{PREFIX}/channels/{saved.id}")

    @routes.patch(f"{PREFIX}/channels/{ID}")
    @api
    async def update_channel(request: web.Request) -> web.Response:
        stored = await stored_channel(request)
        channel = updated_record(stored, await json_object(request), clock.now())
        return web.json_response((await deps.channels.save(channel)).model_dump(mode="json"))


def _publication_routes(routes: web.RouteTableDef, api: Guard, deps: ApiDeps) -> None:
    subscribers, clock = deps.ctx.subscribers, deps.ctx.clock

    @routes.get(f"{PREFIX}/publications")
    @api
    async def list_publications(request: web.Request) -> web.Response:
        page, subscriber_id = page_of(request), optional_id(request, "subscriber_id")
        rows = await deps.browse.publications(page.limit + 1, page.offset, subscriber_id)
        return paged(request, page, rows)

    @routes.get(f"{PREFIX}/publications/{ID}")
    @api
    async def get_publication(request: web.Request) -> web.Response:
        publication = await deps.browse.publication(_id(request))
        if publication is None:
            raise not_found("publication")
        return web.json_response(publication)

    @routes.post(f"{PREFIX}/publications")
    @api
    async def create_publication(request: web.Request) -> web.Response:
        """Assemble and send one subscriber's digest now (as `/digest now` does)."""
        body = await json_object(request)
        wanted = body.get("subscriber_id")
        if set(body) != {"subscriber_id"} or not isinstance(wanted, int) or wanted < 1:
            raise invalid("subscriber_id", 'send exactly {"subscriber_id": <id>}')
        subscriber = await subscribers.get(wanted)
        if subscriber is None:
            raise invalid("subscriber_id", "no such subscriber")
        if subscriber.status is not SubscriberStatus.ACTIVE:
            raise ApiError(409, f"subscriber is {subscriber.status.value}; nothing was sent")
        now = clock.now()
        published = await deps.ctx.pipeline.publish(
            subscriber, f"api:{now.isoformat()}", subscriber.next_due_at
        )
        if published.publication_id is None:
            raise ApiError(409, "a digest for this moment exists already")
        await deps.ctx.dispatcher.deliver_publication(published.publication_id)
        stored = await deps.browse.publication(published.publication_id)
        return _created(stored or {}, f"{PREFIX}/publications/{published.publication_id}")

    @routes.patch(f"{PREFIX}/publications/{ID}")
    @api
    async def update_publication(request: web.Request) -> web.Response:
        raise ApiError(405, "a publication records what was sent and cannot be changed")


def _template_routes(routes: web.RouteTableDef, api: Guard, deps: ApiDeps) -> None:
    async def stored_template(name: str) -> TemplateRecord:
        found = next((t for t in await deps.templates.list() if t.name == name), None)
        if found is None:
            raise not_found("template")
        return found

    @routes.get(f"{PREFIX}/templates")
    @api
    async def list_templates(request: web.Request) -> web.Response:
        page = page_of(request)  # a few dozen at most: paged in memory
        rows = (await deps.templates.list())[page.offset : page.offset + page.limit + 1]
        return paged(request, page, [_template_json(t, with_body=False) for t in rows])

    @routes.get(PREFIX + "/templates/{name}")
    @api
    async def get_template(request: web.Request) -> web.Response:
        return web.json_response(_template_json(await stored_template(request.match_info["name"])))

    async def write_template(name: str, body: dict[str, Any], base: dict[str, Any]) -> None:
        unknown = sorted(set(body) - {"name", "body", "style", "output_format"})
        if unknown:
            raise invalid(unknown[0], "unknown field")
        fields = {**base, **body}
        text = _check_template(name, fields.get("body"))
        style, fmt = (
            fields.get("style") or "any",
            fields.get("output_format") or output_format_of(name),
        )
        if not isinstance(style, str) or not isinstance(fmt, str):
            raise invalid("style", "style and output_format must be text")
        await deps.template_cache.update(name, fmt, style, text)  # invalidates the cache

    @routes.post(f"{PREFIX}/templates")
    @api
    async def create_template(request: web.Request) -> web.Response:
        body = await json_object(request)
        name = body.get("name")
        if not isinstance(name, str):
            raise invalid("name", "required")
        if await deps.templates.get(name) is not None:
            raise ApiError(409, "a template with this name exists; PATCH it instead")
        await write_template(name, body, {})
        return _created(_template_json(await stored_template(name)), f"{PREFIX}/templates/{name}")

    @routes.patch(PREFIX + "/templates/{name}")
    @api
    async def update_template(request: web.Request) -> web.Response:
        stored = await stored_template(request.match_info["name"])
        body = await json_object(request)
        if body.get("name", stored.name) != stored.name:
            raise invalid("name", "cannot be changed; create a new template instead")
        await write_template(stored.name, body, _template_json(stored))
        return web.json_response(_template_json(await stored_template(stored.name)))
