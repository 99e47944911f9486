"""Three delivery workers, each with its own Redis connection, share one send rate."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from pathlib import Path

from redis.asyncio import Redis

from bot.deliverers import make_deliverers
from bot.settings import Settings
from core.delivery import DeliveryOutcome, DeliveryResult, OutboundMessage
from core.models import DispatchType
from scheduler.pacing import PacedDeliverer
from storage.redis.client import create_redis
from storage.redis.rate_limit import RedisRateLimiter
from tests.scheduler.conftest import Parts

RATE, BURST, MESSAGES = 20.0, 2, 60


class StampingDeliverer:
    destination = "email"

    def __init__(self) -> None:
        self.sent: list[tuple[float, str]] = []

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        self.sent.append((time.monotonic(), message.idempotency_key))
        return DeliveryResult.sent()


def busiest_second(stamps: list[float]) -> int:
    """The most sends that fall within any one second."""
    stamps = sorted(stamps)
    return max(sum(1 for t in stamps[i:] if t < start + 1.0) for i, start in enumerate(stamps))


async def test_three_workers_together_keep_to_one_shared_rate(parts: Parts, redis_url: str) -> None:
    await parts.add_content(3)
    for n in range(MESSAGES):
        await parts.add_subscriber(n, dispatch=DispatchType.EMAIL, email=f"r{n}@example.com")
    await parts.tick().run()
    destination = StampingDeliverer()
    bucket = f"test:{uuid.uuid4().hex}"
    clients = [create_redis(redis_url) for _ in range(3)]
    try:
        workers = [
            parts.worker(
                {
                    "email": PacedDeliverer(
                        destination, RedisRateLimiter(client), bucket, RATE, BURST
                    )
                },
                f"worker-{n}",
                batch_size=10,
            )
            for n, client in enumerate(clients)
        ]
        await asyncio.gather(*(worker.drain_all() for worker in workers))
    finally:
        for client in clients:
            await client.aclose()

    keys = [key for _, key in destination.sent]
    assert len(keys) == MESSAGES == len(set(keys))  # each once, none twice
    # Unpaced, three workers would send all sixty at once (or 3 x RATE a second with a
    # bucket each); shared, a second holds the burst plus one second of refill, and all
    # sixty take as long as the one rate needs for them. The workers share one event loop:
    # a stall of a few tenths of a second on a loaded machine lands sends granted apart
    # together (29 in a second once), so the busiest second is held under twice the rate.
    stamps = [t for t, _ in destination.sent]
    assert busiest_second(stamps) < 2 * RATE
    assert max(stamps) - min(stamps) >= 0.9 * (MESSAGES - BURST) / RATE
    claimed = await parts.fetch("SELECT DISTINCT claimed_by FROM delivery_outbox")
    attempts = await parts.fetch("SELECT DISTINCT worker FROM delivery_attempts")
    assert len(attempts) == 3 and [r["claimed_by"] for r in claimed] == [None]


class RecordingLimiter:
    def __init__(self) -> None:
        self.waits: list[tuple[str, float, int]] = []
        self.blocks: list[tuple[str, float]] = []

    async def wait(self, bucket: str, rate_per_second: float, burst: int) -> None:
        self.waits.append((bucket, rate_per_second, burst))

    async def block(self, bucket: str, seconds: float) -> None:
        self.blocks.append((bucket, seconds))


async def test_a_paced_send_takes_one_token_and_a_retry_after_blocks_every_worker() -> None:
    busy = DeliveryResult(outcome=DeliveryOutcome.TRANSIENT, detail="429", retry_after=3.0)

    class Busy(StampingDeliverer):
        async def deliver(self, message: OutboundMessage) -> DeliveryResult:
            await super().deliver(message)
            return busy

    limiter = RecordingLimiter()
    paced = PacedDeliverer(Busy(), limiter, "ses:account", 14.0)
    message = OutboundMessage(destination="email", address="a@example.com", idempotency_key="k")

    await paced.pace(message)  # the worker takes the token before marking the send begun
    assert await paced.deliver(message) == busy

    assert limiter.waits == [("ses:account", 14.0, 14)]  # one token, not two
    assert limiter.blocks == [("ses:account", 3.0)]


async def test_real_ses_is_paced_at_the_accounts_max_send_rate(
    redis_client: Redis, moto_endpoint: str, tmp_path: Path
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        aws_endpoint_url=moto_endpoint,
        ses_sender_email="digests@example.com",
        ses_max_send_rate=7.5,
        digestbot_data_dir=tmp_path,
    )
    email = make_deliverers(settings, redis_client, io.StringIO())["email"]

    assert isinstance(email, PacedDeliverer)
    assert (email.bucket, email.rate, email.burst) == ("ses:account", 7.5, 7)
    unconfigured = Settings(_env_file=None, digestbot_data_dir=tmp_path)  # type: ignore[call-arg]
    assert not isinstance(
        make_deliverers(unconfigured, redis_client, io.StringIO())["email"], PacedDeliverer
    )
