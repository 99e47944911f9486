"""SesEmailDeliverer against a local moto server: what SES receives is what we meant to send."""

from __future__ import annotations

from collections.abc import Callable
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any
from uuid import uuid4

from bot.email import SesEmailDeliverer, make_email_deliverer, make_sesv2_client, verify_sender
from core.delivery import DeliveryOutcome, OutboundMessage

pytest_plugins = ["tests.fixtures.moto"]

UNSUBSCRIBE = "https://digest.example/unsubscribe/tok-123"


def _message(address: str = "alice@example.com", **overrides: Any) -> OutboundMessage:
    fields: dict[str, Any] = {
        "destination": "email",
        "address": address,
        "idempotency_key": f"pub-1:{address}",
        "subject": "Your research digest",
        "text": "1. Sparse attention, revisited\nhttps://papers.example/1\n",
        "html": "<h1>Your digest</h1><p><a href='https://papers.example/1'>Sparse</a></p>",
    }
    return OutboundMessage(**(fields | overrides))


async def _verified_deliverer(moto_aws: dict[str, str]) -> tuple[str, Any]:
    sender = f"digest-{uuid4().hex[:10]}@example.com"  # per test: moto is shared
    assert await verify_sender(make_sesv2_client(**moto_aws), sender) == "SUCCESS"
    deliverer = make_email_deliverer(
        sender=f"Digestbot <{sender}>",
        unsubscribe_url_for=lambda m: UNSUBSCRIBE,
        unsubscribe_mailto="unsubscribe@example.com",
        **moto_aws,
    )
    assert isinstance(deliverer, SesEmailDeliverer)
    return sender, deliverer


def _only_raw(sent: Callable[..., list[Any]], sender: str) -> EmailMessage:
    [stored] = sent(sender)
    parsed = message_from_bytes(stored.raw_data.encode(), policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


async def test_digest_email_is_multipart_with_unsubscribe_headers(
    moto_aws: dict[str, str], moto_sent_emails: Callable[..., list[Any]]
) -> None:
    sender, deliverer = await _verified_deliverer(moto_aws)
    extra = {"headers": {"X-Digest-Id": "7", "Bcc": "evil@x.com", "List-Unsubscribe": "x"}}

    result = await deliverer.deliver(_message(payload=extra))

    assert result.outcome is DeliveryOutcome.SENT and result.provider_message_id
    raw = _only_raw(moto_sent_emails, sender)
    assert raw.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in raw.iter_parts()] == ["text/plain", "text/html"]
    assert "Sparse attention" in raw.get_body(("plain",)).get_content()
    assert "<h1>Your digest</h1>" in raw.get_body(("html",)).get_content()
    assert raw["From"] == f"Digestbot <{sender}>" and raw["To"] == "alice@example.com"
    assert raw["List-Unsubscribe"] == (
        f"<{UNSUBSCRIBE}>, <mailto:unsubscribe@example.com?subject=unsubscribe>"
    )
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert raw["X-Digestbot-Idempotency-Key"] == "pub-1:alice@example.com"
    assert raw["X-Digest-Id"] == "7"  # payload may add X-* headers, nothing else
    assert raw["Bcc"] is None and len(raw.get_all("List-Unsubscribe")) == 1


async def test_crlf_in_subject_cannot_inject_a_bcc(
    moto_aws: dict[str, str], moto_sent_emails: Callable[..., list[Any]]
) -> None:
    sender, deliverer = await _verified_deliverer(moto_aws)

    result = await deliverer.deliver(_message(subject="Weekly\r\nBcc: evil@x.com\x00"))

    assert result.outcome is DeliveryOutcome.SENT
    raw = _only_raw(moto_sent_emails, sender)
    assert raw["Bcc"] is None
    assert raw["Subject"] == "Weekly Bcc: evil@x.com"
    assert not any("evil" in d for d in moto_sent_emails(sender)[0].destinations)


async def test_injected_or_malformed_recipient_is_permanent_and_not_sent(
    moto_aws: dict[str, str], moto_sent_emails: Callable[..., list[Any]]
) -> None:
    sender, deliverer = await _verified_deliverer(moto_aws)

    for address in ["alice@example.com\r\nBcc: evil@x.com", "Eve <eve@x.com>", "no-at-sign", ""]:
        result = await deliverer.deliver(_message(address=address))
        assert result.outcome is DeliveryOutcome.PERMANENT
        assert "invalid recipient" in result.detail

    assert moto_sent_emails(sender) == []


async def test_unverified_sender_is_permanent_with_the_reason(
    moto_aws: dict[str, str], moto_sent_emails: Callable[..., list[Any]]
) -> None:
    sender = f"stranger-{uuid4().hex[:10]}@example.org"
    client = make_sesv2_client(**moto_aws)
    deliverer = SesEmailDeliverer(client, sender, unsubscribe_url_for=lambda m: None)

    result = await deliverer.deliver(_message())

    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.detail.startswith("MessageRejected")
    assert sender in result.detail  # moto: "Did not have authority to send from email ..."
    assert moto_sent_emails(sender) == []


async def test_without_html_or_unsubscribe_url_sends_plain_text_only(
    moto_aws: dict[str, str], moto_sent_emails: Callable[..., list[Any]]
) -> None:
    sender, _ = await _verified_deliverer(moto_aws)
    client = make_sesv2_client(**moto_aws)
    deliverer = SesEmailDeliverer(client, sender, unsubscribe_url_for=lambda m: None)

    assert (await deliverer.deliver(_message(html=None))).outcome is DeliveryOutcome.SENT

    raw = _only_raw(moto_sent_emails, sender)
    assert raw.get_content_type() == "text/plain"
    assert raw["List-Unsubscribe"] is None and raw["List-Unsubscribe-Post"] is None
