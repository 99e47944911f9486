"""The delivery worker against real destinations' client libraries and local fakes:
retries that honour Retry-After, email fallback, suppression, reconciliation, leases."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from email import message_from_string
from email.policy import default
from typing import Any

import pytest
from redis.asyncio import Redis
from slack_sdk.web.async_client import AsyncWebClient

from bot.email import make_email_deliverer, make_sesv2_client, verify_sender
from bot.slack.deliver import SlackDeliverer
from core.delivery import DeliveryOutcome, DeliveryResult
from core.models import DispatchType
from scheduler.alerting import delivery_alerts
from storage.postgres.publications import PgPublicationLedger
from storage.redis.alerts import AlertBus
from tests.fakes.slack_api import FakeSlackApi
from tests.scheduler.conftest import Parts, RecordingDeliverer


@pytest.fixture
async def slack_api() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as api:
        yield api


@pytest.fixture
def slack(slack_api: FakeSlackApi) -> SlackDeliverer:
    client = AsyncWebClient(token="xoxb-test", base_url=slack_api.base_url, timeout=2)
    return SlackDeliverer(client)  # pacing is tested with the shared limiter elsewhere


async def _slack_digest(parts: Parts, email: str | None = None) -> int:
    """One slack subscriber's digest recorded by the tick; returns the outbox row id."""
    await parts.add_content()
    await parts.add_subscriber(
        1, dispatch=DispatchType.SLACK, email=email, platform_user_id="U0ADA"
    )
    assert (await parts.tick().run()).published == 1
    [row] = await parts.fetch("SELECT id FROM delivery_outbox")
    return int(row["id"])


async def _row(parts: Parts, outbox_id: int) -> dict[str, Any]:
    [row] = await parts.fetch("SELECT * FROM delivery_outbox WHERE id = $1", outbox_id)
    return dict(row)


async def test_429_with_retry_after_then_500_twice_then_success_is_one_delivery(
    parts: Parts, slack: SlackDeliverer, slack_api: FakeSlackApi
) -> None:
    outbox_id = await _slack_digest(parts)
    slack_api.fail_next("chat.postMessage", ("ratelimit", 7), ("status", 500), ("status", 500))
    worker = parts.worker({"slack": slack})

    for _ in range(4):
        assert await worker.drain() == 1
        row = await _row(parts, outbox_id)
        assert await worker.drain() == 0  # not ready again before its wait is over
        parts.clock.set(row["next_attempt_at"])

    row = await _row(parts, outbox_id)
    assert row["state"] == "sent" and row["attempts"] == 4 and row["provider_message_id"]
    posts = slack_api.calls_to("chat.postMessage")
    assert len(posts) == 4  # three refused, one delivered
    attempts = await parts.outbox.attempts(outbox_id)
    assert [a["outcome"] for a in attempts] == ["transient", "transient", "transient", "sent"]
    assert [a["retry_after"] for a in attempts] == [7.0, None, None, None]
    waits = [a["wait_seconds"] for a in attempts]
    assert waits[0] >= 7.0  # never sooner than Retry-After
    assert 2.0 <= waits[1] <= 4.0 and 4.0 <= waits[2] <= 8.0  # backoff 2 s * 2^n, jittered
    assert waits[3] is None


async def test_a_dm_that_fails_for_good_goes_by_email_and_both_attempts_are_recorded(
    parts: Parts,
    slack: SlackDeliverer,
    slack_api: FakeSlackApi,
    moto_aws: dict[str, str],
    moto_sent_emails: Callable[..., list[Any]],
    redis_client: Redis,
) -> None:
    sender = f"digest-{uuid.uuid4().hex[:10]}@example.com"
    assert await verify_sender(make_sesv2_client(**moto_aws), sender) == "SUCCESS"
    email = make_email_deliverer(sender=sender, unsubscribe_url_for=lambda m: None, **moto_aws)
    bus = AlertBus(redis_client, channel=f"alerts-{uuid.uuid4().hex}")
    outbox_id = await _slack_digest(parts, email="ada@example.com")
    slack_api.fail_next("conversations.open", ("error", "user_not_found"))
    worker = parts.worker(
        {"slack": slack, "email": email}, on_failure=delivery_alerts(bus, parts.clock)
    )

    await worker.drain()  # the DM fails for good; the email fallback is queued
    await worker.drain()  # and sent

    [mail] = moto_sent_emails(sender)
    body = message_from_string(mail.raw_data, policy=default)
    assert body["To"] == "ada@example.com"
    assert "digest" in str(body["Subject"]).lower()
    publication_id = (await _row(parts, outbox_id))["publication_id"]
    rows = await parts.outbox.rows_for_publication(publication_id)
    states = [(r["destination"], r["state"]) for r in rows]
    assert states == [("slack", "failed"), ("email", "sent")]
    assert rows[1]["fallback_of"] == outbox_id
    assert [a["outcome"] for a in await parts.outbox.attempts(rows[0]["id"])] == ["permanent"]
    assert [a["outcome"] for a in await parts.outbox.attempts(rows[1]["id"])] == ["sent"]
    [history] = await PgPublicationLedger(parts.pool).history(rows[0]["subscriber_id"], 5)
    assert history.delivery_states == ["failed", "sent"]
    [alert] = await bus.recent()
    assert alert["kind"] == "delivery-failed" and alert["state"] == "failed"
    assert alert["reason"] == "user_not_found" and alert["fallback_outbox_id"] == rows[1]["id"]
    assert "email fallback queued" in alert["title"]

    # The next digest respects the suppression: Slack is not tried, email is.
    calls = len(slack_api.calls)
    parts.clock.advance(days=1, hours=2)
    await parts.tick().run()
    await worker.drain()
    await worker.drain()
    assert len(slack_api.calls) == calls
    states = await parts.fetch(
        "SELECT destination, state FROM delivery_outbox WHERE id > $1 ORDER BY id", rows[1]["id"]
    )
    assert [(r["destination"], r["state"]) for r in states] == [
        ("slack", "suppressed"),
        ("email", "sent"),
    ]
    assert len(moto_sent_emails(sender)) == 2


async def test_an_unknown_outcome_is_set_aside_for_reconciliation_not_retried(
    parts: Parts, slack: SlackDeliverer, slack_api: FakeSlackApi, redis_client: Redis
) -> None:
    bus = AlertBus(redis_client, channel=f"alerts-{uuid.uuid4().hex}")
    outbox_id = await _slack_digest(parts)
    slack_api.fail_next("chat.postMessage", ("disconnect",))
    worker = parts.worker({"slack": slack}, on_failure=delivery_alerts(bus, parts.clock))

    await worker.drain()
    parts.clock.advance(hours=1)
    assert await worker.drain() == 0

    row = await _row(parts, outbox_id)
    assert row["state"] == "reconcile" and len(slack_api.calls_to("chat.postMessage")) == 1
    [alert] = await bus.recent()
    assert alert["state"] == "reconcile" and "needs reconciling" in alert["title"]


async def test_retries_that_run_out_fail_the_row_and_raise_an_alert(
    parts: Parts, redis_client: Redis
) -> None:
    bus = AlertBus(redis_client, channel=f"alerts-{uuid.uuid4().hex}")
    await parts.add_content()
    await parts.add_subscriber(1, dispatch=DispatchType.EMAIL, email="bo@example.com")
    await parts.tick().run()
    busy = DeliveryResult(outcome=DeliveryOutcome.TRANSIENT, detail="ServiceUnavailable")
    email = RecordingDeliverer("email", *[busy] * 6)
    worker = parts.worker({"email": email}, on_failure=delivery_alerts(bus, parts.clock))

    for _ in range(6):
        await worker.drain()
        parts.clock.advance(hours=1)

    [row] = await parts.fetch("SELECT state, attempts, last_error FROM delivery_outbox")
    assert (row["state"], row["attempts"], row["last_error"]) == (
        "failed",
        6,
        "ServiceUnavailable",
    )
    assert len(email.received) == 6
    [alert] = await bus.recent()
    assert alert["kind"] == "delivery-failed" and alert["attempts"] == 6
    suppressed = await parts.fetch("SELECT * FROM delivery_suppressions")
    assert suppressed == []  # a busy destination says nothing about the recipient


async def _two_email_rows(parts: Parts) -> list[int]:
    await parts.add_content()
    for n in (1, 2):
        await parts.add_subscriber(n, dispatch=DispatchType.EMAIL, email=f"r{n}@example.com")
    await parts.tick().run()
    return [int(r["id"]) for r in await parts.fetch("SELECT id FROM delivery_outbox ORDER BY id")]


async def test_a_dead_workers_rows_are_retried_if_never_started_else_reconciled(
    parts: Parts,
) -> None:
    unstarted, started = await _two_email_rows(parts)
    claimed = await parts.outbox.claim("dead", parts.clock.now(), lease_seconds=30)
    assert len(claimed) == 2
    assert await parts.outbox.start(started, "dead", parts.clock.now(), 30)
    email = RecordingDeliverer("email")
    live = parts.worker({"email": email}, "live")

    assert await live.drain() == 0  # leases still hold
    parts.clock.advance(seconds=31)
    assert await live.drain() == 1

    assert [m.outbox_id for m in email.received] == [unstarted]
    assert (await _row(parts, unstarted))["state"] == "sent"
    assert (await _row(parts, unstarted))["attempts"] == 1  # the dead claim did not count
    assert (await _row(parts, started))["state"] == "reconcile"  # SES has no idempotency


async def test_a_worker_that_lost_its_lease_does_not_send(parts: Parts) -> None:
    await _two_email_rows(parts)
    slow_email, live_email = RecordingDeliverer("email"), RecordingDeliverer("email")
    slow = parts.worker({"email": slow_email}, "slow", lease_seconds=30)
    stale = await parts.outbox.claim("slow", parts.clock.now(), lease_seconds=30)
    parts.clock.advance(seconds=31)
    await parts.worker({"email": live_email}, "live").drain()

    for message in stale:  # the slow worker wakes up and tries its old batch
        assert await slow.send(message) is None

    assert slow_email.received == [] and len(live_email.received) == 2


async def test_a_suppressed_address_is_never_tried(parts: Parts) -> None:
    await parts.add_content()
    await parts.add_subscriber(1, dispatch=DispatchType.EMAIL, email="Gone@Example.com")
    await parts.outbox.suppress("email", "gone@example.com", "bounced")
    await parts.tick().run()
    email = RecordingDeliverer("email")

    await parts.worker({"email": email}).drain()

    assert email.received == []
    [row] = await parts.fetch("SELECT state, last_error FROM delivery_outbox")
    assert (row["state"], row["last_error"]) == ("suppressed", "bounced")


async def test_a_deliverer_that_raises_loses_nothing_and_sends_nothing_twice(
    parts: Parts,
) -> None:
    outbox_id, _ = await _two_email_rows(parts)

    class Exploding(RecordingDeliverer):
        async def deliver(self, message):  # type: ignore[no-untyped-def]
            await super().deliver(message)
            if message.outbox_id == outbox_id:
                raise RuntimeError("bug after the request went out")
            return DeliveryResult.sent("ok")

    email = Exploding("email")
    worker = parts.worker({"email": email})
    await worker.drain()
    parts.clock.advance(hours=1)
    await worker.drain()

    assert (await _row(parts, outbox_id))["state"] == "reconcile"
    assert [m.outbox_id for m in email.received].count(outbox_id) == 1


async def test_a_digest_queued_before_an_unsubscribe_is_not_sent(
    parts: Parts, slack: SlackDeliverer, slack_api: FakeSlackApi
) -> None:
    outbox_id = await _slack_digest(parts)
    # E.g. the one-click link, clicked after the digest was queued.
    await parts.fetch("UPDATE publishing_subscribers SET status = 'unsubscribed' RETURNING id")
    assert await parts.worker({"slack": slack}).drain() == 1
    row = await _row(parts, outbox_id)
    assert row["state"] == "superseded" and "unsubscribed" in row["last_error"]
    assert slack_api.calls_to("chat.postMessage") == []
