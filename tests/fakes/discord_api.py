"""A local stand-in for Discord's REST API v10, to drive the real discord.py against."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import re
import time
from collections import defaultdict, deque
from datetime import UTC, datetime
from typing import Any, NamedTuple

from aiohttp import web

BODY: web.RequestKey[Any] = web.RequestKey("body")  # parsed once, by the middleware
NONCE_WINDOW = 300.0  # Discord enforces nonce uniqueness for "the past few minutes"
ERRORS = {50007: "Cannot send messages to this user", 10013: "Unknown User"}
BOT_USER = {"id": "100", "username": "digestbot", "discriminator": "0", "bot": True, "avatar": None}
MESSAGE = {"type": 0, "author": BOT_USER, "edited_timestamp": None, "tts": False, "flags": 0,
           "pinned": False, "mention_everyone": False, "mentions": [], "mention_roles": [],
           "attachments": [], "embeds": [], "components": [], "nonce": None}  # fmt: skip
ROUTES = [  # (method, path, handler): login, DMs, messages, interactions, followups, commands
    ("GET", "/users/@me", "_users"), ("POST", "/users/@me/channels", "_users"),
    ("POST", "/channels/{cid}/messages", "_create"), ("POST", "/webhooks/{app}/{tok}", "_create"),
    ("PATCH", "/channels/{cid}/messages/{mid}", "_edit"),
    ("PATCH", "/webhooks/{app}/{tok}/messages/{mid}", "_edit"),
    ("POST", "/interactions/{iid}/{tok}/callback", "_callback"),
    ("PUT", "/applications/{app}/commands", "_sync"),
    ("PUT", "/applications/{app}/guilds/{gid}/commands", "_sync"),
    ("GET", "/oauth2/applications/@me", "_application"),
]  # fmt: skip
APPLICATION = {"id": BOT_USER["id"], "name": "digestbot", "description": "", "icon": None,
               "bot_public": True, "bot_require_code_grant": False, "owner": BOT_USER,
               "verify_key": "", "flags": 0, "interactions_endpoint_url": None}  # fmt: skip


class Call(NamedTuple):
    method: str
    path: str  # relative to /api/v10
    json: Any
    headers: dict[str, str]


def _channel(request: web.Request) -> str:  # interaction replies go to "webhook:{token}"
    return request.match_info.get("cid") or f"webhook:{request.match_info['tok']}"


def _failure(kind: str, value: float) -> web.Response:
    if kind == "ratelimit":
        body = {"message": "You are being rate limited.", "retry_after": value, "global": False}
        headers = {"Retry-After": str(value), "X-RateLimit-Scope": "user"}
        return web.json_response(body, status=429, headers=headers)
    code = int(value)
    body = {"message": ERRORS.get(code, f"Error {code}"), "code": 0 if kind == "status" else code}
    return web.json_response(body, status={"forbidden": 403, "notfound": 404}.get(kind, code))


class FakeDiscordApi:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.commands: dict[str, list[dict[str, Any]]] = {}  # "global" or a guild id
        self._failures: list[tuple[str, re.Pattern[str], deque[tuple[str, float]]]] = []
        self._nonces: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._ids = itertools.count(1_100_000_000_000_000_000)
        # An interaction token -> the (channel, message) its component sits on, so an update
        # (callback type 7, or PATCH .../@original) edits that message as Discord does.
        self.origins: dict[str, str] = {}
        self._answered = asyncio.Condition()
        self.app = web.Application(middlewares=[self._middleware])  # a gateway may add routes
        for method, path, handler in ROUTES:
            self.app.router.add_route(method, "/api/v10" + path, getattr(self, handler))
        self._runner = web.AppRunner(self.app)

    def fail_next(self, method: str, path_regex: str, *responses: tuple[str, float]) -> None:
        """Queue answers: ("forbidden"|"notfound", code), ("ratelimit", s), ("status", n)."""
        self._failures.append((method.upper(), re.compile(path_regex), deque(responses)))

    async def until(self, check: Any, seconds: float = 5.0) -> Any:
        """Wait until `check()` is truthy, re-checking after each request the bot makes."""
        async with asyncio.timeout(seconds), self._answered:
            return await self._answered.wait_for(check)

    def callbacks(self, kind: int | None = None) -> list[Call]:
        """Interaction callbacks (optionally of one type: 4 reply, 5 defer, 7 update...)."""
        found = [c for c in self.calls if c.path.endswith("/callback")]
        return [c for c in found if kind is None or c.json["type"] == kind]

    def find(self, message_id: str) -> dict[str, Any] | None:
        """A stored message by id, in whichever channel (or interaction token) it lives."""
        found = [m for ms in self.messages.values() for m in ms if m["id"] == message_id]
        return found[0] if found else None

    def sent(self, channel: str) -> list[dict[str, Any]]:
        """Messages in a channel, or a token's replies and followups as "webhook:{token}"."""
        return self.messages.get(channel, [])

    async def __aenter__(self) -> FakeDiscordApi:
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()  # never a fixed port
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/api/v10"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()

    @web.middleware
    async def _middleware(self, r: web.Request, handler: Any) -> web.StreamResponse:
        if not r.path.startswith("/api/"):  # the gateway's websocket
            return await handler(r)
        body = r[BODY] = await r.json() if r.can_read_body else None
        path = r.path.removeprefix("/api/v10")
        self.calls.append(Call(r.method, path, body, dict(r.headers)))
        response = self._scripted(r.method, path)  # not `or`: a Response is a falsy mapping
        response = await handler(r) if response is None else response
        route = f"{r.method} {getattr(r.match_info.route.resource, 'canonical', path)}"
        response.headers.update({  # discord.py needs Via for a 429, this exact Content-Type
            "X-RateLimit-Limit": "5", "X-RateLimit-Reset-After": "1.000", "Via": "1.1 google",
            "X-RateLimit-Remaining": "0" if response.status == 429 else "4",
            "X-RateLimit-Reset": f"{time.time() + 1:.3f}", "Content-Type": "application/json",
            "X-RateLimit-Bucket": hashlib.sha1(route.encode()).hexdigest()[:16],
        })  # fmt: skip
        async with self._answered:
            self._answered.notify_all()
        return response

    def _scripted(self, method: str, path: str) -> web.Response | None:
        for want, pattern, queue in self._failures:
            if queue and want == method and pattern.fullmatch(path):
                return _failure(*queue.popleft())
        return None

    def _message(self, cid: str, body: dict[str, Any]) -> dict[str, Any]:
        message = {**MESSAGE, **{k: v for k, v in body.items() if k in MESSAGE},
                   "content": body.get("content") or "", "id": str(next(self._ids)),
                   "channel_id": cid if cid.isdigit() else "200",  # interactions' channel
                   "timestamp": datetime.now(UTC).isoformat()}  # fmt: skip
        self.messages[cid].append(message)
        return message

    async def _users(self, request: web.Request) -> web.Response:
        if request.method == "GET":
            return web.json_response(BOT_USER)
        rid = str(request[BODY]["recipient_id"])
        user = {"id": rid, "username": f"user{rid}", "discriminator": "0"}
        return web.json_response({"id": f"9{rid}", "type": 1, "recipients": [user]})

    async def _create(self, request: web.Request) -> web.Response:
        cid, body, now = _channel(request), request[BODY], time.monotonic()
        key = (cid, str(body.get("nonce")))
        seen = self._nonces.get(key)
        if body.get("enforce_nonce") and seen and now - seen[0] < NONCE_WINDOW:
            return web.json_response(seen[1])  # Discord answers a repeated nonce with the original
        message = self._message(cid, body)
        self._nonces[key] = (now, message)
        return web.json_response(message)

    async def _edit(self, request: web.Request) -> web.Response:
        cid, mid = _channel(request), request.match_info["mid"]
        if mid == "@original" and request.match_info.get("tok") in self.origins:
            mid = self.origins[request.match_info["tok"]]
        found = [m for m in self.messages.get(cid, []) if mid in ("@original", m["id"])][:1]
        found = found or [m for m in [self.find(mid)] if m]
        if not found and mid != "@original":
            return web.json_response({"message": "Unknown Message", "code": 10008}, status=404)
        message = found[0] if found else self._message(cid, {})
        message.update({k: v for k, v in request[BODY].items() if k in message})
        message["edited_timestamp"] = datetime.now(UTC).isoformat()
        return web.json_response(message)

    async def _callback(self, request: web.Request) -> web.Response:
        kind, data = request[BODY]["type"], request[BODY].get("data") or {}
        message = self._message(_channel(request), data) if kind in (4, 5) else None
        origin = self.origins.get(request.match_info["tok"])
        if kind == 7 and origin:  # UPDATE_MESSAGE: the component's own message changes
            message = self.find(origin)
            if message is not None:
                message.update({k: v for k, v in data.items() if k in message})
        ids = {"id": request.match_info["iid"], "response_message_id": message and message["id"]}
        interaction = {**ids, "type": 2, "response_message_loading": kind == 5}
        resource = {"type": kind, "message": message}
        return web.json_response({"interaction": interaction, "resource": resource})

    async def _application(self, request: web.Request) -> web.Response:
        return web.json_response(APPLICATION)

    async def _sync(self, request: web.Request) -> web.Response:
        app, gid = request.match_info["app"], request.match_info.get("gid")
        extra = {"application_id": app, "guild_id": gid, "version": "1"}
        stored = [{**c, **extra, "id": str(next(self._ids))} for c in request[BODY]]
        self.commands[gid or "global"] = stored
        return web.json_response(stored)
