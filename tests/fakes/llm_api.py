"""A local stand-in for an OpenAI-compatible chat-completions API.

mode "ok" answers refinement and rescoring requests sensibly; "garbage" answers with
prose, "timeout" never answers in time, "429" rate-limits. `async with FakeLLMApi() as
llm:` then point LLM_BASE_URL at `llm.base_url`."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Self

from aiohttp import web


class FakeLLMApi:
    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.refine_answer: dict[str, Any] = {
            "topics": ["quantum error correction"],
            "keywords": ["surface code", "decoder"],
        }
        # Rescoring: items whose title contains a key get that score, the rest 0.3.
        self.favour: dict[str, float] = {}
        self.base_url = ""
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)  # port 0: never a fixed port
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}/v1"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def kinds(self) -> list[str]:
        return [_kind(r) for r in self.requests]

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        if self.mode == "429":
            return web.json_response(
                {"error": {"message": "Rate limit reached", "type": "requests"}},
                status=429,
                headers={"Retry-After": "20"},
            )
        if self.mode == "timeout":
            await asyncio.sleep(10)
        if self.mode == "garbage":
            return _reply("Sure! Here are some topics you might like: quantum stuff, qubits.")
        if _kind(body) == "refine":
            return _reply(json.dumps(self.refine_answer))
        items = json.loads(body["messages"][1]["content"])["items"]
        scores = [
            {"id": item["id"], "score": self._score(item["title"]), "reason": "fits the request"}
            for item in items
        ]
        return _reply(json.dumps({"scores": scores}))

    def _score(self, title: str) -> float:
        return next((s for key, s in self.favour.items() if key in title), 0.3)


def _kind(body: dict[str, Any]) -> str:
    return "refine" if "search terms" in body["messages"][0]["content"] else "rescore"


def _reply(content: str) -> web.Response:
    return web.json_response(
        {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content},
                 "finish_reason": "stop"}
            ],
        }
    )  # fmt: skip
