"""A local web server serving fixture feeds like real sites do (ETag/Last-Modified and
304s, an arXiv-API-shaped endpoint) plus hostile ones: a 50 MB body, a redirect loop, a
slow answer. `async with FakeFeedServer() as site:` then `site.url("/feed.xml")`."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from aiohttp import web

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
CONTENT_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


@dataclass
class Hit:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)
    status: int = 200


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/xml"
    etag: str | None = None
    last_modified: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stream_bytes: int = 0  # > 0: stream this many bytes of padding (a huge body)
    declare_length: bool = False


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class FakeFeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def serve(self, path: str, name_or_body: str | bytes, **options: Any) -> str:
        """Serve a fixture file (by name) or raw bytes at `path`; returns its URL."""
        body = fixture(name_or_body) if isinstance(name_or_body, str) else name_or_body
        self.routes[path] = Route(body=body, **options)
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        self.routes[path] = Route(status=status, headers={"Location": to})
        return self.url(path)

    def hits_to(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)  # port 0: never a fixed port
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        hit = Hit(request.path, dict(request.query), dict(request.headers))
        self.hits.append(hit)
        route = self.routes.get(request.path)
        if route is None:
            hit.status = 404
            return web.Response(status=404, text="not found")
        if route.delay:
            await asyncio.sleep(route.delay)
        if route.stream_bytes:
            return await self._stream(request, route)
        validators = {}
        if route.etag:
            validators["ETag"] = route.etag
        if route.last_modified:
            validators["Last-Modified"] = route.last_modified
        fresh = (route.etag and request.headers.get("If-None-Match") == route.etag) or (
            route.last_modified and request.headers.get("If-Modified-Since") == route.last_modified
        )
        if fresh:
            hit.status = 304
            return web.Response(status=304, headers=validators)
        hit.status = route.status
        return web.Response(
            status=route.status,
            body=route.body,
            headers={**validators, **route.headers, "Content-Type": route.content_type},
        )

    async def _stream(self, request: web.Request, route: Route) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": route.content_type})
        if route.declare_length:
            response.content_length = route.stream_bytes
        else:
            response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"<rss><channel>" + b" " * 65_536
        sent = 0
        try:
            while sent < route.stream_bytes:
                await response.write(chunk)
                sent += len(chunk)
        except (ConnectionResetError, RuntimeError):
            pass  # the client hung up at its cap, as it should
        return response
