"""Assemble-and-enqueue throughput: every subscriber due at once, 1 and 2 worker processes.

    python bench/pipeline.py            # 100,000 subscribers, 10,000 recent items
    python bench/pipeline.py --small    # 5,000 subscribers, 2,000 items

Prints digests per second, p50/p95/p99 time per batch, peak memory per process, and the
machine's bound for the same rows: COPYing the same publication and outbox rows with no
ranking or rendering; and the machine's speed before and after (bench.common).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
from redis.asyncio import Redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    drop_database,
    machine_reference,
    now_utc,
    scratch_database,
    seed,
    server_urls,
)
from storage.redis.shared_ranks import KEY_PATTERN


async def worker(pg_url: str, redis_url: str, batch: int) -> None:
    """One worker process: run the tick until nobody is due; print JSON figures."""
    from bot.gc_tuning import settle_after_startup
    from bot.runtime import build_runtime
    from bot.settings import Settings

    settings = Settings(
        _env_file=None, database_url=pg_url, redis_url=redis_url, run_scheduler=False,
        secret_key="bench-signing-key", database_pool_size=10,
    )  # type: ignore[call-arg]  # fmt: skip
    runtime = await build_runtime(settings, out=open("/dev/null", "w"))  # noqa: SIM115, ASYNC230
    settle_after_startup()  # as `digestbot worker` does
    runtime.tick.batch_size = batch
    times: list[float] = []
    published = 0
    try:
        while True:
            started = time.perf_counter()
            result = await runtime.tick.run(max_batches=1)
            if not result.claimed:
                break
            times.append(time.perf_counter() - started)
            published += result.published
    finally:
        await runtime.close()
    peak_mb = peak_rss_mb()
    print(json.dumps({"batch_seconds": times, "published": published, "peak_mb": peak_mb}))


def peak_rss_mb() -> float:
    """This process's peak resident memory. Not ru_maxrss: Linux carries the parent's
    peak at fork into a child's ru_maxrss across exec, so a worker started by this
    (seeded, large) bench would report the parent's size. VmHWM is the process's own."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def run_workers(count: int, pg_url: str, redis_url: str, batch: int) -> tuple[float, list[dict]]:
    command = [sys.executable, __file__, "--worker", pg_url, redis_url, str(batch)]
    started = time.perf_counter()
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(count)]
    outputs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    return time.perf_counter() - started, outputs


async def copy_bound(pg_url: str, rows: int) -> float:
    """Seconds to COPY `rows` publications and outbox rows shaped like the real ones."""
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute(
            "CREATE TEMP TABLE p (LIKE publishing_publications INCLUDING DEFAULTS);"
            "CREATE TEMP TABLE o (LIKE delivery_outbox INCLUDING DEFAULTS)"
        )
        now = now_utc()
        body = "x" * 1500  # about a rendered digest
        pubs = [(i, i, f"slot-{i}", "console", "digest", 8, 200, now) for i in range(rows)]
        outbox = [(i, i, "console", f"user-{i}", f"key-{i}", "Digest", body) for i in range(rows)]
        started = time.perf_counter()
        await conn.copy_records_to_table(
            "p", records=pubs, columns=["id", "subscriber_id", "period_key", "template_name",
                                        "outcome", "item_count", "considered", "created_at"],
        )  # fmt: skip
        await conn.copy_records_to_table(
            "o", records=outbox, columns=["publication_id", "subscriber_id", "destination",
                                          "address", "idempotency_key", "subject", "body_text"],
        )  # fmt: skip
        return time.perf_counter() - started
    finally:
        await conn.close()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


async def reset_due(pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute("TRUNCATE publishing_publications CASCADE")
        await conn.execute(
            "UPDATE publishing_subscribers SET next_due_at = now() - interval '1 minute', "
            "last_digest_at = NULL, claimed_by = NULL, claimed_until = NULL"
        )
        # As autovacuum would between runs (this machine's server runs without it).
        await conn.execute("VACUUM ANALYZE publishing_subscribers, content_items")
    finally:
        await conn.close()


async def forget_shared_ranks(redis_url: str) -> None:
    """Each run starts cold: no full-text ranks left in Redis by the run before (the window
    is the same, so the 2-worker run would otherwise skip all ranking)."""
    redis = Redis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match=KEY_PATTERN, count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


async def main(args: argparse.Namespace) -> None:
    subscribers, items = (5_000, 2_000) if args.small else (100_000, 10_000)
    server, redis_url = server_urls()
    name, url = await scratch_database(server)
    try:
        print(f"seeding {subscribers:,} subscribers and {items:,} content items ...", flush=True)
        await seed(url, subscribers, items, now_utc())
        bound = await copy_bound(url, subscribers)
        print(f"COPY bound: {subscribers:,} publications + outbox rows in {bound:.2f} s")
        print(machine_reference(), flush=True)
        for workers in (1, 2):
            await reset_due(url)
            await forget_shared_ranks(redis_url)
            elapsed, outputs = run_workers(workers, url, redis_url, args.batch)
            batches = [t for o in outputs for t in o["batch_seconds"]]
            done = sum(o["published"] for o in outputs)
            memory = ", ".join(f"{o['peak_mb']:.0f} MB" for o in outputs)
            print(
                f"{workers} worker(s): {done:,} digests in {elapsed:.1f} s = "
                f"{done / elapsed:,.0f} digests/s; per batch of {args.batch}: "
                f"p50 {percentile(batches, 50):.2f} s, p95 {percentile(batches, 95):.2f} s, "
                f"p99 {percentile(batches, 99):.2f} s; peak memory per process "
                f"{memory}; "
                f"{elapsed / bound:.1f}x the COPY bound"
            )
        print(machine_reference())
    finally:
        await drop_database(server, name)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        asyncio.run(worker(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    else:
        parser = argparse.ArgumentParser(description=__doc__)
        parser.add_argument("--small", action="store_true", help="5,000 subscribers")
        parser.add_argument("--batch", type=int, default=500, help="subscribers per claim")
        asyncio.run(main(parser.parse_args()))
