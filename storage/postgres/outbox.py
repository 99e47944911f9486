"""The delivery outbox: claiming ready rows and recording what each send did."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from core.delivery import OutboundMessage
from storage.postgres.queries import default_queries

_Q = default_queries()


def message_from_row(row: Mapping[str, Any]) -> OutboundMessage:
    return OutboundMessage(
        outbox_id=row["id"],
        publication_id=row["publication_id"],
        subscriber_id=row["subscriber_id"],
        channel_id=row["channel_id"],
        destination=row["destination"],
        address=row["address"],
        idempotency_key=row["idempotency_key"],
        subject=row["subject"],
        text=row["body_text"],
        html=row["body_html"],
        payload=row["payload"] or {},
        attempt=row["attempts"],
    )


class PgOutbox:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def claim(
        self,
        worker: str,
        now: datetime,
        *,
        lease_seconds: float = 120.0,
        limit: int = 50,
        publication_id: int | None = None,
    ) -> list[OutboundMessage]:
        rows = await self._pool.fetch(
            _Q.claim_ready, worker, now, lease_seconds, limit, publication_id
        )
        return [message_from_row(row) for row in rows]

    async def release_expired(self, now: datetime, retry_safe: Sequence[str]) -> int:
        rows = await self._pool.fetch(_Q.release_expired, now, list(retry_safe))
        return len(rows)

    async def record_attempt(
        self,
        message: OutboundMessage,
        outcome: str,
        detail: str,
        retry_after: float | None,
        worker: str,
    ) -> None:
        await self._pool.execute(
            _Q.insert_attempt,
            message.outbox_id,
            message.attempt,
            outcome,
            detail[:1000],
            retry_after,
            worker,
        )

    async def mark_sent(self, outbox_id: int, at: datetime, provider_id: str | None) -> None:
        await self._pool.execute(_Q.mark_sent, outbox_id, at, provider_id)

    async def mark_retry(self, outbox_id: int, at: datetime, error: str) -> None:
        await self._pool.execute(_Q.mark_retry, outbox_id, at, error[:1000])

    async def mark_final(self, outbox_id: int, state: str, error: str) -> None:
        await self._pool.execute(_Q.mark_final, outbox_id, state, error[:1000])

    async def add_email_fallback(
        self, failed: OutboundMessage, address: str, now: datetime
    ) -> int | None:
        """Queue the email version of a failed chat message; None if it exists already."""
        fallback = failed.payload.get("fallback_email") or {}
        return await self._pool.fetchval(
            _Q.insert_fallback,
            failed.publication_id,
            failed.subscriber_id,
            failed.channel_id,
            address,
            f"{failed.idempotency_key}:fallback-email",
            fallback.get("subject") or failed.subject or "Your research digest",
            fallback.get("text") or failed.text,
            fallback.get("html"),
            now,
            failed.outbox_id,
        )

    async def suppression(self, destination: str, address: str) -> str | None:
        return await self._pool.fetchval(_Q.is_suppressed, destination, address)

    async def suppress(self, destination: str, address: str, reason: str) -> None:
        await self._pool.execute(_Q.suppress, destination, address, reason[:500])

    async def rows_for_publication(self, publication_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._pool.fetch(_Q.rows_for_publication, publication_id)]

    async def attempts(self, outbox_id: int) -> list[dict[str, Any]]:
        return [dict(r) for r in await self._pool.fetch(_Q.attempts_for, outbox_id)]

    async def prune(self, before: datetime) -> int:
        result = await self._pool.execute(_Q.prune_finished, before)
        return int(result.split()[-1])
