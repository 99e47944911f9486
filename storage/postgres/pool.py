"""The asyncpg pool every repository shares, with JSON columns decoded to Python values."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson

# Long enough for a migration or a big batch insert, short enough that a stuck query
# frees its connection instead of starving the scheduler.
COMMAND_TIMEOUT_SECONDS = 30.0


def _encode_json(value: Any) -> str:
    # orjson: a digest's Slack blocks or Discord embeds are encoded on every write, and the
    # standard library's encoder was a twentieth of a batch. Non-string keys become strings
    # as json.dumps makes them.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Repositories pass and receive dicts/lists; the codec does the (de)serialisation.
    for type_name in ("jsonb", "json"):
        await conn.set_type_codec(
            type_name, encoder=_encode_json, decoder=orjson.loads, schema="pg_catalog"
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
