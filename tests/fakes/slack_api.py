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

from aiohttp import WSMsgType, web

# ("error", "user_not_found") | ("ratelimit", 2) | ("status", 500) | ("delay", 3)
# | ("disconnect",): the last two fake a lost answer after the request arrived.
# ("hold", asyncio.Event()): answer normally once the test sets the event.
Scripted = tuple[Any, ...]


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200  # what the fake answered (429 for a rate-limited call)
    response: dict[str, Any] = field(default_factory=dict)  # the answer, when not scripted

    @property
    def token(self) -> str | None:
        return self.headers.get("Authorization", "").removeprefix("Bearer ") or None


class FakeSlackApi:
    """`async with FakeSlackApi() as fake:` then `AsyncWebClient(base_url=fake.base_url)`."""

    def __init__(self, default_tz: str = "Europe/Paris") -> None:
        self.calls: list[Call] = []
        self.user_tz: dict[str, str] = {}
        self.users: dict[str, dict[str, Any]] = {}  # users.info extras (is_admin, profile)
        self.responses: list[dict[str, Any]] = []  # what was posted to response_urls
        self.socket_acks: list[dict[str, Any]] = []  # Socket Mode envelopes acknowledged
        self.oauth_team = ("T0000", "Fake")  # the workspace oauth.v2.access installs into
        self.default_tz = default_tz
        self.base_url = ""
        self._script: dict[str, deque[Scripted]] = defaultdict(deque)
        self._limits: dict[str, int] = {}
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._socket_out: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.root = ""

    def fail_next(self, method: str, *responses: Scripted) -> None:
        """Answer the next calls to `method` with these scripted failures, in order."""
        self._script[method].extend(responses)

    def limit_per_second(self, method: str, n: int) -> None:
        """Answer 429 with Retry-After once `method` gets more than n calls in a second."""
        self._limits[method] = n

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def ok_calls_to(self, method: str) -> list[Call]:
        """Calls to `method` that the fake answered with HTTP 200."""
        return [c for c in self.calls_to(method) if c.status == 200]

    def response_url(self, name: str = "r1") -> str:
        """A response_url whose posts land in `responses` (as Slack's would in the channel)."""
        return f"{self.root}/response/{name}"

    def socket_send(self, envelope: dict[str, Any]) -> None:
        """Push a Socket Mode envelope to the connected app (queued until it connects)."""
        self._socket_out.put_nowait(envelope)

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_post("/response/{name}", self._respond)
        app.router.add_get("/socket", self._socket)
        # A short shutdown: a scripted "delay" must not hold up the test's teardown.
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)  # port 0: never a fixed port
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.root = f"http://{host}:{port}"
        self.base_url = f"{self.root}/api/"
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
        call = Call(method, body, dict(request.headers))
        self.calls.append(call)
        if "Authorization" not in request.headers and "token" not in body:
            return web.json_response({"ok": False, "error": "not_authed"})
        if (limited := self._over_limit(method)) is not None:
            call.status = 429
            return _ratelimited(limited)
        if self._script[method]:
            answer = await self._scripted(request, self._script[method].popleft(), body)
            call.status = answer.status
            return answer
        call.response = {"ok": True, **self._answer(method, body, call.token)}
        return web.json_response(call.response)

    async def _respond(self, request: web.Request) -> web.Response:
        self.responses.append({"url_name": request.match_info["name"], **await request.json()})
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        sender = asyncio.create_task(self._pump(ws))
        try:
            async for frame in ws:
                if frame.type == WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(frame.data))
        finally:
            sender.cancel()
        return ws

    async def _pump(self, ws: web.WebSocketResponse) -> None:
        while not ws.closed:
            await ws.send_json(await self._socket_out.get())

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

    async def _scripted(
        self, request: web.Request, step: Scripted, body: dict[str, Any]
    ) -> web.StreamResponse:
        kind = step[0]
        if kind == "error":
            return web.json_response({"ok": False, "error": step[1]})
        if kind == "ratelimit":
            return _ratelimited(step[1])
        if kind == "status":
            return web.json_response({"ok": False, "error": "fatal_error"}, status=step[1])
        if kind == "hold":
            await step[1].wait()
            return web.json_response(
                {"ok": True, **self._answer(request.match_info["method"], body)}
            )
        if kind == "delay":
            await asyncio.sleep(step[1])
            return web.json_response(
                {"ok": True, **self._answer(request.match_info["method"], body)}
            )
        if kind == "disconnect":
            assert request.transport is not None
            request.transport.close()  # the client sees ServerDisconnectedError
            return web.Response()
        raise ValueError(f"unknown scripted response {step!r}")

    def _answer(
        self, method: str, body: dict[str, Any], token: str | None = None
    ) -> dict[str, Any]:
        channel = body.get("channel", "C0000")
        if method == "auth.test":
            # A token "xoxb-T123-..." belongs to workspace T123 (what oauth.v2.access hands out).
            team = (token or "").split("-")[1] if (token or "").startswith("xoxb-T") else "T0000"
            return {"url": "https://fake.slack.test/", "team": "Fake", "user": "digestbot",
                    "team_id": team, "user_id": "UBOT", "bot_id": "BBOT"}  # fmt: skip
        if method == "oauth.v2.access":
            team_id, name = self.oauth_team
            return {"access_token": f"xoxb-{team_id}-installed", "token_type": "bot",
                    "scope": "commands,chat:write", "bot_user_id": "UBOT", "app_id": "A0001",
                    "team": {"id": team_id, "name": name}, "enterprise": None,
                    "authed_user": {"id": "UINSTALLER"}}  # fmt: skip
        if method == "apps.connections.open":
            return {"url": self.root.replace("http", "ws", 1) + "/socket"}
        if method == "conversations.join":
            return {"channel": {"id": channel}}
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
            extra = self.users.get(user, {})
            return {"user": {"id": user, "name": user.lower(), "tz": tz, "is_bot": False,
                             "real_name": f"Person {user}", **extra}}  # fmt: skip
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
