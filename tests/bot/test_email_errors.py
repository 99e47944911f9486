"""How SES and network failures are classified: retry, give up, or reconcile."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from bot.email import SesEmailDeliverer, make_sesv2_client
from bot.email.errors import parse_retry_after
from core.delivery import DeliveryOutcome, OutboundMessage

MESSAGE = OutboundMessage(
    destination="email", address="alice@example.com", idempotency_key="k1", text="hi"
)


def _client(endpoint: str, read_timeout: float = 5) -> Any:
    return make_sesv2_client(
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
        endpoint_url=endpoint,
        connect_timeout=1,
        read_timeout=read_timeout,
    )


def _deliverer(client: Any) -> SesEmailDeliverer:
    return SesEmailDeliverer(client, "bot@example.com", unsubscribe_url_for=lambda m: None)


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    # Stubber answers before anything is sent; the endpoint is a local dead end regardless.
    client = _client("http://127.0.0.1:9")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


async def test_throttling_is_transient_and_honours_retry_after(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_client_error(
        "send_email",
        "TooManyRequestsException",
        "Maximum sending rate exceeded.",
        http_status_code=429,
        response_meta={"HTTPHeaders": {"retry-after": "7"}},
    )
    result = await _deliverer(client).deliver(MESSAGE)
    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert result.retry_after == 7.0
    assert result.detail.startswith("TooManyRequestsException")


async def test_server_errors_are_transient(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_client_error("send_email", "InternalFailure", "oops", http_status_code=503)
    result = await _deliverer(client).deliver(MESSAGE)
    assert (result.outcome, result.retry_after) == (DeliveryOutcome.TRANSIENT, None)


@pytest.mark.parametrize(
    "code",
    [
        "MessageRejected",
        "MailFromDomainNotVerifiedException",
        "AccountSuspendedException",
        "NotFoundException",
        "BadRequestException",
    ],
)
async def test_rejections_are_permanent_with_the_code(stubbed: Any, code: str) -> None:
    client, stubber = stubbed
    stubber.add_client_error("send_email", code, "no", http_status_code=400)
    result = await _deliverer(client).deliver(MESSAGE)
    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.detail == f"{code}: no"


async def test_refused_connection_is_transient() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, now closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await _deliverer(_client(f"http://127.0.0.1:{port}")).deliver(MESSAGE)
    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert "EndpointConnectionError" in result.detail


async def test_read_timeout_after_sending_is_unknown() -> None:
    # The kernel accepts the connection and buffers the request; nobody ever answers.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        client = _client(f"http://127.0.0.1:{port}", read_timeout=0.3)
        result = await _deliverer(client).deliver(MESSAGE)
    assert result.outcome is DeliveryOutcome.UNKNOWN
    assert "ReadTimeoutError" in result.detail and "may have been sent" in result.detail


async def test_a_slow_send_does_not_block_the_event_loop() -> None:
    class SlowClient:
        def send_email(self, **request: Any) -> dict[str, str]:
            time.sleep(0.3)
            return {"MessageId": "m-1"}

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    result = await _deliverer(SlowClient()).deliver(MESSAGE)
    task.cancel()
    assert result.provider_message_id == "m-1"
    assert ticks >= 10


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (parse_retry_after({"Retry-After": later}) or 0) <= 31
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None
