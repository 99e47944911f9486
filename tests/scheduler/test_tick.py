"""The tick: due recipients are claimed in disjoint batches and served once per slot."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta

from core.models import SubscriberStatus
from core.schedule import next_due, period_key
from tests.scheduler.conftest import Parts


async def _publications(parts: Parts) -> list[tuple[int, str]]:
    rows = await parts.fetch(
        "SELECT subscriber_id, period_key FROM publishing_publications ORDER BY subscriber_id"
    )
    return [(r["subscriber_id"], r["period_key"]) for r in rows]


async def test_due_subscribers_get_one_digest_each_and_move_to_their_next_slot(
    parts: Parts,
) -> None:
    await parts.add_content()
    due = parts.clock.now() - timedelta(minutes=5)
    people = [await parts.add_subscriber(n, due=due) for n in range(5)]
    later = await parts.add_subscriber(99, due=parts.clock.now() + timedelta(hours=1))

    result = await parts.tick().run()

    assert (result.claimed, result.published, result.failed) == (5, 5, 0)
    assert await _publications(parts) == [(p.id, period_key(due)) for p in people]
    for person in people:
        stored = await parts.subscribers.get(person.id or 0)
        assert stored is not None
        assert stored.next_due_at == next_due(person.frequency_settings, parts.clock.now())
    claims = await parts.fetch("SELECT claimed_by FROM publishing_subscribers")
    assert {r["claimed_by"] for r in claims} == {None}
    assert (await parts.tick().run()).claimed == 0  # nobody is due any more
    assert later.id not in {sub for sub, _ in await _publications(parts)}


async def test_two_workers_ticking_at_once_take_disjoint_batches(parts: Parts) -> None:
    due = parts.clock.now() - timedelta(minutes=1)
    for n in range(120):
        await parts.add_subscriber(n, due=due)

    a, b = await asyncio.gather(
        parts.tick("worker-a", batch_size=10).run(), parts.tick("worker-b", batch_size=10).run()
    )

    # SKIP LOCKED plus the lease: no subscriber is claimed by both, none is left out.
    assert a.claimed + b.claimed == 120
    assert a.already_served + b.already_served == 0
    rows = await _publications(parts)
    assert len(rows) == 120 and len({sub for sub, _ in rows}) == 120


async def test_a_dead_workers_claims_are_served_after_the_lease_and_only_once(
    parts: Parts,
) -> None:
    due = parts.clock.now() - timedelta(minutes=1)
    for n in range(10):
        await parts.add_subscriber(n, due=due)
    # A worker claims the batch, records 4 digests, and dies before the other 6.
    claimed = await parts.scheduling.claim_due("dead", parts.clock.now(), 10, 60)
    following = next_due(claimed[0].frequency_settings, parts.clock.now())
    for subscriber in claimed[:4]:
        await parts.pipeline.publish(subscriber, period_key(due), following)

    assert (await parts.tick("live").run()).claimed == 0  # the lease still holds
    parts.clock.advance(seconds=61)
    result = await parts.tick("live").run()

    assert (result.claimed, result.published) == (6, 6)
    rows = await _publications(parts)
    assert len(rows) == 10 and len({sub for sub, _ in rows}) == 10


async def test_a_worker_that_stops_cleanly_hands_its_claims_to_the_others_at_once(
    parts: Parts,
) -> None:
    due = parts.clock.now() - timedelta(minutes=1)
    for n in range(6):
        await parts.add_subscriber(n, due=due)
    stopping = await parts.scheduling.claim_due("stopping", parts.clock.now(), 3, 300)
    other = await parts.scheduling.claim_due("other", parts.clock.now(), 2, 300)
    held_back = stopping[0]  # failed to assemble: its backoff must survive the hand-back
    await parts.scheduling.record_failures(
        [(held_back.id or 0, "boom")], parts.clock.now(), 300, "stopping"
    )

    assert await parts.scheduling.release_worker("stopping") == 2

    result = await parts.tick("live").run()  # no lease to wait out
    served = {s for s, _ in await _publications(parts)}
    assert result.published == 3  # the two handed back and the one nobody had claimed
    assert held_back.id not in served and not served & {s.id for s in other}


async def test_after_downtime_a_missed_slot_is_served_once_not_once_per_slot(
    parts: Parts,
) -> None:
    first_slot = parts.clock.now() + timedelta(hours=1)  # 08:00 UTC
    person = await parts.add_subscriber(1, due=first_slot)
    parts.clock.advance(days=3, hours=2)  # down for three daily slots

    result = await parts.tick().run()

    assert result.published == 1
    assert await _publications(parts) == [(person.id, period_key(first_slot))]
    stored = await parts.subscribers.get(person.id or 0)
    assert stored is not None and stored.next_due_at == first_slot + timedelta(days=4)
    assert (await parts.tick().run()).claimed == 0


async def test_a_slot_already_served_only_moves_the_subscriber_on(parts: Parts) -> None:
    due = parts.clock.now() - timedelta(minutes=1)
    person = await parts.add_subscriber(1, due=due)
    # Served (say by a worker whose lease ran out), but next_due_at still names the slot.
    await parts.pipeline.publish(person, period_key(due), due)

    result = await parts.tick().run()

    assert (result.published, result.already_served) == (0, 1)
    stored = await parts.subscribers.get(person.id or 0)
    assert stored is not None and stored.next_due_at == parts.clock.now().replace(hour=8)
    assert len(await _publications(parts)) == 1


async def test_a_digest_that_fails_to_assemble_is_retried_after_its_lease(
    parts: Parts, monkeypatch
) -> None:
    due = parts.clock.now() - timedelta(minutes=1)
    broken = await parts.add_subscriber(1, due=due)
    await parts.add_subscriber(2, due=due)
    real_publish = parts.pipeline.publish
    failures = iter([True])

    async def flaky(subscriber, key, following):  # type: ignore[no-untyped-def]
        if subscriber.id == broken.id and next(failures, False):
            raise RuntimeError("template exploded")
        return await real_publish(subscriber, key, following)

    monkeypatch.setattr(parts.pipeline, "publish", flaky)
    first = await parts.tick(lease_seconds=30).run()
    assert (first.published, first.failed) == (1, 1)
    assert (await parts.tick().run()).claimed == 0  # still leased: nobody retries yet

    parts.clock.advance(seconds=31)
    second = await parts.tick().run()

    assert second.published == 1
    assert len(await _publications(parts)) == 2


async def test_a_pause_that_ended_resumes_and_drops_the_cached_copy(parts: Parts) -> None:
    person = await parts.add_subscriber(1, due=parts.clock.now() + timedelta(days=5))
    person.status = SubscriberStatus.PAUSED
    person.paused_until = parts.clock.now() - timedelta(minutes=1)
    await parts.subscribers.save(person)
    dropped: list[int] = []

    async def invalidate(subscriber_ids: Sequence[int]) -> None:
        dropped.extend(subscriber_ids)

    await parts.tick(invalidate=invalidate).run()  # type: ignore[arg-type]

    stored = await parts.subscribers.get(person.id or 0)
    assert stored is not None and stored.status is SubscriberStatus.ACTIVE
    assert stored.next_due_at == next_due(person.frequency_settings, parts.clock.now())
    assert dropped == [person.id]
