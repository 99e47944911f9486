"""Email digests end to end: the real runtime, real boto3 against moto's SES server, the
real HTTP service on port 0, and a real `digestbot run` process for placeholder mode."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Callable
from email import message_from_string
from email.message import EmailMessage
from email.policy import default
from typing import Any
from uuid import uuid4

import aiohttp
import pytest

from bot.runtime import Runtime
from core.models import SubscriberStatus
from storage.postgres.subscribers import PgSubscriberRepository
from tests.bot.email_runtime import (
    NOTIFICATION_SECRET,
    PUBLIC_BASE_URL,
    actor_for,
    email_settings,
    email_subscriber,
    make_due,
    running,
    ses_overrides,
)

SentEmails = Callable[..., list[Any]]


def _sender() -> str:
    return f"digests-{uuid4().hex[:10]}@example.com"  # per test: the moto server is shared


async def _until(check: Callable[[], bool], what: str, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def _sender_verified(moto_client: Callable[[str], Any], sender: str) -> None:
    """The runtime verifies its sender in the background at start-up; wait for it."""
    client = moto_client("sesv2")

    def known() -> bool:
        identities = client.list_email_identities()["EmailIdentities"]
        return sender in {i["IdentityName"] for i in identities}

    await _until(known, f"SES identity {sender}")


def _parsed(raw: str) -> EmailMessage:
    message = message_from_string(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return message


async def _deliver_due_digest(runtime: Runtime) -> None:
    assert (await runtime.tick.run()).published == 1
    assert await runtime.delivery.drain() == 1


async def test_scheduled_digest_is_an_email_whose_one_click_link_unsubscribes(
    pg_url: str,
    redis_url: str,
    moto_aws: dict[str, str],
    moto_client: Callable[[str], Any],
    moto_sent_emails: SentEmails,
) -> None:
    sender = _sender()
    settings = email_settings(pg_url, redis_url, **ses_overrides(moto_aws, f"Digests <{sender}>"))
    async with running(settings) as (runtime, base, _):
        await _sender_verified(moto_client, sender)
        ada = await email_subscriber(runtime, "ada", "ada@example.com")
        assert ada.id is not None
        await make_due(runtime, ada)

        await _deliver_due_digest(runtime)

        [sent] = moto_sent_emails(sender)
        mail = _parsed(sent.raw_data)
        link = runtime.links.unsubscribe_link(ada.id)
        assert mail["To"] == "ada@example.com"
        assert mail.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
        text = mail.get_body(("plain",)).get_content()
        html = mail.get_body(("html",)).get_content()
        assert "Dear Ada" in text and "<h1" in html and "&lt;b&gt;" in html  # name escaped
        assert f"Unsubscribe: {link}" in text and f'href="{link}"' in html
        assert mail["List-Unsubscribe"].strip() == f"<{link}>"  # folded: long token
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

        # What a mail client does for RFC 8058 one-click, against our HTTP service.
        async with aiohttp.ClientSession() as http:
            response = await http.post(
                base + link.removeprefix(PUBLIC_BASE_URL),
                data="List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert response.status == 200
        stored = await PgSubscriberRepository(runtime.pool).get(ada.id)
        assert stored is not None and stored.status is SubscriberStatus.UNSUBSCRIBED
        assert stored.next_due_at is None
        await make_due(runtime, ada, seed=8)  # even with a due time forced back in,
        assert (await runtime.tick.run()).claimed == 0  # an unsubscribed person is skipped


async def test_bounce_notification_suppresses_the_next_digest(
    pg_url: str,
    redis_url: str,
    moto_aws: dict[str, str],
    moto_client: Callable[[str], Any],
    moto_sent_emails: SentEmails,
) -> None:
    sender = _sender()
    settings = email_settings(pg_url, redis_url, **ses_overrides(moto_aws, sender))
    async with running(settings) as (runtime, base, _):
        await _sender_verified(moto_client, sender)
        ada = await email_subscriber(runtime, "ada", "ada@example.com")
        bounce = {
            "notificationType": "Bounce",
            "bounce": {
                "bounceType": "Permanent",
                "bounceSubType": "NoEmail",
                "bouncedRecipients": [{"emailAddress": "ada@example.com"}],
            },
        }
        envelope = {"Type": "Notification", "Message": json.dumps(bounce)}
        async with aiohttp.ClientSession() as http:
            response = await http.post(
                f"{base}/ses/notifications/{NOTIFICATION_SECRET}", data=json.dumps(envelope)
            )
            assert response.status == 200
        await make_due(runtime, ada)

        await _deliver_due_digest(runtime)

        rows = await runtime.pool.fetch("SELECT state, last_error FROM delivery_outbox")
        assert [(r["state"], r["last_error"]) for r in rows] == [
            ("suppressed", "SES permanent bounce (NoEmail)")
        ]
        assert moto_sent_emails(sender) == []


async def test_startup_verifies_the_sender_and_admin_stats_show_ses(
    pg_url: str,
    redis_url: str,
    moto_aws: dict[str, str],
    moto_client: Callable[[str], Any],
    moto_sent_emails: SentEmails,
) -> None:
    sender = _sender()
    settings = email_settings(pg_url, redis_url, **ses_overrides(moto_aws, sender))
    async with running(settings) as (runtime, _, _):
        await _sender_verified(moto_client, sender)  # nobody but the runtime created it
        ada = await email_subscriber(runtime, "ada", "ada@example.com")
        await make_due(runtime, ada)
        await _deliver_due_digest(runtime)

        reply = await runtime.service.handle(actor_for("root", admin=True), "/digest admin stats")

    sections = {s.title: dict(s.fields) for s in reply.sections}
    assert sections["Outbox by state"] == {"sent": "1"}  # the database figures are kept
    ses = sections["Email sending"]
    assert ses["sender"] == f"{sender} (SUCCESS)"
    assert ses["provider"] == "Amazon SES (us-east-1)"
    sent_today, _, quota = ses["sent in the last 24 h"].partition(" of ")
    assert float(sent_today) >= 1 and quota == "200"  # moto's sandbox quota
    assert ses["max send rate"] == "1 per second"
    assert "delivery attempts" in ses["last 2 weeks"] and "bounce rate" in ses


async def test_unreachable_ses_stops_neither_startup_nor_admin_stats(
    pg_url: str, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port nothing listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    overrides = ses_overrides(
        {"region": "us-east-1", "endpoint_url": closed, "access_key_id": "AKIATEST",
         "secret_access_key": "secret"},
        "digests@example.com",
    )  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="bot.email.account"):
        async with running(email_settings(pg_url, redis_url, **overrides)) as (runtime, _, _):
            await _until(lambda: "could not be verified" in caplog.text, "the warning")
            admin = actor_for("root", admin=True)
            reply = await runtime.service.handle(admin, "/digest admin stats")

    assert not reply.is_error
    sections = {s.title: dict(s.fields) for s in reply.sections}
    assert "Subscribers by status" in sections
    assert sections["Email sending"]["statistics"].startswith("unavailable (")
    assert sections["Email sending"]["sender"].startswith("digests@example.com (unknown")


async def test_placeholder_mode_prints_the_block_and_sends_nothing(
    run_bot: Any, bot_env: dict[str, str], moto_endpoint: str, moto_sent_emails: SentEmails
) -> None:
    sender = _sender()
    bot_env.update(
        AWS_ENDPOINT_URL=moto_endpoint,  # reachable, so a real send would land in moto
        AWS_ACCESS_KEY_ID="placeholder-aws-access-key-id",
        AWS_SECRET_ACCESS_KEY="placeholder-aws-secret-access-key",
        SES_SENDER_EMAIL=sender,
    )
    done = run_bot(
        "/subscribe daily at 08:00 tz UTC",
        "/digest email ada@example.com",
        "/subscribe via email",
        '/digest prompt add "Find latest research on NLP"',
        "/digest admin seed --subscribers 1 --content 60 --seed 5",
        "/digest now",
    )

    assert done.returncode == 0, done.stderr
    block = done.stdout.split("📧 PLACEHOLDER EMAIL (not actually sent)\n", 1)[1]
    assert block.startswith("To: ada@example.com\nSubject: Your research digest")
    assert "SES credentials are not configured" in block
    assert "Unsubscribe: http://localhost:8080/unsubscribe/" in block
    assert "📬 Sent your digest" in done.stdout
    assert moto_sent_emails(sender) == []
