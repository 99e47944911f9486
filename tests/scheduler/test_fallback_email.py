"""The email fallback of a chat digest is rendered when the DM fails for good, from the
recorded publication, and comes out as the eager rendering at assembly used to."""

from __future__ import annotations

import logging
import re
from typing import Any

import orjson
import pytest

from bot.links import SignedLinks
from core.delivery import DeliveryOutcome, DeliveryResult, OutboundMessage
from core.models import DispatchType, Subscriber
from core.pipeline import Published
from core.render import RenderedDigest
from tests.scheduler.conftest import Parts, RecordingDeliverer

BASE = "https://digest.example"
GONE = DeliveryResult(outcome=DeliveryOutcome.PERMANENT, detail="user_not_found")


@pytest.fixture
def links(parts: Parts) -> SignedLinks:
    signed = SignedLinks(BASE, b"fallback-test-key")
    parts.pipeline.links = signed  # as the runtime wires it: tracked links in every digest
    return signed


async def _published(parts: Parts, dispatch: DispatchType) -> tuple[Subscriber, Published]:
    await parts.add_content()
    person = await parts.add_subscriber(
        1, dispatch=dispatch, email="ada@example.com", platform_user_id="U0ADA"
    )
    published = await parts.pipeline.publish(person, "2024-03-04", None)
    assert published.publication_id is not None and published.digest.items
    return person, published


async def _outbox_payload(parts: Parts) -> dict[str, Any]:
    [row] = await parts.fetch("SELECT payload FROM delivery_outbox")
    return dict(orjson.loads(row["payload"]))


async def _fail_dm(parts: Parts, destination: str, **worker: Any) -> OutboundMessage:
    """The chat DM fails for good; returns the fallback email as the email deliverer got it."""
    chat, email = RecordingDeliverer(destination, GONE), RecordingDeliverer("email")
    deliver = parts.worker({destination: chat, "email": email}, **worker)
    await deliver.drain()  # the DM fails; the fallback is queued
    await deliver.drain()  # and sent
    rows = await parts.fetch("SELECT destination, state, fallback_of FROM delivery_outbox")
    assert [(r["destination"], r["state"]) for r in rows] == [
        (destination, "failed"),
        ("email", "sent"),
    ]
    [mail] = email.received
    return mail


@pytest.mark.parametrize("dispatch", [DispatchType.SLACK, DispatchType.DISCORD])
async def test_the_fallback_email_is_rendered_only_when_the_dm_fails_for_good(
    parts: Parts, links: SignedLinks, dispatch: DispatchType
) -> None:
    person, published = await _published(parts, dispatch)
    assert "fallback_email" not in await _outbox_payload(parts)  # nothing rendered eagerly

    mail = await _fail_dm(parts, dispatch.value)

    # Exactly what rendering the email at assembly produced, links and all.
    pid = published.publication_id
    eager = await parts.pipeline.renderer.render(
        published.digest, "email", links=links, publication_id=pid
    )
    assert (mail.subject, mail.text, mail.html) == (eager.subject, eager.text, eager.html)
    assert mail.address == "ada@example.com" and mail.html
    for entry in published.digest.items:
        assert entry.item.title in mail.html
    clicks = re.findall(rf'href="{BASE}/t/c/([^"]+)"', mail.html)
    tracked = [links.verify_click(token) for token in clicks]
    assert [(t.publication_id, t.item_id, t.subscriber_id) for t in tracked if t] == [
        (pid, entry.item.id, person.id) for entry in published.digest.items
    ]
    assert f'href="{links.unsubscribe_link(person.id or 0)}"' in mail.html
    assert f'src="{BASE}/t/o/' in mail.html  # the open pixel


async def test_a_row_queued_with_an_eager_fallback_email_still_uses_it(
    parts: Parts, links: SignedLinks
) -> None:
    await _published(parts, DispatchType.SLACK)
    old = {"subject": "Queued subject", "text": "queued text", "html": "<p>queued</p>"}
    await parts.pool.execute(
        "UPDATE delivery_outbox SET payload = (payload::jsonb || $1::jsonb)::text",
        {"fallback_email": old},
    )

    async def never(publication_id: int, subscriber: Subscriber) -> RenderedDigest | None:
        raise AssertionError("a stored fallback email is not rendered again")

    mail = await _fail_dm(parts, "slack", render_fallback=never)

    assert (mail.subject, mail.text, mail.html) == (old["subject"], old["text"], old["html"])


async def test_when_rendering_fails_the_fallback_carries_the_chat_text_and_says_why(
    parts: Parts, links: SignedLinks, caplog: pytest.LogCaptureFixture
) -> None:
    await _published(parts, DispatchType.SLACK)
    [chat] = await parts.fetch("SELECT subject, body_text FROM delivery_outbox")

    async def broken(publication_id: int, subscriber: Subscriber) -> RenderedDigest | None:
        raise RuntimeError("template store down")

    with caplog.at_level(logging.WARNING, logger="scheduler.delivery"):
        mail = await _fail_dm(parts, "slack", render_fallback=broken)

    assert (mail.subject, mail.text, mail.html) == (chat["subject"], chat["body_text"], None)
    assert any("could not render the fallback email" in r.getMessage() for r in caplog.records)


async def test_a_publication_that_is_not_the_subscribers_is_not_rebuilt(parts: Parts) -> None:
    person, published = await _published(parts, DispatchType.SLACK)
    other = await parts.add_subscriber(2, email="bob@example.com")
    assert published.publication_id is not None

    assert await parts.ledger.digest_for(published.publication_id, other) is None
    assert await parts.ledger.digest_for(published.publication_id + 1000, person) is None
    rebuilt = await parts.ledger.digest_for(published.publication_id, person)
    assert rebuilt is not None
    assert rebuilt.model_dump(exclude={"near_misses"}) == published.digest.model_dump(
        exclude={"near_misses"}
    )
