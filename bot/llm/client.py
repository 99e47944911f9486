"""POST {base}/chat/completions in JSON mode; any failure becomes LLMUnavailable."""

from __future__ import annotations

import asyncio
import json
from typing import Any, TypeVar

import aiohttp
from pydantic import BaseModel, ValidationError

AnswerT = TypeVar("AnswerT", bound=BaseModel)


class LLMUnavailable(Exception):
    """Why the LLM could not answer usefully (logged; the local scorer takes over)."""


class ChatClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        model: str,
        timeout_seconds: float = 20.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.timeout = timeout_seconds
        self._key = api_key
        self._session = session
        self._owned = session is None

    async def close(self) -> None:
        if self._owned and self._session is not None:
            await self._session.close()

    async def complete_json(self, system: str, user: str) -> str:
        """The assistant's reply text to one system + user exchange."""
        body = {
            "model": self.model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        }
        headers = {"Authorization": f"Bearer {self._key}"}
        if self._session is None:
            self._session = aiohttp.ClientSession()
        try:
            async with asyncio.timeout(self.timeout):
                async with self._session.post(self.url, json=body, headers=headers) as resp:
                    if resp.status != 200:
                        raise LLMUnavailable(f"HTTP {resp.status} from {self.url}")
                    payload = await resp.json(content_type=None)
        except TimeoutError:
            raise LLMUnavailable(f"no answer within {self.timeout:g} s") from None
        except (aiohttp.ClientError, json.JSONDecodeError) as error:
            raise LLMUnavailable(f"{type(error).__name__}: {error}") from None
        try:
            return str(payload["choices"][0]["message"]["content"])
        except (KeyError, IndexError, TypeError):
            raise LLMUnavailable("the response has no choices[0].message.content") from None


def parse_answer(text: str, schema: type[AnswerT]) -> AnswerT:
    """Strictly parse a JSON answer (a ```json fence around it is tolerated)."""
    cleaned = text.strip()
    if cleaned.startswith("```"):
        cleaned = cleaned.strip("`").removeprefix("json").strip()
    try:
        data: Any = json.loads(cleaned)
        return schema.model_validate(data, strict=True)
    except (json.JSONDecodeError, ValidationError) as error:
        raise LLMUnavailable(f"bad output ({str(error).splitlines()[0][:120]})") from None
