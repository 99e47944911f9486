"""Stopping a background task at shutdown without ever waiting on it for long."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

log = logging.getLogger(__name__)
STOP_SECONDS = 5.0  # a task asked to stop at shutdown gets this long in all
STOP_ATTEMPTS = 5


async def stop(task: asyncio.Task[Any]) -> None:
    """Cancel `task` and wait for it to end. redis-py's pub/sub read can swallow a
    cancellation that lands mid-read (the task then reads on), so ask again; after
    STOP_SECONDS leave it behind rather than hold up the process's exit."""
    for _ in range(STOP_ATTEMPTS):
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=STOP_SECONDS / STOP_ATTEMPTS)
        if done:
            with contextlib.suppress(asyncio.CancelledError):
                await task
            return
    log.warning("%s did not stop within %.0f s; left behind", task.get_name(), STOP_SECONDS)
