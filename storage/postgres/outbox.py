"""The delivery outbox: claiming ready rows and recording what each send did."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from core.delivery import OutboundMessage
from core.render import RenderedDigest
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
        payload=orjson.loads(row["payload"]) if row["payload"] else {},  # JSON text (0017)
        attempt=row["attempts"],
    )


@dataclass(frozen=True)
class Settlement:
    """What one send did (the attempt row) and the state its outbox row moves to."""

    state: str  # sent | pending (retry) | failed | reconcile | suppressed
    outcome: str  # the attempt's outcome: sent | transient | permanent | unknown | suppressed
    detail: str = ""
    retry_after: float | None = None
    wait_seconds: float | None = None
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    provider_message_id: str | None = None


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

    async def start(self, outbox_id: int, worker: str, now: datetime, lease_seconds: float) -> bool:
        """Mark a claimed row as being sent; False when this worker no longer holds it."""
        started = await self._pool.fetchval(
            _Q.mark_send_started, outbox_id, worker, now, lease_seconds
        )
        return started is not None

    async def release_expired(self, now: datetime, retry_safe: Sequence[str]) -> int:
        rows = await self._pool.fetch(_Q.release_expired, now, list(retry_safe))
        return len(rows)

    async def settle(self, message: OutboundMessage, worker: str, s: Settlement) -> bool:
        """Record the attempt and move the row on, in one transaction. False (the attempt
        is still recorded) when another worker holds the row now: it decides."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                _Q.insert_attempt,
                message.outbox_id,
                message.attempt,
                s.outcome,
                s.detail[:1000],
                s.retry_after,
                s.wait_seconds,
                worker,
            )
            updated = await conn.fetchval(
                _Q.settle_outbox,
                message.outbox_id,
                worker,
                s.state,
                s.next_attempt_at,
                s.detail[:1000] or None,
                s.sent_at,
                s.provider_message_id,
            )
        return updated is not None

    async def add_email_fallback(
        self,
        failed: OutboundMessage,
        address: str,
        now: datetime,
        email: RenderedDigest | None = None,
    ) -> int | None:
        """Queue `email`, the email version of a failed chat message (without one, the
        chat message's own subject and text); None if it exists already."""
        subject, text, html = (email.subject, email.text, email.html) if email else ("", "", None)
        return await self._pool.fetchval(
            _Q.insert_fallback,
            failed.publication_id,
            failed.subscriber_id,
            failed.channel_id,
            address,
            f"{failed.idempotency_key}:fallback-email",
            subject or failed.subject or "Your research digest",
            text or failed.text,
            html,
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
