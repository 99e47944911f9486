"""The JSON API's plumbing: bearer-token check, JSON errors, paging and bodies.

Every request needs `Authorization: Bearer <API_TOKEN>`; with no API_TOKEN set the API
is switched off (503, saying so). Lists page with `limit` (1-100, default 20) and
`offset`, and link the next page; bad input gets 422 `{"error", "details": [{"field",
"message"}]}` and changes nothing."""

from __future__ import annotations

import functools
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import SecretStr, ValidationError

from bot.settings import is_configured

log = logging.getLogger(__name__)
PREFIX = "/api/v1"
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """An answer other than success: becomes a JSON error response."""

    def __init__(self, status: int, error: str, details: Sequence[dict[str, str]] = ()) -> None:
        super().__init__(error)
        self.status, self.error, self.details = status, error, list(details)

    def response(self) -> web.Response:
        body: dict[str, Any] = {"error": self.error}
        if self.details:
            body["details"] = self.details
        headers = {"WWW-Authenticate": 'Bearer realm="digestbot"'} if self.status == 401 else None
        return web.json_response(body, status=self.status, headers=headers)


def invalid(field: str, message: str) -> ApiError:
    return ApiError(422, "validation failed", [{"field": field, "message": message}])


def from_validation(error: ValidationError) -> ApiError:
    details = [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]}
        for e in error.errors()
    ]
    return ApiError(422, "validation failed", details)


def guarded(token: SecretStr) -> Callable[[Handler], Handler]:
    """Check the bearer token, then turn ApiError/ValidationError into JSON answers."""
    expected = token.get_secret_value().encode()

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def checked(request: web.Request) -> web.StreamResponse:
            try:
                _authorise(request, expected if is_configured(token) else None)
                return await handler(request)
            except ApiError as error:
                return error.response()
            except ValidationError as error:
                return from_validation(error).response()

        return checked

    return wrap


def _authorise(request: web.Request, expected: bytes | None) -> None:
    if expected is None:
        raise ApiError(503, "the API is disabled: set API_TOKEN to enable it")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(401, "missing bearer token (Authorization: Bearer <API_TOKEN>)")
    if not hmac.compare_digest(given.strip().encode(), expected):
        raise ApiError(401, "invalid bearer token")


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def _int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise invalid(name, f"must be a whole number from {low} to {high}")
    return int(raw)


def page_of(request: web.Request) -> Page:
    """limit/offset from the query string, validated."""
    limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    return Page(limit=limit, offset=_int_param(request, "offset", 0, 0, 10**9))


def optional_id(request: web.Request, name: str) -> int | None:
    return _int_param(request, name, 0, 1, 10**17) if name in request.query else None


def paged(request: web.Request, page: Page, rows: Sequence[Any]) -> web.Response:
    """Answer one page; `rows` may hold one extra row, which only says "there is more"."""
    more = len(rows) > page.limit
    following = request.rel_url.update_query(limit=page.limit, offset=page.offset + page.limit)
    body = {
        "data": list(rows[: page.limit]),
        "limit": page.limit,
        "offset": page.offset,
        "next": str(following) if more else None,
    }
    return web.json_response(body)


async def json_object(request: web.Request) -> dict[str, Any]:
    """The request body, which must be one JSON object."""
    try:
        body = await request.json(loads=json.loads)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object")
    return body


def not_found(what: str) -> ApiError:
    return ApiError(404, f"no such {what}")
