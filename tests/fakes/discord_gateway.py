"""A local stand-in for Discord's gateway, served beside FakeDiscordApi (same port).

GET /gateway/bot names the websocket; on it: HELLO, heartbeats acknowledged, IDENTIFY
answered with READY (no guilds), then whatever dispatches a test sends, so an
INTERACTION_CREATE travels through discord.py's own websocket, state and CommandTree."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord_api import APPLICATION, BOT_USER, FakeDiscordApi

HELLO, IDENTIFY, HEARTBEAT, HEARTBEAT_ACK, DISPATCH = 10, 2, 1, 11, 0
LIMITS = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}


class FakeGateway:
    """Attach before entering the api: `FakeGateway(api)`, then `async with api`."""

    def __init__(self, api: FakeDiscordApi, shards: int = 1) -> None:
        self.api = api
        self.shards = shards
        self.identified: list[dict[str, Any]] = []  # IDENTIFY payloads, one per shard session
        self._sockets: list[web.WebSocketResponse] = []
        self._seq = itertools.count(1)
        self._ready = asyncio.Condition()
        api.app.router.add_get("/api/v10/gateway/bot", self._info)
        api.app.router.add_get("/gateway", self._connect)

    async def wait_ready(self, sessions: int = 1, seconds: float = 5.0) -> None:
        """Until `sessions` shards have identified (the bot is listening)."""
        async with asyncio.timeout(seconds), self._ready:
            await self._ready.wait_for(lambda: len(self._sockets) >= sessions)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        for ws in [s for s in self._sockets if not s.closed]:
            await ws.send_json({"op": DISPATCH, "t": event, "s": next(self._seq), "d": data})

    async def interact(self, interaction: dict[str, Any]) -> None:
        """Send an INTERACTION_CREATE; a component's message is remembered for updates."""
        message = interaction.get("message")
        if message:
            self.api.origins[interaction["token"]] = message["id"]
        await self.dispatch("INTERACTION_CREATE", interaction)

    async def _info(self, request: web.Request) -> web.Response:
        url = f"ws://{request.host}/gateway"
        return web.json_response({"url": url, "shards": self.shards, "session_start_limit": LIMITS})

    async def _connect(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"op": HELLO, "d": {"heartbeat_interval": 41_250}})
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                break
            payload = frame.json()
            if payload["op"] == HEARTBEAT:
                await ws.send_json({"op": HEARTBEAT_ACK})
            elif payload["op"] == IDENTIFY:
                await self._identify(ws, request.host, payload["d"])
        return ws

    async def _identify(self, ws: web.WebSocketResponse, host: str, data: dict[str, Any]) -> None:
        self.identified.append(data)
        ready = {"v": 10, "user": BOT_USER, "guilds": [], "session_id": f"s{len(self.identified)}",
                 "resume_gateway_url": f"ws://{host}/gateway", "shard": data.get("shard", [0, 1]),
                 "application": {"id": APPLICATION["id"], "flags": 0}}  # fmt: skip
        await ws.send_json({"op": DISPATCH, "t": "READY", "s": next(self._seq), "d": ready})
        async with self._ready:
            self._sockets.append(ws)
            self._ready.notify_all()
