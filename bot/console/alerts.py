"""Operator alerts in the console: while the console bot runs, new `alert:*` alerts are
printed for its user, who is the admin of a local console."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Protocol, Self, TextIO

from bot.stopping import stop

log = logging.getLogger(__name__)


class AlertSource(Protocol):
    def subscription(self) -> AbstractAsyncContextManager[AsyncIterator[dict[str, Any]]]:
        """Subscribe now; iterate the alerts published from then on."""
        ...


def format_alert(alert: dict[str, Any]) -> str:
    kind = alert.get("kind") or "alert"
    title = alert.get("title") or alert.get("reason") or "(no details)"
    return f"🚨 ALERT [{kind}] {title}"


class AlertWatch:
    """`async with AlertWatch(bus, out):` prints every alert published meanwhile."""

    def __init__(self, source: AlertSource, out: TextIO | None = None) -> None:
        self.source = source
        self.out = out or sys.stdout
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._watch(), name="console-alerts")
        # Subscribed before we return, so no alert raised from here on is missed; a Redis
        # that cannot be reached only costs the alerts, never the console.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready.wait(), timeout=10)
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            await stop(self._task)

    async def _watch(self) -> None:
        try:
            async with self.source.subscription() as alerts:
                self._ready.set()
                async for alert in alerts:
                    print(format_alert(alert), file=self.out, flush=True)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("operator alerts unavailable in the console", exc_info=True)
        finally:
            self._ready.set()
