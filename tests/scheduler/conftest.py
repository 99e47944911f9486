"""The scheduler's collaborators on this test's own PostgreSQL, with a clock tests move."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from core.delivery import DeliveryResult, OutboundMessage
from core.mockdata import mock_content
from core.models import DispatchType, Frequency, FrequencySettings, Subscriber
from core.pipeline import DigestPipeline
from core.ports import Deliverer
from core.render import DigestRenderer, default_templates
from scheduler.delivery import DeliveryWorker, FailureHook, RetryPolicy
from scheduler.fallback_email import EmailFallbackRenderer, FallbackRenderer
from scheduler.tick import DigestTick
from storage.postgres.channels import PgChannelRepository
from storage.postgres.content import PgContentRepository
from storage.postgres.outbox import PgOutbox
from storage.postgres.publications import PgPublicationLedger
from storage.postgres.scheduling import PgScheduling
from storage.postgres.subscribers import PgSubscriberRepository

START = datetime(2024, 3, 4, 7, 0, tzinfo=UTC)


async def eventually(check: Callable[[], bool], seconds: float = 10.0, poll: float = 0.05) -> None:
    """Wait until `check()` holds; fail the test after `seconds`."""
    for _ in range(int(seconds / poll)):
        if check():
            return
        await asyncio.sleep(poll)
    raise AssertionError(f"still not true after {seconds:g}s")


class FakeClock:
    """A clock that only moves when the test says so."""

    def __init__(self, start: datetime = START) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment


class BundledTemplates:
    def __init__(self) -> None:
        self._bodies = default_templates()

    async def get_template(self, name: str) -> str:
        return self._bodies[name]


class RecordingDeliverer:
    """A destination that records what it got and answers from a script (then SENT)."""

    def __init__(self, destination: str, *script: DeliveryResult) -> None:
        self.destination = destination
        self.script = list(script)
        self.received: list[OutboundMessage] = []

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        self.received.append(message)
        if self.script:
            return self.script.pop(0)
        return DeliveryResult.sent(f"{self.destination}-{len(self.received)}")


@dataclass
class Parts:
    pool: asyncpg.Pool
    clock: FakeClock
    subscribers: PgSubscriberRepository
    content: PgContentRepository
    ledger: PgPublicationLedger
    channels: PgChannelRepository
    scheduling: PgScheduling
    outbox: PgOutbox
    pipeline: DigestPipeline

    def tick(self, worker: str = "worker-a", **options: float) -> DigestTick:
        return DigestTick(self.scheduling, self.pipeline, self.clock, worker, **options)  # type: ignore[arg-type]

    def worker(
        self,
        deliverers: Mapping[str, Deliverer],
        worker: str = "worker-a",
        *,
        on_failure: FailureHook | None = None,
        render_fallback: FallbackRenderer | None = None,
        **options: float,
    ) -> DeliveryWorker:
        # By default email fallbacks are rendered as the runtime does: the pipeline's own
        # renderer and links.
        p = self.pipeline
        fallback = render_fallback or EmailFallbackRenderer(self.ledger, p.renderer, p.links)
        return DeliveryWorker(
            self.outbox,
            deliverers,
            self.subscribers,
            self.clock,
            worker,
            policy=RetryPolicy(),
            on_failure=on_failure,
            render_fallback=fallback,
            **options,  # type: ignore[arg-type]
        )

    async def add_content(self, n: int = 12, seed: int = 1) -> None:
        await self.content.add_many(mock_content(n, seed, self.clock.now()))

    async def add_subscriber(
        self,
        n: int,
        *,
        due: datetime | None = None,
        dispatch: DispatchType = DispatchType.CONSOLE,
        email: str | None = None,
        timezone: str = "UTC",
        time_of_day: str = "08:00",
        platform_user_id: str | None = None,
    ) -> Subscriber:
        settings = FrequencySettings(
            type=Frequency.DAILY, time_of_day=time_of_day, timezone=timezone
        )
        return await self.subscribers.save(
            Subscriber(
                name=f"Reader {n}",
                email=email,
                dispatch_type=dispatch,
                platform=dispatch.value,
                platform_user_id=platform_user_id or f"user-{n}",
                frequency_settings=settings,
                next_due_at=due or self.clock.now(),
            )
        )

    async def fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        return await self.pool.fetch(sql, *args)

    def break_rendering(
        self, subscriber_id: int | None, monkeypatch: pytest.MonkeyPatch
    ) -> Callable[[], None]:
        """Make rendering this subscriber's digest raise; returns what mends it."""
        real = self.pipeline.messages

        async def messages(subscriber, digest, publication_id):  # type: ignore[no-untyped-def]
            if subscriber.id == subscriber_id:
                raise RuntimeError("template exploded")
            return await real(subscriber, digest, publication_id)

        monkeypatch.setattr(self.pipeline, "messages", messages)
        return lambda: monkeypatch.setattr(self.pipeline, "messages", real)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def parts(pg_pool: asyncpg.Pool, clock: FakeClock) -> Parts:
    content, ledger = PgContentRepository(pg_pool), PgPublicationLedger(pg_pool)
    return Parts(
        pool=pg_pool,
        clock=clock,
        subscribers=PgSubscriberRepository(pg_pool),
        content=content,
        ledger=ledger,
        channels=PgChannelRepository(pg_pool),
        scheduling=PgScheduling(pg_pool),
        outbox=PgOutbox(pg_pool),
        pipeline=DigestPipeline(content, ledger, DigestRenderer(BundledTemplates()), clock),
    )
