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


_JSON_OPTIONS = orjson.OPT_NON_STR_KEYS  # int keys become strings, as json.dumps makes them


def _encode_jsonb(value: Any) -> bytes:
    return b"\x01" + orjson.dumps(value, option=_JSON_OPTIONS)  # jsonb's binary version 1


def _decode_jsonb(data: bytes) -> Any:
    return orjson.loads(data[1:])


def _encode_json(value: Any) -> bytes:
    return orjson.dumps(value, option=_JSON_OPTIONS)


async def _init_connection(conn: asyncpg.Connection) -> None:
    # Repositories pass and receive dicts/lists; the codec does the (de)serialisation.
    # Binary format with orjson: in text format asyncpg quotes every JSON value of an
    # array parameter into an array literal (and PostgreSQL unquotes it), which made a
    # batch's Slack and Discord payloads the dearest part of writing it.
    await conn.set_type_codec(
        "jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog", format="binary"
    )
    await conn.set_type_codec(
        "json", encoder=_encode_json, decoder=orjson.loads, schema="pg_catalog", format="binary"
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
