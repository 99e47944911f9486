"""Jinja2 template sources in `publishing_templates` (implements core.ports.TemplateSource)."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from storage.postgres.queries import default_queries

_Q = default_queries()


@dataclass(frozen=True)
class TemplateRecord:
    name: str
    output_format: str
    style: str
    body: str
    version: int
    updated_at: datetime


def output_format_of(name: str) -> str:
    """`email.html` -> `email`: template names start with their output format."""
    return name.split(".", 1)[0]


class PgTemplateRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, name: str) -> str | None:
        """The template's source, or None when no such template is stored."""
        body: str | None = await self._pool.fetchval(_Q.get_template, name)
        return body

    async def get_template(self, name: str) -> str:
        """TemplateSource port: like get(), but a missing template is a KeyError."""
        body = await self.get(name)
        if body is None:
            raise KeyError(name)
        return body

    async def upsert(self, name: str, output_format: str, style: str, body: str) -> int:
        """Create or replace a template; returns its version (1, then bumped per change)."""
        return int(await self._pool.fetchval(_Q.upsert_template, name, output_format, style, body))

    async def seed_defaults(
        self, defaults: Mapping[str, str], style: str = "any"
    ) -> builtins.list[str]:
        """Insert missing defaults and refresh unedited ones; returns the names written."""
        rows = [(name, output_format_of(name), style, body) for name, body in defaults.items()]
        if not rows:
            return []
        async with self._pool.acquire() as conn, conn.transaction():
            written = await conn.fetchmany(_Q.seed_default_template, rows)
        return [row["name"] for row in written]

    # builtins.list: inside the class body `list` is this method.
    async def list(self) -> builtins.list[TemplateRecord]:
        """Every stored template, by name."""
        rows = await self._pool.fetch(_Q.list_templates)
        return [TemplateRecord(**dict(row)) for row in rows]
