"""A local stand-in for the Slack Web API, so tests drive the real slack_sdk client."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web

# ("error", "user_not_found") | ("ratelimit", 2) | ("status", 500) | ("delay", 3)
# | ("disconnect",): the last two fake a lost answer after the request arrived.
Scripted = tuple[Any, ...]


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def token(self) -> str | None:
        return self.headers.get("Authorization", "").removeprefix("Bearer ") or None


class FakeSlackApi:
    """`async with FakeSlackApi() as fake:` then `AsyncWebClient(base_url=fake.base_url)`."""

    def __init__(self, default_tz: str = "Europe/Paris") -> None:
        self.calls: list[Call] = []
        self.user_tz: dict[str, str] = {}
        self.default_tz = default_tz
        self.base_url = ""
        self._script: dict[str, deque[Scripted]] = defaultdict(deque)
        self._limits: dict[str, int] = {}
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None

    def fail_next(self, method: str, *responses: Scripted) -> None:
        """Answer the next calls to `method` with these scripted failures, in order."""
        self._script[method].extend(responses)

    def limit_per_second(self, method: str, n: int) -> None:
        """Answer 429 with Retry-After once `method` gets more than n calls in a second."""
        self._limits[method] = n

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        # A short shutdown: a scripted "delay" must not hold up the test's teardown.
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)  # port 0: never a fixed port
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}/api/"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        body: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body.update(await request.json())
        elif request.can_read_body:
            body.update(await request.post())
        self.calls.append(Call(method, body, dict(request.headers)))
        if "Authorization" not in request.headers and "token" not in body:
            return web.json_response({"ok": False, "error": "not_authed"})
        if (limited := self._over_limit(method)) is not None:
            return _ratelimited(limited)
        if self._script[method]:
            return await self._scripted(request, self._script[method].popleft())
        return web.json_response({"ok": True, **self._answer(method, body)})

    def _over_limit(self, method: str) -> float | None:
        if method not in self._limits:
            return None
        now, hits = time.monotonic(), self._hits[method]
        while hits and hits[0] <= now - 1.0:
            hits.popleft()
        if len(hits) >= self._limits[method]:
            return hits[0] + 1.0 - now
        hits.append(now)
        return None

    async def _scripted(self, request: web.Request, step: Scripted) -> web.StreamResponse:
        kind = step[0]
        if kind == "error":
            return web.json_response({"ok": False, "error": step[1]})
        if kind == "ratelimit":
            return _ratelimited(step[1])
        if kind == "status":
            return web.json_response({"ok": False, "error": "fatal_error"}, status=step[1])
        if kind == "delay":
            await asyncio.sleep(step[1])
            return web.json_response({"ok": True, **self._answer(request.match_info["method"], {})})
        if kind == "disconnect":
            assert request.transport is not None
            request.transport.close()  # the client sees ServerDisconnectedError
            return web.Response()
        raise ValueError(f"unknown scripted response {step!r}")

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        channel = body.get("channel", "C0000")
        if method == "auth.test":
            return {"url": "https://fake.slack.test/", "team": "Fake", "user": "digestbot",
                    "team_id": "T0000", "user_id": "UBOT", "bot_id": "BBOT"}  # fmt: skip
        if method == "conversations.open":
            user = str(body.get("users", "")).split(",")[0]
            return {"channel": {"id": f"D{user}"}}
        if method in ("chat.postMessage", "chat.update"):
            ts = body.get("ts") or f"{1700000000 + next(self._ts)}.000100"
            message = {"text": body.get("text", ""), "blocks": _decoded(body.get("blocks")),
                       "thread_ts": body.get("thread_ts"), "ts": ts}  # fmt: skip
            return {"channel": channel, "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            return {"message_ts": f"{1700000000 + next(self._ts)}.000200"}
        if method == "users.info":
            user = body.get("user", "")
            tz = self.user_tz.get(user, self.default_tz)
            return {"user": {"id": user, "name": user.lower(), "tz": tz, "is_bot": False}}
        if method in ("views.open", "views.publish", "views.update"):
            view = _decoded(body.get("view")) or {}
            return {"view": {**view, "id": body.get("view_id", f"V{next(self._ts)}")}}
        return {}


def _decoded(value: Any) -> Any:
    # Form-encoded calls carry blocks and views as JSON strings; JSON calls as objects.
    return json.loads(value) if isinstance(value, str) else value


def _ratelimited(seconds: float) -> web.Response:
    headers = {"Retry-After": str(max(1, math.ceil(seconds)))}  # Slack sends whole seconds
    return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers=headers)
