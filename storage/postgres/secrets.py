"""Generated secrets shared by every process (bot, workers) through PostgreSQL."""

from __future__ import annotations

import secrets

import asyncpg

from storage.postgres.queries import default_queries

_Q = default_queries()


async def ensure_secret(pool: asyncpg.Pool, name: str) -> str:
    """The stored secret `name`, generating and storing it on first use."""
    return str(await pool.fetchval(_Q.ensure_secret, name, secrets.token_urlsafe(48)))
