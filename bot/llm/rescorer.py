"""A second opinion on a digest's top candidates (core.ports.CandidateRescorer).

Cost controls: one batched request per digest at most, each (interest profile, item) pair
scored once and cached, and the daily budget. On any failure it returns nothing, so the
local ranking stands, and says so in the log."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from bot.llm.calls import FALLBACK_MESSAGE, LLMCalls
from bot.llm.client import LLMUnavailable
from bot.llm.schemas import RESCORE_SYSTEM, ItemScore, RescoreAnswer
from core.models import ContentItem, RefinedRequests

log = logging.getLogger("bot.llm")
SUMMARY_CHARS = 600


class LLMRescorer:
    def __init__(self, calls: LLMCalls) -> None:
        self.calls = calls

    async def rescore(
        self, wants: RefinedRequests, prompts: Sequence[str], items: Sequence[ContentItem]
    ) -> dict[int, tuple[float, str]]:
        profile = json.dumps(
            {
                "requests": list(prompts),
                "topics": wants.topics,
                "keywords": wants.keywords,
                "not interested in": wants.excluded_keywords,
            },
            sort_keys=True,
        )
        opinions: dict[int, tuple[float, str]] = {}
        missing: list[ContentItem] = []
        for item in items:
            cached = await self.calls.cached(self._key(profile, item), ItemScore)
            if cached is None:
                missing.append(item)
            else:
                opinions[cached.id] = (cached.score, cached.reason)
        if not missing:
            return opinions
        try:
            answer = await self.calls.ask(RESCORE_SYSTEM, _request(profile, missing), RescoreAnswer)
            fresh = _checked(answer, missing)
        except LLMUnavailable as error:
            log.warning(FALLBACK_MESSAGE, error)
            return {}  # all or nothing: a half-rescored digest would rank unevenly
        for item in missing:
            score = fresh[item.id or 0]
            await self.calls.remember(self._key(profile, item), score)
            opinions[score.id] = (score.score, score.reason)
        return opinions

    def _key(self, profile: str, item: ContentItem) -> str:
        return self.calls.key("rescore", profile, str(item.id), item.fingerprint)


def _request(profile: str, items: Sequence[ContentItem]) -> str:
    listed = [
        {"id": i.id, "title": i.title, "summary": i.summary[:SUMMARY_CHARS], "source": i.source}
        for i in items
    ]
    return json.dumps({"reader": json.loads(profile), "items": listed}, ensure_ascii=False)


def _checked(answer: RescoreAnswer, asked: Sequence[ContentItem]) -> dict[int, ItemScore]:
    by_id = {s.id: s for s in answer.scores}
    wanted = {i.id for i in asked}
    if set(by_id) != wanted or len(by_id) != len(answer.scores):
        raise LLMUnavailable("bad output (the scores do not match the items asked about)")
    # One line each: a reason is shown in the digest next to the item.
    return {
        k: v.model_copy(update={"reason": " ".join(v.reason.split())}) for k, v in by_id.items()
    }
