"""An email-only subscriber with a real digest in their inbox, for the page tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.runtime import Runtime
from core.actor import Actor
from core.models import ContentItem, Entities

LINK = re.compile(r'href="(https?://[^"]+/preferences/[^"]+)"')


@dataclass
class Reader:
    actor: Actor
    subscriber_id: int
    link: str  # the preference-centre link from their digest email's footer


async def email_reader(runtime: Runtime, prompt: str = "Find latest research on NLP") -> Reader:
    """Subscribe by email, add a prompt, get one digest sent; return its footer link."""
    actor = Actor(
        platform="web", user_id="ada@example.org", display_name="Ada", email="ada@example.org"
    )
    for line in ("/subscribe daily at 08:00 tz Europe/London", f'/digest prompt add "{prompt}"'):
        reply = await runtime.service.handle(actor, line)
        assert not reply.is_error, reply.text
    now = datetime.now(UTC)
    await runtime.ctx.content.add_many(
        [
            ContentItem(
                title=f"Language models, result {n}",
                summary="A study of NLP benchmarks.",
                url=f"https://papers.example.org/nlp-{n}",
                source="arXiv",
                published_at=now - timedelta(hours=n + 1),
                entities=Entities(topics=["natural language processing"]),
            )
            for n in range(3)
        ]
    )
    sent = await runtime.service.handle(actor, "/digest now")
    assert "Sent your digest" in sent.text, sent.text
    body = await runtime.pool.fetchval(
        "SELECT body_html FROM delivery_outbox WHERE destination = 'email' ORDER BY id DESC"
    )
    match = LINK.search(body or "")
    assert match, "the digest email has no preference-centre link"
    subscriber = await runtime.ctx.subscriber_for(actor)
    assert subscriber.id is not None
    return Reader(actor, subscriber.id, match.group(1).replace("&amp;", "&"))


async def stored_profile(runtime: Runtime, subscriber_id: int) -> dict[str, object]:
    """The row as PostgreSQL has it (not the Redis-cached copy)."""
    row = await runtime.pool.fetchrow(
        "SELECT frequency, frequency_settings, ai_metadata, status"
        " FROM publishing_subscribers WHERE id = $1",
        subscriber_id,
    )
    assert row is not None
    return dict(row)
