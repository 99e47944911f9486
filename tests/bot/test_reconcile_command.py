"""`/digest admin reconcile`: an operator lists the deliveries whose outcome is unknown
and settles each one: `sent` (it arrived) or `retry` (the delivery loop sends it again)."""

from __future__ import annotations

from bot.runtime import Runtime
from core.actor import Actor
from tests.fixtures.runtime import Transcript


async def _unknown_outcome(runtime: Runtime) -> list[int]:
    """Seed and dispatch digests, then set two of their outbox rows aside as the
    delivery worker does when an answer was lost."""
    await Transcript(runtime).say("/digest admin seed --subscribers 3 --content 20 --seed 4")
    pool = runtime.pool
    await pool.execute(
        """INSERT INTO publishing_publications (subscriber_id, period_key, template_name,
               outcome, item_count, considered)
           SELECT id, 'p-' || id, '', 'digest', 1, 1 FROM publishing_subscribers"""
    )
    rows = await pool.fetch(
        """INSERT INTO delivery_outbox (publication_id, subscriber_id, destination, address,
               idempotency_key, subject, body_text, state, attempts, last_error)
           SELECT id, subscriber_id, 'slack', 'U' || id, 'key-' || id, 'Digest', 'text',
                  'reconcile', 1, 'connection dropped after the request went out'
           FROM publishing_publications ORDER BY id LIMIT 2
           RETURNING id"""
    )
    return sorted(r["id"] for r in rows)


async def test_unknown_deliveries_are_listed_then_settled(
    console: Transcript, runtime: Runtime
) -> None:
    assert "No delivery awaits reconciliation" in await console.say("/digest admin reconcile")
    first, second = await _unknown_outcome(runtime)

    listed = await console.say("/digest admin reconcile")
    assert "2 deliveries with an unknown outcome" in listed
    assert f"Outbox {first}: slack to U" in listed and f"Outbox {second}" in listed
    assert "connection dropped after the request went out" in listed

    assert f"Delivery {first} marked sent" in await console.say(
        f"/digest admin reconcile {first} sent"
    )
    assert f"Delivery {second} queued to be sent again" in await console.say(
        f"/digest admin reconcile {second} retry"
    )
    states = dict(await runtime.pool.fetch("SELECT id, state FROM delivery_outbox"))
    assert states[first] == "sent" and states[second] == "pending"
    assert "No delivery awaits reconciliation" in await console.say("/digest admin reconcile")
    # Settled already: said so, nothing changes.
    again = await console.say(f"/digest admin reconcile {first} retry")
    assert f"No delivery {first} awaits reconciliation" in again
    assert dict(await runtime.pool.fetch("SELECT id, state FROM delivery_outbox")) == states


async def test_malformed_reconcile_commands_say_what_was_wrong(console: Transcript) -> None:
    usage = "admin reconcile [ID sent|retry]"
    for bad, why in [
        ("/digest admin reconcile abc sent", "'abc' is not an outbox id"),
        ("/digest admin reconcile 7", "outcome"),
        ("/digest admin reconcile 7 maybe", "maybe"),
        ("/digest admin reconcile 7 sent now", "now"),
    ]:
        answer = await console.say(bad)
        assert why in answer and usage in answer, (bad, answer)


async def test_only_admins_reconcile(runtime: Runtime) -> None:
    stranger = Actor(platform="console", user_id="guest", display_name="guest")
    reply = await runtime.service.handle(stranger, "/digest admin reconcile")
    assert reply.is_error and "only admins" in reply.text
