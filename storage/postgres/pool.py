"""The asyncpg pool every repository shares, with JSON columns decoded to Python values."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

# Long enough for a migration or a big batch insert, short enough that a stuck query
# frees its connection instead of starving the scheduler.
COMMAND_TIMEOUT_SECONDS = 30.0


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Repositories pass and receive dicts/lists; the codec does the (de)serialisation.
    for type_name in ("jsonb", "json"):
        await conn.set_type_codec(
            type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )


async def create_pool(
    url: str,
    *,
    min_size: int = 1,
    max_size: int = 20,
    command_timeout: float = COMMAND_TIMEOUT_SECONDS,
    application_name: str = "digestbot",
) -> asyncpg.Pool:
    """Open a pool on `url`; JSON/JSONB columns map to dicts and lists."""
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        command_timeout=command_timeout,
        init=_init_connection,
        server_settings={"application_name": application_name},
    )
    assert pool is not None  # create_pool only returns None when used without await
    return pool


@asynccontextmanager
async def transaction(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection inside a transaction: committed on exit, rolled back on error."""
    async with pool.acquire() as conn, conn.transaction():
        yield conn
