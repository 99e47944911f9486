"""Real `digestbot worker` processes against this test's PostgreSQL, Redis and moto SES."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_string
from pathlib import Path
from typing import Any

import asyncpg

from bot.email import make_sesv2_client, verify_sender
from core.mockdata import mock_content
from core.models import DispatchType, Frequency, FrequencySettings, Subscriber
from storage.postgres.content import PgContentRepository
from storage.postgres.subscribers import PgSubscriberRepository

IDEMPOTENCY_HEADER = "X-Digestbot-Idempotency-Key"


async def verified_sender(moto_aws: dict[str, str]) -> str:
    """A sender of this test's own (moto is shared by the session), verified in SES."""
    sender = f"digest-{uuid.uuid4().hex[:10]}@example.com"
    assert await verify_sender(make_sesv2_client(**moto_aws), sender) == "SUCCESS"
    return sender


def worker_env(bot_env: dict[str, str], moto_endpoint: str, sender: str, **extra: str) -> dict:
    return {
        **bot_env,
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "SES_SENDER_EMAIL": sender,
        "SECRET_KEY": "e2e-workers-signing-key",
        "TICK_SECONDS": "0.3",
        "DRAIN_SECONDS": "0.2",
        **extra,
    }


class Worker:
    """One `digestbot worker` process, its output in a log file."""

    def __init__(self, env: dict[str, str], cwd: Path, name: str) -> None:
        self.log = cwd / f"{name}.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "worker"],
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def worker_id(self) -> str:
        return f"{socket.gethostname()}:{self.process.pid}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"worker exited early:\n{self.output()}")
        return "running; Ctrl-C stops it" in self.output()

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def workers(count: int, env: dict[str, str], cwd: Path) -> Iterator[list[Worker]]:
    started = [Worker(env, cwd, f"worker-{n}") for n in range(count)]
    try:
        yield started
    finally:
        for worker in started:
            worker.stop()


async def until(check: Callable[[], Awaitable[bool] | bool], seconds: float, what: str) -> None:
    """Poll `check` (sync or async) until it holds; fail naming `what` after `seconds`."""
    for _ in range(int(seconds / 0.2)):
        result = check()
        if await result if isinstance(result, Awaitable) else result:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out after {seconds:g}s waiting for {what}")


async def email_subscribers(pool: asyncpg.Pool, count: int) -> list[str]:
    """`count` daily email subscribers, not yet due, and content for their digests."""
    now = datetime.now(UTC)
    await PgContentRepository(pool).add_many(mock_content(12, 5, now))
    repo = PgSubscriberRepository(pool)
    addresses = [f"reader{n}@example.com" for n in range(count)]
    for n, address in enumerate(addresses):
        await repo.save(
            Subscriber(
                name=f"Reader {n}",
                email=address,
                dispatch_type=DispatchType.EMAIL,
                platform="web",
                platform_user_id=f"reader-{n}",
                frequency_settings=FrequencySettings(type=Frequency.DAILY),
                next_due_at=now + timedelta(days=1),
            )
        )
    return addresses


async def make_all_due(pool: asyncpg.Pool) -> None:
    """One statement: every worker sees every subscriber become due at the same moment."""
    await pool.execute("UPDATE publishing_subscribers SET next_due_at = now() - interval '1 min'")


def received(sent: list[Any]) -> list[tuple[str, str]]:
    """(idempotency key, To) of every email SES accepted."""
    out = []
    for mail in sent:
        parsed = message_from_string(mail.raw_data)
        out.append((str(parsed[IDEMPOTENCY_HEADER]), str(parsed["To"])))
    return out
