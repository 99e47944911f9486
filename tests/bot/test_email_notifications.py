"""SES bounce/complaint notifications: parsing every shape SES and SNS use, and the HTTP
endpoint that turns them into suppression rows in real PostgreSQL."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import asyncpg
import pytest
import pytest_asyncio
from aiohttp import web

from bot.email.notifications import NotificationError, parse_notification
from bot.http.server import bound_port, make_app, start_http
from bot.http.ses_notifications import ses_notification_routes
from storage.postgres.outbox import PgOutbox

SECRET = "sns-secret-0123456789abcdef"


def bounce(bounce_type: str = "Permanent", *addresses: str, key: str = "notificationType") -> dict:
    recipients = [
        {"emailAddress": a, "status": "5.1.1", "diagnosticCode": "smtp; 550 5.1.1 user unknown"}
        for a in addresses or ("Ada@Example.com",)
    ]
    return {
        key: "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": recipients,
        },
        "mail": {"source": "digests@example.com", "destination": list(addresses)},
    }


def complaint(address: str = "bob@example.com") -> dict:
    return {
        "eventType": "Complaint",  # the configuration-set event shape
        "complaint": {
            "complainedRecipients": [{"emailAddress": address}],
            "complaintFeedbackType": "abuse",
        },
        "mail": {"source": "digests@example.com"},
    }


def sns(message: dict) -> str:
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-feedback",
            "Message": json.dumps(message),
            "Timestamp": "2026-11-28T12:00:00.000Z",
            "SignatureVersion": "1",
        }
    )


def test_permanent_bounce_in_an_sns_envelope() -> None:
    note = parse_notification(sns(bounce("Permanent", "Ada@Example.com", "x@y.org")))
    assert note.kind == "Bounce"
    assert [s.address for s in note.suppress] == ["ada@example.com", "x@y.org"]
    assert note.suppress[0].reason == (
        "SES permanent bounce (General): smtp; 550 5.1.1 user unknown"
    )


@pytest.mark.parametrize("kind", ["Transient", "Undetermined"])
def test_bounces_that_may_recover_suppress_nothing(kind: str) -> None:
    note = parse_notification(sns(bounce(kind, "ada@example.com")))
    assert note.kind == "Bounce" and note.suppress == [] and kind in note.note


def test_complaint_event_and_raw_message_delivery() -> None:
    # Raw message delivery: the body is the SES JSON itself, no SNS envelope.
    note = parse_notification(json.dumps(complaint("Bob <bob@example.com>")))
    assert [(s.address, s.reason) for s in note.suppress] == [
        ("bob@example.com", "SES complaint (abuse)")
    ]
    assert parse_notification(json.dumps(bounce(key="eventType"))).suppress


def test_addresses_that_are_not_plain_addresses_are_never_stored() -> None:
    note = parse_notification(sns(bounce("Permanent", "a@b.com\r\nBcc: c@d.com", "nobody", "")))
    assert note.suppress == []


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[1, 2]", b'{"Type": "Notification", "Message": "{oops"}', b'{"foo": 1}'],
)
def test_unreadable_bodies_raise_a_clear_error(body: bytes) -> None:
    with pytest.raises(NotificationError):
        parse_notification(body)


@pytest_asyncio.fixture(loop_scope="session")
async def endpoint(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    app = make_app(ses_notification_routes(SECRET, PgOutbox(pg_pool).suppress))
    runner = await start_http(app, 0, host="127.0.0.1")
    try:
        yield f"http://127.0.0.1:{bound_port(runner)}/ses/notifications"
    finally:
        await runner.cleanup()


async def _post(url: str, body: str | bytes, kind: str = "Notification") -> tuple[int, Any]:
    headers = {"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": kind}
    async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as r:
        text = await r.text()
        return r.status, json.loads(text) if r.content_type == "application/json" else text


async def _suppressed(pool: asyncpg.Pool) -> dict[str, str]:
    rows = await pool.fetch("SELECT address, reason FROM delivery_suppressions")
    return {r["address"]: r["reason"] for r in rows}


async def test_bounce_and_complaint_posts_suppress_the_addresses(
    endpoint: str, pg_pool: asyncpg.Pool
) -> None:
    assert await _post(f"{endpoint}/{SECRET}", sns(bounce("Permanent", "Ada@Example.com"))) == (
        200,
        {"type": "Bounce", "suppressed": 1},
    )
    status, _ = await _post(f"{endpoint}/{SECRET}", sns(complaint()))
    assert status == 200
    status, _ = await _post(f"{endpoint}/{SECRET}", sns(bounce("Transient", "carol@example.com")))
    assert status == 200

    stored = await _suppressed(pg_pool)
    assert stored.keys() == {"ada@example.com", "bob@example.com"}
    assert "permanent bounce" in stored["ada@example.com"]
    assert await PgOutbox(pg_pool).suppression("email", "ADA@example.com") is not None


async def test_wrong_secret_bad_body_and_unconfigured_endpoint_store_nothing(
    endpoint: str, pg_pool: asyncpg.Pool
) -> None:
    assert (await _post(f"{endpoint}/{SECRET}x", sns(bounce())))[0] == 404
    assert (await _post(f"{endpoint}/guess", sns(bounce())))[0] == 404
    status, body = await _post(f"{endpoint}/{SECRET}", b"{not json")
    assert status == 400 and "not JSON" in body["error"]

    closed = make_app(ses_notification_routes("", PgOutbox(pg_pool).suppress))
    runner = await start_http(closed, 0, host="127.0.0.1")
    try:
        url = f"http://127.0.0.1:{bound_port(runner)}/ses/notifications/"
        assert (await _post(url + "placeholder-x", sns(bounce())))[0] == 404
        assert (await _post(url + "x", sns(bounce())))[0] == 404
    finally:
        await runner.cleanup()
    assert await _suppressed(pg_pool) == {}


async def test_subscription_confirmation_is_logged_not_fetched(
    endpoint: str, pg_pool: asyncpg.Pool, caplog: pytest.LogCaptureFixture
) -> None:
    hits: list[str] = []

    async def confirm(request: web.Request) -> web.Response:
        hits.append(request.path_qs)
        return web.Response(text="confirmed")

    aws = web.Application()
    aws.router.add_get("/confirm", confirm)
    runner = await start_http(aws, 0, host="127.0.0.1")
    subscribe_url = f"http://127.0.0.1:{bound_port(runner)}/confirm?Token=abc"
    message = {"Type": "SubscriptionConfirmation", "SubscribeURL": subscribe_url, "Token": "abc"}
    try:
        with caplog.at_level(logging.WARNING, logger="bot.http.ses_notifications"):
            status, body = await _post(
                f"{endpoint}/{SECRET}", json.dumps(message), "SubscriptionConfirmation"
            )
    finally:
        await runner.cleanup()

    assert status == 200 and body == {"type": "SubscriptionConfirmation", "suppressed": 0}
    assert subscribe_url in caplog.text and "does not fetch" in caplog.text
    assert hits == []
    assert await _suppressed(pg_pool) == {}
