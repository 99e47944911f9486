"""The unsubscribe link served by the real HTTP service, on real PostgreSQL and Redis."""

from __future__ import annotations

import aiohttp
import pytest

from bot.links import PREFERENCES
from bot.runtime import Runtime
from core.models import Subscriber, SubscriberStatus
from core.signing import sign
from storage.postgres.subscribers import PgSubscriberRepository
from tests.bot.email_runtime import (
    PUBLIC_BASE_URL,
    actor_for,
    email_settings,
    email_subscriber,
    running,
)


async def _stored(runtime: Runtime, subscriber_id: int) -> tuple[Subscriber, Subscriber]:
    """(the cached copy the bot reads, the PostgreSQL row)."""
    cached = await runtime.ctx.subscribers.get(subscriber_id)
    row = await PgSubscriberRepository(runtime.pool).get(subscriber_id)
    assert cached is not None and row is not None
    return cached, row


def _path(runtime: Runtime, subscriber_id: int) -> str:
    link = runtime.links.unsubscribe_link(subscriber_id)
    assert link.startswith(f"{PUBLIC_BASE_URL}/unsubscribe/")
    return link.removeprefix(PUBLIC_BASE_URL)


async def test_get_shows_an_escaped_confirm_form_and_changes_nothing(
    pg_url: str, redis_url: str
) -> None:
    async with running(email_settings(pg_url, redis_url)) as (runtime, base, _):
        ada = await email_subscriber(runtime, "ada", "ada@example.com")
        assert ada.id is not None
        async with aiohttp.ClientSession() as http:
            response = await http.get(base + _path(runtime, ada.id))
            page = await response.text()

        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert '<form method="post">' in page and 'name="viewport"' in page
        assert 'name="List-Unsubscribe" value="One-Click"' in page
        assert "Ada &lt;b&gt;&amp;&lt;/b&gt;" in page and "<b>&</b>" not in page
        for copy in await _stored(runtime, ada.id):
            assert copy.status is SubscriberStatus.ACTIVE and copy.next_due_at is not None


@pytest.mark.parametrize("multipart", [False, True], ids=["urlencoded", "multipart"])
async def test_one_click_post_unsubscribes_at_once_and_subscribe_reverses_it(
    pg_url: str, redis_url: str, multipart: bool
) -> None:
    async with running(email_settings(pg_url, redis_url)) as (runtime, base, _):
        ada = await email_subscriber(runtime, "ada", "ada@example.com")
        assert ada.id is not None
        await _stored(runtime, ada.id)  # the Redis copy is warm: a stale cache would show
        body: aiohttp.FormData | dict[str, str] = {"List-Unsubscribe": "One-Click"}
        if multipart:
            body = aiohttp.FormData(body, default_to_multipart=True)

        async with aiohttp.ClientSession() as http:
            response = await http.post(base + _path(runtime, ada.id), data=body)
            page = await response.text()
            again = await http.post(base + _path(runtime, ada.id), data={"x": "y"})

        assert response.status == 200 and "You are unsubscribed" in page
        assert again.status == 200  # a second click is harmless
        for copy in await _stored(runtime, ada.id):
            assert copy.status is SubscriberStatus.UNSUBSCRIBED and copy.next_due_at is None

        # Bare /subscribe brings a returning subscriber back with everything they had.
        reply = await runtime.service.handle(actor_for("ada"), "/subscribe")
        assert "Subscribed: daily at 08:00 UTC" in reply.text, reply.as_text()
        for copy in await _stored(runtime, ada.id):
            assert copy.status is SubscriberStatus.ACTIVE and copy.next_due_at is not None
            assert copy.ai_metadata.prompts == ["Find latest research on NLP"]


async def test_forged_or_foreign_tokens_are_404_and_change_nothing(
    pg_url: str, redis_url: str
) -> None:
    async with running(email_settings(pg_url, redis_url)) as (runtime, base, _):
        ada = await email_subscriber(runtime, "ada", "ada@example.com")
        bob = await email_subscriber(runtime, "bob", "bob@example.com")
        assert ada.id is not None and bob.id is not None
        genuine = runtime.links.unsubscribe_token(ada.id)
        body, mac = genuine.split(".")
        bob_body = runtime.links.unsubscribe_token(bob.id).split(".")[0]
        forged = [
            f"{body}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",  # altered signature
            f"{bob_body}.{mac}",  # someone else's id under Ada's signature
            sign(b"a-guessed-key", "unsubscribe", {"s": ada.id}),  # wrong key
            sign(runtime.links.key, PREFERENCES, {"s": ada.id}),  # a token for another route
            "not-a-token",
        ]
        async with aiohttp.ClientSession() as http:
            for token in forged:
                for method in ("GET", "POST"):
                    data = {"List-Unsubscribe": "One-Click"}
                    response = await http.request(method, f"{base}/unsubscribe/{token}", data=data)
                    assert response.status == 404, (method, token)
                    assert "nothing was changed" in await response.text()

        for person in (ada, bob):
            assert person.id is not None
            for copy in await _stored(runtime, person.id):
                assert copy.status is SubscriberStatus.ACTIVE and copy.next_due_at is not None
