"""send_bulk: SES's 50-destination limit, per-recipient results, and validated requests.

moto 5.2 does not implement sesv2 SendBulkEmail (nor templates), so these tests use
botocore's Stubber, which still validates every request against the real SES v2 model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from bot.email import SES_BULK_LIMIT, BulkContent, BulkRecipient, make_sesv2_client, send_bulk
from core.delivery import DeliveryOutcome

CONTENT = BulkContent(
    subject="Team digest\r\nBcc: evil@x.com", text="Hi {{name}}", html="<p>Hi {{name}}</p>"
)


@pytest.fixture
def spied() -> Iterator[tuple[Any, Stubber, list[dict[str, Any]]]]:
    client = make_sesv2_client(
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
        endpoint_url="http://127.0.0.1:9",
    )
    calls: list[dict[str, Any]] = []
    real = client.send_bulk_email

    def spy(**request: Any) -> Any:
        calls.append(request)
        return real(**request)

    client.send_bulk_email = spy
    with Stubber(client) as stubber:
        yield client, stubber, calls
        stubber.assert_no_pending_responses()


def _ok(first: int, count: int) -> dict[str, Any]:
    ids = range(first, first + count)
    return {"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": f"m{i}"} for i in ids]}


async def test_120_recipients_take_three_calls_of_at_most_50(spied: Any) -> None:
    client, stubber, calls = spied
    for first, count in [(0, 50), (50, 50), (100, 20)]:
        stubber.add_response("send_bulk_email", _ok(first, count))
    people = [f"user{i}@example.com" for i in range(120)]

    results = await send_bulk(client, "Digestbot <bot@example.com>", CONTENT, people)

    assert SES_BULK_LIMIT == 50
    assert [len(c["BulkEmailEntries"]) for c in calls] == [50, 50, 20]
    assert [r.provider_message_id for r in results] == [f"m{i}" for i in range(120)]
    assert all(r.outcome is DeliveryOutcome.SENT for r in results)
    sent_to = [e["Destination"]["ToAddresses"][0] for c in calls for e in c["BulkEmailEntries"]]
    assert sent_to == people
    template = calls[0]["DefaultContent"]["Template"]
    assert template["TemplateContent"]["Subject"] == "Team digest Bcc: evil@x.com"
    assert calls[0]["FromEmailAddress"] == "Digestbot <bot@example.com>"


async def test_per_recipient_outcomes(spied: Any) -> None:
    client, stubber, calls = spied
    stubber.add_response(
        "send_bulk_email",
        {
            "BulkEmailEntryResults": [
                {"Status": "SUCCESS", "MessageId": "m1"},
                {"Status": "MESSAGE_REJECTED", "Error": "Address blacklisted."},
                {"Status": "ACCOUNT_THROTTLED", "Error": "slow down"},
            ]
        },
    )
    recipients: list[str | BulkRecipient] = [
        BulkRecipient("ada@example.com", {"name": "Ada"}, "https://digest.example/u/ada"),
        "not an address",
        "bob@example.com",
        "carol@example.com",
    ]

    results = await send_bulk(client, "bot@example.com", CONTENT, recipients)

    assert [r.outcome for r in results] == [
        DeliveryOutcome.SENT,
        DeliveryOutcome.PERMANENT,  # never sent: invalid
        DeliveryOutcome.PERMANENT,
        DeliveryOutcome.TRANSIENT,
    ]
    assert results[2].detail == "MESSAGE_REJECTED: Address blacklisted."
    [ada, bob, _] = calls[0]["BulkEmailEntries"]
    data = ada["ReplacementEmailContent"]["ReplacementTemplate"]["ReplacementTemplateData"]
    assert json.loads(data) == {"name": "Ada"}
    assert {h["Name"]: h["Value"] for h in ada["ReplacementHeaders"]} == {
        "List-Unsubscribe": "<https://digest.example/u/ada>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert "ReplacementHeaders" not in bob


async def test_a_failed_call_fails_only_its_batch(spied: Any) -> None:
    client, stubber, _ = spied
    stubber.add_response("send_bulk_email", _ok(0, 50))
    stubber.add_client_error("send_bulk_email", "TooManyRequestsException", "busy", 429)
    people = [f"user{i}@example.com" for i in range(60)]

    results = await send_bulk(client, "bot@example.com", CONTENT, people)

    assert {r.outcome for r in results[:50]} == {DeliveryOutcome.SENT}
    assert {r.outcome for r in results[50:]} == {DeliveryOutcome.TRANSIENT}
    assert len(results) == 60
