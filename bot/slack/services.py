"""What the Slack listeners need, passed in once by the wiring (no globals)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from core.context import Context
from core.service import CommandService
from storage.redis.engagement import EngagementCounters

log = logging.getLogger(__name__)


@dataclass
class SlackServices:
    service: CommandService
    redis: Redis
    engagement: EngagementCounters
    admin_user_ids: frozenset[str] = frozenset()  # Slack user ids from ADMIN_USER_IDS
    user_cache_seconds: int = 600
    event_dedupe_seconds: int = 3600
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    @property
    def ctx(self) -> Context:
        return self.service.ctx

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run follow-up work (a Home refresh) after the answer, keeping the task alive."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("slack background task failed", exc_info=task.exception())

    async def settle(self) -> None:
        """Wait for follow-up work (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def admin_ids_from(admin_user_ids: list[str]) -> frozenset[str]:
    """`slack:U123` entries of ADMIN_USER_IDS, as bare Slack user ids."""
    return frozenset(e.split(":", 1)[1] for e in admin_user_ids if e.startswith("slack:"))
