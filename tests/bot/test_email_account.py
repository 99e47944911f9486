"""The SES account view behind start-up checks and `/digest admin stats`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from botocore.stub import Stubber

from bot.email import make_sesv2_client
from bot.email.account import SesAccount, describe_statistics


def test_describe_statistics_from_the_sesv2_account_shape() -> None:
    lines = describe_statistics(
        {
            "Max24HourSend": -1.0,
            "MaxSendRate": 14.0,
            "SentLast24Hours": 1200.0,
            "SendingEnabled": False,
            "ProductionAccessEnabled": False,
            "DataPoints": [
                {"DeliveryAttempts": 700, "Bounces": 7, "Complaints": 1, "Rejects": 0},
                {"DeliveryAttempts": 300, "Bounces": 3, "Complaints": 0, "Rejects": 2},
            ],
        }
    )
    assert lines == {
        "sent in the last 24 h": "1200 of unlimited",
        "max send rate": "14 per second",
        "sending": "paused by SES",
        "account": "sandbox (verified recipients only)",
        "last 2 weeks": "1000 delivery attempts, 10 bounces, 1 complaints, 2 rejects",
        "bounce rate": "1.0%",
        "complaint rate": "0.10%",
    }


async def test_figures_prefer_sesv2_get_account(
    moto_aws: dict[str, str], moto_client: Callable[[str], Any]
) -> None:
    client = make_sesv2_client(**moto_aws)
    account = SesAccount(client, moto_client("ses"), "bot@example.com", "eu-west-1")
    with Stubber(client) as stubber:  # moto 5.2 has no sesv2 GetAccount
        stubber.add_response(
            "get_account",
            {
                "SendQuota": {"Max24HourSend": 50000.0, "MaxSendRate": 14.0,
                              "SentLast24Hours": 3.0},
                "SendingEnabled": True,
                "ProductionAccessEnabled": True,
            },
        )  # fmt: skip
        figures = await account.figures()

    assert figures["provider"] == "Amazon SES (eu-west-1)"
    assert figures["sender"] == "bot@example.com (not checked yet)"
    assert figures["sent in the last 24 h"] == "3 of 50000"
    assert figures["sending"] == "enabled" and figures["account"] == "production"


async def test_a_pending_sender_is_logged_as_a_warning(
    moto_aws: dict[str, str], moto_client: Callable[[str], Any], caplog: pytest.LogCaptureFixture
) -> None:
    client = make_sesv2_client(**moto_aws)
    account = SesAccount(client, moto_client("ses"), "Bot <bot@example.com>", "us-east-1")
    with Stubber(client) as stubber, caplog.at_level(logging.INFO, "bot.email.account"):
        stubber.add_response("get_email_identity", {"VerificationStatus": "PENDING"})
        assert await account.check_sender() == "PENDING"

    [record] = caplog.records
    assert record.levelno == logging.WARNING and "verification email" in record.getMessage()
    assert account.sender_status == "PENDING"
