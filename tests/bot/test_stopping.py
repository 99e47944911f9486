"""Background tasks are stopped at shutdown, even one that swallows a cancellation (as
redis-py's pub/sub read can), and never hold up the exit for long."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from bot import stopping


async def test_a_task_that_swallows_the_first_cancellation_is_asked_again() -> None:
    swallowed = 0

    async def reads_on() -> None:
        nonlocal swallowed
        while True:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                if swallowed:
                    raise
                swallowed += 1  # a library that reads on after a cancellation

    task = asyncio.create_task(reads_on())
    await asyncio.sleep(0)
    await asyncio.wait_for(stopping.stop(task), 5)
    assert task.cancelled() and swallowed == 1


async def test_a_task_that_never_stops_is_left_behind_in_bounded_time(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(stopping, "STOP_SECONDS", 0.2)
    release = asyncio.Event()

    async def stubborn() -> None:
        while not release.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await release.wait()

    task = asyncio.create_task(stubborn(), name="stubborn")
    await asyncio.sleep(0)
    await asyncio.wait_for(stopping.stop(task), 2)
    assert not task.done() and "stubborn did not stop" in caplog.text
    release.set()
    await task
