"""Without SES credentials email is printed, never sent; the factory decides which."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import SecretStr

from bot.email import PlaceholderEmailDeliverer, SesEmailDeliverer, make_email_deliverer
from core.delivery import DeliveryOutcome, OutboundMessage

pytest_plugins = ["tests.fixtures.moto"]

EXPECTED = """\
📧 PLACEHOLDER EMAIL (not actually sent)
To: alice@example.com
Subject: Your research digest
Note: SES credentials are not configured; set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and \
SES_SENDER_EMAIL to send for real.

1. Sparse attention, revisited
   https://papers.example/1

"""


def _factory(out: io.StringIO, **overrides: Any) -> Any:
    settings: dict[str, Any] = {
        "region": "us-east-1",
        "access_key_id": "AKIAEXAMPLE",
        "secret_access_key": SecretStr("secret"),
        "sender": "bot@example.com",
        "endpoint_url": "http://127.0.0.1:9",  # never contacted: nothing is sent here
        "unsubscribe_url_for": lambda m: None,
        "out": out,
    }
    return make_email_deliverer(**(settings | overrides))


@pytest.mark.parametrize(
    "overrides",
    [
        {"access_key_id": ""},
        {"access_key_id": None},
        {"secret_access_key": SecretStr("placeholder-secret")},
        {"sender": ""},
        {"sender": "placeholder-sender@example.com"},
        {"access_key_id": "placeholder-key"},
    ],
)
async def test_placeholder_mode_prints_the_block_and_sends_nothing(
    overrides: dict[str, Any],
    moto_sent_emails: Callable[..., list[Any]],
) -> None:
    out = io.StringIO()
    deliverer = _factory(out, **overrides)
    before = len(moto_sent_emails())

    result = await deliverer.deliver(
        OutboundMessage(
            destination="email",
            address="alice@example.com",
            idempotency_key="k",
            subject="Your research digest",
            text="1. Sparse attention, revisited\n   https://papers.example/1\n",
            html="<p>ignored</p>",
        )
    )

    assert isinstance(deliverer, PlaceholderEmailDeliverer)
    assert deliverer.destination == "email"
    assert result.outcome is DeliveryOutcome.SENT
    assert out.getvalue() == EXPECTED
    assert len(moto_sent_emails()) == before


def test_real_settings_choose_ses() -> None:
    deliverer = _factory(io.StringIO())
    assert isinstance(deliverer, SesEmailDeliverer) and deliverer.destination == "email"


def test_an_unusable_sender_is_a_startup_error() -> None:
    with pytest.raises(ValueError, match="invalid sender"):
        _factory(io.StringIO(), sender="bot@example.com\r\nBcc: evil@x.com")


async def test_placeholder_defaults_to_the_current_stdout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    await PlaceholderEmailDeliverer().deliver(
        OutboundMessage(destination="email", address="bob@example.com", idempotency_key="k")
    )
    printed = capsys.readouterr().out
    assert "To: bob@example.com" in printed and "(no plain-text body)" in printed
