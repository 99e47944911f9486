"""Delivery throughput against a rate-limited Slack: outbox rows drained by DeliveryWorkers.

    python bench/delivery.py            # 10,000 Slack DMs
    python bench/delivery.py --small    # 1,000

A local fake Slack Web API (tests/fakes/slack_api.py) answers chat.postMessage with 429 and
Retry-After beyond --rate calls a second. The workers use the real SlackDeliverer with the
shared RedisRateLimiter, its workspace bucket set to the same rate. Prints the achieved
rate as a share of the permitted one, the 429s seen, and whether every row was delivered
exactly once (the fake's accepted posts against the outbox).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import time
from collections import Counter
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import drop_database, scratch_database, server_urls

BURST = 2  # a token or two in hand absorbs a late waiter without ever exceeding the limit


class WorkspaceRate:
    """The shared limiter, with the Slack workspace bucket sized to the permitted rate
    (production keeps bot.slack.deliver's WORKSPACE_RATE; 10,000 posts at 5/s is 33 min).
    A token bucket of `burst` refilling at r/s allows burst + r posts in any one second, so
    it refills at permitted - burst: never a 429, at best (permitted - burst) / permitted."""

    def __init__(self, inner: object, bucket: str, permitted: float) -> None:
        self._inner, self._bucket, self._rate = inner, bucket, permitted - BURST

    async def wait(self, bucket: str, rate_per_second: float, burst: int) -> float:
        if bucket == self._bucket:
            rate_per_second, burst = self._rate, BURST
        return float(await self._inner.wait(bucket, rate_per_second, burst))  # type: ignore[attr-defined]

    async def acquire(self, bucket: str, rate_per_second: float, burst: int) -> float:
        return float(await self._inner.acquire(bucket, rate_per_second, burst))  # type: ignore[attr-defined]

    async def block(self, bucket: str, seconds: float) -> float:
        return float(await self._inner.block(bucket, seconds))  # type: ignore[attr-defined]


async def seed_outbox(url: str, rows: int) -> None:
    """`rows` Slack DM subscribers, each with one publication and one pending outbox row.
    Addresses are DM channel ids (D…): the one-off conversations.open per user has its own,
    much lower Tier 4 limit and is not what is measured."""
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 400}}] * 8
    payload = json.dumps({"blocks": blocks})
    conn = await asyncpg.connect(url)
    try:
        ids = list(range(1, rows + 1))
        await conn.execute(
            """INSERT INTO publishing_subscribers (id, name, dispatch_type, platform,
                   platform_user_id, slack_team_id)
               SELECT i, 'Reader ' || i, 'slack', 'slack', 'U' || i, 'T0000'
               FROM unnest($1::bigint[]) AS i""",
            ids,
        )
        await conn.execute(
            """INSERT INTO publishing_publications (id, subscriber_id, period_key,
                   template_name, outcome, item_count)
               SELECT i, i, 'bench', 'slack', 'digest', 8 FROM unnest($1::bigint[]) AS i""",
            ids,
        )
        await conn.execute(
            """INSERT INTO delivery_outbox (publication_id, subscriber_id, destination,
                   address, idempotency_key, subject, body_text, payload, next_attempt_at)
               SELECT i, i, 'slack', 'D' || i, 'bench:' || i, 'Your digest',
                      'Your research digest', $2::jsonb, now() - interval '1 minute'
               FROM unnest($1::bigint[]) AS i""",
            ids,
            payload,
        )
    finally:
        await conn.close()


async def drain(url: str, redis_url: str, base_url: str, workers: int, rate: float) -> float:
    """Run `workers` DeliveryWorkers until the outbox is empty; returns the seconds taken."""
    from bot.runtime import SystemClock
    from bot.settings import Settings
    from bot.slack.deliver import WORKSPACE_BUCKET
    from bot.slack.factory import make_slack_deliverer
    from scheduler.delivery import DeliveryWorker
    from storage.postgres.outbox import PgOutbox
    from storage.postgres.pool import create_pool
    from storage.postgres.subscribers import PgSubscriberRepository
    from storage.redis.client import create_redis
    from storage.redis.rate_limit import RedisRateLimiter

    settings = Settings(
        _env_file=None, database_url=url, redis_url=redis_url, run_scheduler=False,
        slack_bot_token="xoxb-bench", slack_api_url=base_url,
    )  # type: ignore[call-arg]  # fmt: skip
    pool = await create_pool(url, max_size=4 * workers)
    redis = create_redis(redis_url)
    limiter = WorkspaceRate(RedisRateLimiter(redis), WORKSPACE_BUCKET, rate)
    deliverers = [
        make_slack_deliverer(settings, redis, io.StringIO(), rate_limiter=limiter)  # type: ignore[arg-type]
        for _ in range(workers)
    ]
    outbox, people = PgOutbox(pool), PgSubscriberRepository(pool)
    started = time.perf_counter()

    async def run(n: int) -> None:
        worker = DeliveryWorker(
            outbox, {"slack": deliverers[n]}, people, SystemClock(), f"bench-{n}",
            concurrency=8, batch_size=50,
        )  # fmt: skip
        while True:
            if not await worker.drain():
                pending = await pool.fetchval(
                    "SELECT count(*) FROM delivery_outbox WHERE state IN ('pending', 'sending')"
                )
                if not pending:
                    return
                await asyncio.sleep(0.2)  # rows waiting out a Retry-After

    try:
        await asyncio.gather(*(run(n) for n in range(workers)))
        return time.perf_counter() - started
    finally:
        for deliverer in deliverers:
            if callable(close := getattr(deliverer, "aclose", None)):
                await close()
        await redis.aclose()
        await pool.close()


def _key(body: dict[str, object]) -> str:
    metadata = body.get("metadata")
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    return str(metadata["event_payload"]["idempotency_key"])  # type: ignore[index]


async def main(args: argparse.Namespace) -> None:
    from tests.fakes.slack_api import FakeSlackApi

    rows = 1_000 if args.small else 10_000
    server, redis_url = server_urls()
    name, url = await scratch_database(server)
    try:
        await seed_outbox(url, rows)
        async with FakeSlackApi() as fake:
            fake.limit_per_second("chat.postMessage", int(args.rate))
            print(
                f"draining {rows:,} Slack DMs with {args.workers} worker(s), "
                f"permitted {args.rate:g} chat.postMessage/s ...",
                flush=True,
            )
            elapsed = await drain(url, redis_url, fake.base_url, args.workers, args.rate)
            posts = fake.calls_to("chat.postMessage")
            accepted = Counter(_key(c.body) for c in posts if c.status == 200)
        conn = await asyncpg.connect(url)
        try:
            states = dict(
                await conn.fetch("SELECT state, count(*) FROM delivery_outbox GROUP BY state")
            )
            keys = {r[0] for r in await conn.fetch("SELECT idempotency_key FROM delivery_outbox")}
        finally:
            await conn.close()
        achieved = sum(accepted.values()) / elapsed
        twice = sum(1 for n in accepted.values() if n > 1)
        missing = len(keys - set(accepted))
        exact = not twice and not missing and set(accepted) == keys and states == {"sent": rows}
        print(
            f"{sum(accepted.values()):,} posts in {elapsed:.1f} s = {achieved:.1f}/s, "
            f"{achieved / args.rate:.1%} of the permitted {args.rate:g}/s; "
            f"429s seen: {sum(1 for c in posts if c.status == 429)}; "
            f"outbox states: {states}; "
            f"exactly once: {'yes' if exact else 'NO'} (missing {missing}, twice {twice})"
        )
    finally:
        await drop_database(server, name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="1,000 rows")
    parser.add_argument("--rate", type=float, default=50.0, help="permitted posts/s")
    parser.add_argument("--workers", type=int, default=2, help="DeliveryWorkers")
    asyncio.run(main(parser.parse_args()))
