"""The tick reads a batch's candidates once (one shared window) and still records, for
every subscriber, the digest that assembling them one at a time would have recorded."""

from __future__ import annotations

from datetime import timedelta

from core.mockdata import mock_subscribers
from core.pipeline import DigestPipeline
from core.render import DigestRenderer
from core.schedule import period_key
from storage.postgres.search import PgSearchContentRepository
from tests.scheduler.conftest import BundledTemplates, Parts


async def test_a_batch_records_the_digests_one_at_a_time_assembly_would(parts: Parts) -> None:
    await parts.add_content(80, seed=4)
    due = parts.clock.now() - timedelta(minutes=1)
    people = []
    for n, profile in enumerate(mock_subscribers(12, seed=9)):
        person = await parts.add_subscriber(n, due=due)
        person.ai_metadata = profile.ai_metadata
        people.append(await parts.subscribers.save(person))
    content = PgSearchContentRepository(parts.pool, parts.subscribers)
    renderer = DigestRenderer(BundledTemplates())
    pipeline = DigestPipeline(content, parts.ledger, renderer, parts.clock)
    expected = {}
    for person in people:
        digest = await pipeline.assemble(person, period_key(due))
        expected[person.id] = [(d.item.id, d.rank, d.score, d.reasons) for d in digest.items]
    assert any(expected.values())

    windows = []
    batch_window = content.batch_window

    async def spy(subscribers):  # type: ignore[no-untyped-def]
        windows.append(len(subscribers))
        return await batch_window(subscribers)

    content.batch_window = spy  # type: ignore[method-assign]
    parts.pipeline = pipeline
    result = await parts.tick(batch_size=5).run()
    assert (result.published, result.failed) == (12, 0)
    assert windows == [5, 5, 2]  # one shared read per batch
    rows = await parts.fetch(
        "SELECT p.subscriber_id, i.content_id, i.rank, i.score, i.reasons "
        "FROM publishing_publications p JOIN publishing_publication_items i "
        "ON i.publication_id = p.id ORDER BY p.subscriber_id, i.rank"
    )
    recorded: dict[int, list[tuple[object, ...]]] = {person.id: [] for person in people}  # type: ignore[misc]
    for row in rows:
        recorded[row["subscriber_id"]].append(
            (row["content_id"], row["rank"], row["score"], list(row["reasons"]))
        )
    assert recorded == expected


async def test_a_batch_skips_a_served_slot_and_fails_one_digest_alone(
    parts: Parts, monkeypatch
) -> None:
    await parts.add_content(20, seed=4)
    due = parts.clock.now() - timedelta(minutes=1)
    served, broken, fine = [await parts.add_subscriber(n, due=due) for n in range(3)]
    content = PgSearchContentRepository(parts.pool, parts.subscribers)
    parts.pipeline = DigestPipeline(
        content, parts.ledger, DigestRenderer(BundledTemplates()), parts.clock
    )
    await parts.pool.execute(  # this slot was served already (say, by a worker that died)
        "INSERT INTO publishing_publications (subscriber_id, period_key, template_name) "
        "VALUES ($1, $2, '')",
        served.id,
        period_key(due),
    )
    mend = parts.break_rendering(broken.id, monkeypatch)
    result = await parts.tick(lease_seconds=30).run()
    assert (result.published, result.already_served, result.failed) == (1, 1, 1)
    outbox = await parts.fetch("SELECT subscriber_id FROM delivery_outbox")
    assert [r["subscriber_id"] for r in outbox] == [fine.id]  # the served slot wrote nothing
    rows = await parts.fetch(
        "SELECT id, next_due_at, claimed_by FROM publishing_subscribers ORDER BY id"
    )
    state = {r["id"]: (r["next_due_at"] > due, r["claimed_by"]) for r in rows}
    assert state[served.id] == (True, None)  # released to its next slot
    assert state[fine.id] == (True, None)  # advanced by its digest
    assert state[broken.id][1] is not None  # still claimed: retried after the lease
    parts.clock.advance(seconds=31)
    mend()
    assert (await parts.tick().run()).published == 1


async def test_when_the_batch_write_fails_each_digest_is_recorded_alone(
    parts: Parts, monkeypatch
) -> None:
    await parts.add_content(20, seed=4)
    due = parts.clock.now() - timedelta(minutes=1)
    people = [await parts.add_subscriber(n, due=due) for n in range(3)]
    content = PgSearchContentRepository(parts.pool, parts.subscribers)
    parts.pipeline = DigestPipeline(
        content, parts.ledger, DigestRenderer(BundledTemplates()), parts.clock
    )

    async def broken(entries):  # type: ignore[no-untyped-def]
        raise RuntimeError("batch insert failed")

    monkeypatch.setattr(parts.ledger, "record_many", broken)
    result = await parts.tick().run()
    assert (result.published, result.failed) == (3, 0)
    rows = await parts.fetch("SELECT subscriber_id FROM delivery_outbox ORDER BY subscriber_id")
    assert [r["subscriber_id"] for r in rows] == [p.id for p in people]
