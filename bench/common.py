"""Shared set-up for benchmarks: a scratch database on the configured server, seeded fast.

The server comes from BENCH_DATABASE_URL, else TEST_DATABASE_URL, else an embedded one;
Redis likewise from BENCH_REDIS_URL / TEST_REDIS_URL / embedded."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from core.mockdata import mock_content, mock_subscribers
from storage import embedded
from storage.postgres.migrate import migrate

DATA_DIR = Path(tempfile.gettempdir()) / "digestbot-bench"


def server_urls() -> tuple[str, str]:
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    redis = os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL")
    if not pg:
        pg = embedded.start_postgres(DATA_DIR / "pg")
    if not redis:
        redis = embedded.start_redis(DATA_DIR / "redis").url
    return pg, redis


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


async def scratch_database(server_url: str) -> tuple[str, str]:
    """Create and migrate a fresh database; returns (name, url)."""
    name = f"digestbot_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = with_database(server_url, name)
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn)
    finally:
        await conn.close()
    return name, url


async def drop_database(server_url: str, name: str) -> None:
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def seed(url: str, subscribers: int, items: int, now: datetime) -> None:
    """`subscribers` profiles (variations of 500 faker templates) and `items` content rows,
    every subscriber due now. Bulk SQL: seeding is not what is being measured."""
    templates = mock_subscribers(500, seed=1)
    content = mock_content(items, seed=2, now=now)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            """INSERT INTO content_items (title, summary, url, source, content_type,
                   published_at, ai_scores, entities, fingerprint)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                   $6::timestamptz[], $7::jsonb[], $8::jsonb[], $9::text[])""",
            *zip(
                *[
                    (
                        c.title,
                        c.summary,
                        c.url,
                        c.source,
                        c.content_type,
                        c.published_at,
                        c.ai_scores.model_dump_json(),
                        c.entities.model_dump_json(),
                        c.fingerprint,
                    )
                    for c in content
                ],
                strict=True,
            ),
        )
        due = now - timedelta(minutes=1)
        rows = []
        for i in range(subscribers):
            t = templates[i % len(templates)]
            rows.append(
                (
                    f"{t.name} {i}",
                    t.email.replace("@", f".{i}@") if t.email else None,
                    t.dispatch_type.value,
                    f"bench-{i}",
                    t.frequency.value,
                    t.frequency_settings.model_dump_json(),
                    json.dumps(t.ai_metadata.model_dump(mode="json")),
                )
            )
        for start in range(0, len(rows), 20_000):
            chunk = rows[start : start + 20_000]
            await conn.execute(
                """INSERT INTO publishing_subscribers (name, email, dispatch_type, platform,
                       platform_user_id, frequency, frequency_settings, ai_metadata, next_due_at)
                   SELECT n, e, d, 'bench', p, f, fs::jsonb, am::jsonb, $8
                   FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                               $6::text[], $7::text[]) AS t(n, e, d, p, f, fs, am)""",
                *zip(*chunk, strict=True),
                due,
            )
    finally:
        await conn.close()


def machine_reference() -> str:
    """This machine's speed now, as seconds for a fixed pure-Python loop (best of three).
    Shared machines drift (by up to 75% within one session here): figures from runs whose
    references differ are not comparable."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for n in range(10_000_000):
            total += n
        best = min(best, time.perf_counter() - started)
    return f"machine reference: a 10M-step Python loop takes {best:.2f} s"


def now_utc() -> datetime:
    return datetime.now(UTC)
