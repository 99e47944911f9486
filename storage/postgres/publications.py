"""The publication ledger (implements core.ports.PublicationLedger).

A digest, its items, its outbox rows and the recipient's next due time are written in
one transaction, so a crash can never leave a digest recorded but undelivered (or sent
twice): the (recipient, period) unique index turns a repeat into a no-op."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from core.delivery import OutboundMessage
from core.fingerprint import fingerprint
from core.models import Digest, DigestItem, Subscriber
from core.pipeline import Recording
from storage.postgres.content import content_from_row
from storage.postgres.queries import default_queries
from storage.postgres.summaries import PublicationSummary

__all__ = ["PgPublicationLedger", "PublicationSummary"]

_Q = default_queries()


def _item_key(
    publication_id: int, sub: int | None, chan: int | None, d: DigestItem
) -> tuple[Any, ...]:
    """An item row but for its scores, which insert_publication_items_many copies from
    the content row. Reasons go as JSON text (asyncpg would read a list of lists as a
    two-dimensional array)."""
    if d.item.id is None:
        raise ValueError(f"digest item '{d.item.title}' was never stored (no id)")
    fp = d.item.fingerprint or fingerprint(d.item.title)
    reasons = orjson.dumps(d.reasons).decode()
    return (publication_id, d.item.id, sub, chan, fp, d.rank, d.score, reasons)


def _item_args(
    publication_id: int, sub: int | None, chan: int | None, d: DigestItem
) -> tuple[Any, ...]:
    *key, reasons = _item_key(publication_id, sub, chan, d)
    # JSON texts: the insert casts them to jsonb.
    return (*key, d.item.ai_scores.model_dump_json(), reasons)


def _columns(rows: Sequence[tuple[Any, ...]]) -> list[list[Any]]:
    """Rows as one list per column, for the `unnest` inserts."""
    return [list(column) for column in zip(*rows, strict=True)]


def _outbox_args(
    publication_id: int, sub: int | None, chan: int | None, m: OutboundMessage, ready: datetime
) -> tuple[Any, ...]:
    return (
        publication_id,
        m.subscriber_id if m.subscriber_id is not None else sub,
        m.channel_id if m.channel_id is not None else chan,
        m.destination,
        m.address,
        m.idempotency_key,
        m.subject,
        m.text,
        m.html,
        orjson.dumps(m.payload).decode(),  # JSON text (0017)
        ready,
    )


class PgPublicationLedger:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def record(
        self,
        digest: Digest,
        messages: Sequence[OutboundMessage],
        next_due_at: datetime | None,
        outcome: str,
        *,
        channel_id: int | None = None,
        template_name: str = "",
        publication_id: int | None = None,
    ) -> int | None:
        """Write publication, items, outbox rows and the recipient's next due time in one
        transaction. Returns the publication id, or None (writing nothing) when this
        recipient already has a publication for digest.period_key.

        For a channel digest pass digest.subscriber_id=None and channel_id. Pass the
        publication_id reserved with next_publication_id() when rendering needed it."""
        sub = digest.subscriber_id
        if (sub is None) == (channel_id is None):
            raise ValueError("a publication needs exactly one of subscriber_id or channel_id")
        async with self._pool.acquire() as conn, conn.transaction():
            new_id = await conn.fetchval(
                _Q.insert_publication,
                sub,
                channel_id,
                digest.period_key,
                template_name,
                outcome,
                len(digest.items),
                digest.considered,
                digest.generated_at,
                publication_id,
            )
            if new_id is None:
                return None
            items = [_item_args(new_id, sub, channel_id, d) for d in digest.items]
            if items:
                await conn.executemany(_Q.insert_publication_item, items)
            ready = digest.generated_at
            rows = [_outbox_args(new_id, sub, channel_id, m, ready) for m in messages]
            if rows:
                await conn.executemany(_Q.insert_outbox_message, rows)
            if sub is not None:
                await conn.execute(
                    _Q.advance_subscriber, sub, digest.generated_at, next_due_at, outcome
                )
            else:
                await conn.execute(_Q.advance_channel, channel_id, digest.generated_at, next_due_at)
            return int(new_id)

    async def record_many(self, entries: Sequence[Recording]) -> list[int | None]:
        """record() for many subscriber digests (ids reserved) in one transaction: one
        commit instead of one per digest. Per entry, the publication id, or None (writing
        nothing for it) when that subscriber already has a publication for the period.
        Raises, writing nothing, when any entry fails: record them one by one then."""
        if not entries:
            return []
        if any(e.digest.subscriber_id is None for e in entries):
            raise ValueError("record_many is for subscriber digests")
        items = {e.publication_id: [_item_key(e.publication_id, e.digest.subscriber_id, None, d)
                                    for d in e.digest.items] for e in entries}  # fmt: skip
        columns = list(zip(*[
            (e.digest.subscriber_id, e.digest.period_key, "", e.outcome, e.publication_id,
             len(e.digest.items), e.digest.considered, e.digest.generated_at)
            for e in entries
        ], strict=True))  # fmt: skip
        outbox = {e.publication_id: [_outbox_args(e.publication_id, e.digest.subscriber_id,
                                                  None, m, e.digest.generated_at)
                                     for m in e.messages] for e in entries}  # fmt: skip
        advances = {e.publication_id: (e.digest.subscriber_id, e.digest.generated_at,
                                       e.next_due_at, e.outcome) for e in entries}  # fmt: skip
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(_Q.insert_publications_many, *columns)
            inserted = {int(row["id"]) for row in rows}
            new = [e.publication_id for e in entries if e.publication_id in inserted]
            if messages := [args for n in new for args in outbox[n]]:
                await conn.execute(_Q.insert_outbox_messages_many, *_columns(messages))
            if new:
                await conn.execute(_Q.advance_subscribers_many,
                                   *_columns([advances[n] for n in new]))  # fmt: skip
            if item_rows := [args for n in new for args in items[n]]:
                await conn.execute(_Q.insert_publication_items_many, *_columns(item_rows))
        return [e.publication_id if e.publication_id in inserted else None for e in entries]

    async def reserve_publication_ids(self, count: int) -> list[int]:
        """`count` publication ids at once (next_publication_id for a batch)."""
        rows = await self._pool.fetch(_Q.next_publication_ids, count)
        return [int(row["id"]) for row in rows]

    async def next_publication_id(self) -> int:
        """Reserve a publication id, so rendered links and buttons can name it."""
        return int(await self._pool.fetchval(_Q.next_publication_id))

    async def sent_fingerprints(self, subscriber_id: int) -> set[str]:
        """Fingerprints of every item ever sent to this subscriber."""
        rows = await self._pool.fetch(_Q.subscriber_sent_fingerprints, subscriber_id)
        return {row["fingerprint"] for row in rows}

    async def channel_sent_fingerprints(self, channel_id: int) -> set[str]:
        """Fingerprints of every item ever sent to this channel."""
        rows = await self._pool.fetch(_Q.channel_sent_fingerprints, channel_id)
        return {row["fingerprint"] for row in rows}

    async def history(self, subscriber_id: int, limit: int) -> list[PublicationSummary]:
        """This subscriber's newest publications, newest first."""
        rows = await self._pool.fetch(_Q.subscriber_history, subscriber_id, limit)
        return [PublicationSummary(**dict(row)) for row in rows]

    async def last_publication(self, subscriber_id: int) -> PublicationSummary | None:
        """The newest publication, or None before the first digest."""
        newest = await self.history(subscriber_id, 1)
        return newest[0] if newest else None

    async def digest_for(self, publication_id: int, subscriber: Subscriber) -> Digest | None:
        """A subscriber's recorded publication rebuilt as the Digest it was rendered from
        (to render it again in another format); None when it is gone or not theirs."""
        head = await self._pool.fetchrow(_Q.publication_header, publication_id)
        if head is None or head["subscriber_id"] != subscriber.id:
            return None
        rows = await self._pool.fetch(_Q.publication_items_sent, publication_id)
        items = [
            # The scores the item was sent with, not whatever it was rescored to since.
            DigestItem(item=content_from_row(row), score=row["score"],
                       rank=row["rank"], reasons=list(row["reasons"] or []))
            for row in rows
        ]  # fmt: skip
        return Digest(
            subscriber_id=subscriber.id,
            # Publications keep neither the name nor the personalisation they were rendered
            # with: the subscriber's current ones stand in (a later /digest style shows).
            recipient_name=subscriber.name,
            generated_at=head["created_at"],
            period_key=head["period_key"],
            items=items,
            considered=head["considered"],
            personalization=subscriber.ai_metadata.personalization,
            publication_id=publication_id,
        )
