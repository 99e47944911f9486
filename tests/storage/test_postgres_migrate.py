"""Migrations: idempotent, safe from several processes at once, and the schema the code expects."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import asyncpg

from core.models import ContentItem, Subscriber
from storage.postgres.channels import Channel
from storage.postgres.migrate import discover, expected_versions, migrate

REPO_ROOT = Path(__file__).resolve().parents[2]

# Tables and the columns the repositories' SQL reads or writes (beyond the models' fields).
EXPECTED_COLUMNS: dict[str, set[str]] = {
    "schema_migrations": {"version", "name", "applied_at"},
    "publishing_subscribers": {"claimed_by", "claimed_until", "updated_at"},
    "publishing_channels": {"claimed_by", "claimed_until", "updated_at"},
    "content_items": {"fingerprint", "created_at"},
    # 0009: feed and arXiv sources, the URLs each item was seen at.
    "content_sources": {
        "name",
        "kind",
        "url",
        "owner_key",
        "added_by",
        "credibility",
        "status",
        "paused_reason",
        "etag",
        "last_modified",
        "last_fetch_at",
        "last_success_at",
        "last_error",
        "consecutive_failures",
        "items_added",
        "next_fetch_at",
        "claimed_by",
        "claimed_until",
    },
    "content_item_urls": {"url", "content_id", "source_id", "seen_at"},
    "publishing_templates": {
        "name",
        "output_format",
        "style",
        "body",
        "version",
        "updated_at",
        "is_default",
    },
    "app_secrets": {"name", "value", "created_at"},
    "publishing_publications": {
        "id",
        "subscriber_id",
        "channel_id",
        "period_key",
        "template_name",
        "outcome",
        "item_count",
        "considered",
        "created_at",
    },
    "publishing_publication_items": {
        "publication_id",
        "content_id",
        "subscriber_id",
        "channel_id",
        "fingerprint",
        "rank",
        "score",
        "ai_scores",
        "reasons",
    },
    "delivery_outbox": {
        "id",
        "publication_id",
        "subscriber_id",
        "channel_id",
        "destination",
        "address",
        "idempotency_key",
        "subject",
        "body_text",
        "body_html",
        "payload",
        "state",
        "attempts",
        "next_attempt_at",
        "claimed_by",
        "claimed_until",
        "fallback_of",
        "send_started_at",
    },
    "delivery_attempts": {"outbox_id", "attempt", "outcome", "detail", "retry_after"}
    | {"wait_seconds"},
    "delivery_suppressions": {"destination", "address", "reason"},
    "engagement_events": {
        "kind",
        "publication_id",
        "content_id",
        "person",
        "subscriber_id",
        "occurred_at",
    },
    "subscriber_alerts": {"subscriber_id", "content_id", "score", "state", "created_at"},
    "slack_installations": {
        "client_id",
        "enterprise_id",
        "team_id",
        "user_id",
        "is_enterprise_install",
        "data",
    },
    "slack_bots": {"client_id", "enterprise_id", "team_id", "is_enterprise_install", "data"},
}
# Rows are read back with SELECT * into these models: every field needs a column.
MODEL_TABLES = {
    "publishing_subscribers": Subscriber,
    "publishing_channels": Channel,
    "content_items": ContentItem,
}
JSONB_COLUMNS = {
    ("publishing_subscribers", "frequency_settings"),
    ("publishing_subscribers", "ai_metadata"),
    ("content_items", "ai_scores"),
    ("content_items", "entities"),
    ("publishing_publication_items", "reasons"),
}
# ON CONFLICT targets in the queries rely on these unique indexes.
UNIQUE_INDEXES = {
    "publishing_publications_subscriber_period_key",
    "publishing_publications_channel_period_key",
    "content_sources_name_key",  # one name per owner (or among shared sources)
    "content_sources_url_key",
}

MIGRATE_SCRIPT = """
import asyncio, sys, time
import asyncpg
from storage.postgres.migrate import migrate

async def main(url: str, start_at: float) -> None:
    conn = await asyncpg.connect(url)
    try:
        await asyncio.sleep(max(0.0, start_at - time.time()))  # start together
        print(",".join(await migrate(conn)))
    finally:
        await conn.close()

asyncio.run(main(sys.argv[1], float(sys.argv[2])))
"""


async def _recorded_versions(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")
        return [row["version"] for row in rows]
    finally:
        await conn.close()


def test_migration_files_are_numbered_in_order() -> None:
    versions = expected_versions()
    assert versions[0] == "0001"
    assert versions == sorted(versions)
    assert all(m.path.name.startswith(f"{m.version}_") for m in discover())


async def test_second_run_applies_nothing(pg_empty_url: str) -> None:
    conn = await asyncpg.connect(pg_empty_url)
    try:
        assert await migrate(conn) == expected_versions()
        assert await migrate(conn) == []
    finally:
        await conn.close()
    assert await _recorded_versions(pg_empty_url) == expected_versions()


async def test_two_processes_migrating_at_once_both_succeed(pg_empty_url: str) -> None:
    start_at = str(time.time() + 2.0)  # both interpreters are up and connected by then
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            MIGRATE_SCRIPT,
            pg_empty_url,
            start_at,
            cwd=REPO_ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    results = [await asyncio.wait_for(proc.communicate(), 60) for proc in procs]
    for proc, (_, stderr) in zip(procs, results, strict=True):
        assert proc.returncode == 0, stderr.decode()
    applied = sorted(stdout.decode().strip() for stdout, _ in results)
    assert applied == ["", ",".join(expected_versions())]  # one did it all, one nothing
    assert await _recorded_versions(pg_empty_url) == expected_versions()


async def test_schema_is_what_the_code_expects(pg_url: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public'"
        )
        index_names = {
            row["indexname"]
            for row in await conn.fetch(
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
            )
        }
    finally:
        await conn.close()
    columns: dict[str, dict[str, str]] = {}
    for row in rows:
        columns.setdefault(row["table_name"], {})[row["column_name"]] = row["data_type"]

    assert set(columns) == set(EXPECTED_COLUMNS)
    for table, expected in EXPECTED_COLUMNS.items():
        assert expected <= set(columns[table]), (table, expected - set(columns[table]))
    for table, model in MODEL_TABLES.items():
        missing = set(model.model_fields) - set(columns[table])
        assert not missing, f"{model.__name__} fields without a column in {table}: {missing}"
    for table, column in JSONB_COLUMNS:
        assert columns[table][column] == "jsonb", (table, column)
    assert columns["delivery_outbox"]["payload"] == "text"  # sent as rendered (0011, 0017)
    assert index_names >= UNIQUE_INDEXES
    assert await _recorded_versions(pg_url) == expected_versions()
