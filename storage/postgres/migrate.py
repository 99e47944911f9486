"""Numbered SQL migrations (`migrations/NNNN_name.sql`), applied in order and recorded.

Several processes may start at once (bot, workers): the whole run holds an advisory
lock, so the second process waits, then finds nothing left to apply."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from storage.postgres.queries import default_queries

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any fixed bigint works; it only has to be the same in every digestbot process.
MIGRATION_LOCK_KEY = 0x6469676573746D67  # "digestmg"
_FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every migration file in version order; a misnamed or duplicate file is an error."""
    found: dict[str, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise ValueError(f"migration file {path.name} is not named NNNN_name.sql")
        version = match.group("version")
        if version in found:
            raise ValueError(f"migration version {version} appears twice")
        found[version] = Migration(version, match.group("name"), path)
    return [found[version] for version in sorted(found)]


def expected_versions() -> list[str]:
    """The versions a fully migrated database has recorded, oldest first."""
    return [migration.version for migration in discover()]


async def migrate(
    pool_or_conn: asyncpg.Pool | asyncpg.Connection, directory: Path = MIGRATIONS_DIR
) -> list[str]:
    """Apply the migrations this database lacks; returns the versions newly applied."""
    if isinstance(pool_or_conn, asyncpg.Pool):
        async with pool_or_conn.acquire() as conn:
            return await _migrate(conn, directory)
    return await _migrate(pool_or_conn, directory)


async def _migrate(conn: asyncpg.Connection, directory: Path) -> list[str]:
    queries = default_queries()
    migrations = discover(directory)
    await conn.fetchval(queries.lock_migrations, MIGRATION_LOCK_KEY)
    try:
        # Created under the lock: concurrent CREATE TABLE IF NOT EXISTS can still collide.
        await conn.execute(queries.create_migrations_table)
        applied = {row["version"] for row in await conn.fetch(queries.applied_versions)}
        newly_applied: list[str] = []
        for migration in migrations:
            if migration.version in applied:
                continue
            # One transaction per migration: a failure leaves earlier ones in place.
            async with conn.transaction():
                await conn.execute(migration.sql())
                await conn.execute(queries.record_migration, migration.version, migration.name)
            newly_applied.append(migration.version)
        return newly_applied
    finally:
        if not conn.is_closed():
            await conn.fetchval(queries.unlock_migrations, MIGRATION_LOCK_KEY)
