"""`scripts/init_mock_data.py` loads the AI module's mock data and can dispatch a batch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[2]


def _script(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "init_mock_data.py"), *args],
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )


async def test_seed_is_deterministic_and_dispatch_sends_one_digest_each(
    bot_env: dict[str, str], pg_url: str
) -> None:
    first = _script(bot_env, "--subscribers", "20", "--content", "50", "--seed", "3")
    assert first.returncode == 0, first.stderr
    assert "Seeded 20 subscribers and 50 new content items (seed 3)" in first.stdout
    again = _script(bot_env, "--subscribers", "20", "--content", "50", "--seed", "3", "--dispatch")
    assert again.returncode == 0, again.stderr
    # Same seed: the same people and items are updated, nothing is duplicated.
    assert "Seeded 20 subscribers and 0 new content items" in again.stdout
    assert "Dispatched a batch" in again.stdout
    for block in ("📧 PLACEHOLDER EMAIL", "💬 PLACEHOLDER SLACK MESSAGE", "🎮 PLACEHOLDER DISCORD"):
        assert block in again.stdout

    conn = await asyncpg.connect(pg_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM publishing_subscribers") == 20
        assert await conn.fetchval("SELECT count(*) FROM content_items") == 50
        per_subscriber = await conn.fetch(
            "SELECT subscriber_id, count(*) AS n FROM publishing_publications GROUP BY 1"
        )
        assert len(per_subscriber) == 20 and all(row["n"] == 1 for row in per_subscriber)
        states = await conn.fetch("SELECT DISTINCT state FROM delivery_outbox")
        assert {row["state"] for row in states} == {"sent"}
        types = await conn.fetch("SELECT DISTINCT dispatch_type FROM publishing_subscribers")
        assert {row["dispatch_type"] for row in types} == {"slack", "discord", "email"}
    finally:
        await conn.close()
