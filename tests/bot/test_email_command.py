"""`/digest email ADDRESS`: the fallback address is validated before anything is stored."""

from __future__ import annotations

import pytest

from storage.postgres.subscribers import PgSubscriberRepository
from tests.bot.email_runtime import actor_for, email_settings, email_subscriber, running


@pytest.mark.parametrize("bad", ["not-an-address", "ada@", "@example.com", "ada@example"])
async def test_a_bad_address_is_refused_with_a_clear_message_and_nothing_stored(
    pg_url: str, redis_url: str, bad: str
) -> None:
    async with running(email_settings(pg_url, redis_url)) as (runtime, _, _):
        ada = await email_subscriber(runtime, "ada", "ada@example.com")
        assert ada.id is not None

        reply = await runtime.service.handle(actor_for("ada"), f"/digest email {bad}")

        assert reply.is_error
        assert f"bad email address '{bad}' (e.g. ada@example.com)" in reply.text
        assert "/digest email" in reply.text  # the usage line shows how to do it
        stored = await PgSubscriberRepository(runtime.pool).get(ada.id)
        assert stored is not None and stored.email == "ada@example.com"


async def test_a_good_address_is_stored_and_off_is_refused_while_digests_go_by_email(
    pg_url: str, redis_url: str
) -> None:
    async with running(email_settings(pg_url, redis_url)) as (runtime, _, _):
        ada = await email_subscriber(runtime, "ada", "ada@example.com")
        assert ada.id is not None
        actor = actor_for("ada")

        changed = await runtime.service.handle(actor, "/digest email ada.l@example.org")
        off = await runtime.service.handle(actor, "/digest email off")

        assert "Email set to ada.l@example.org" in changed.text
        assert off.is_error and "cannot be removed" in off.text
        stored = await runtime.ctx.subscribers.get(ada.id)
        assert stored is not None and stored.email == "ada.l@example.org"
