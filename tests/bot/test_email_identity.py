"""Sender verification against moto; quota reporting against the real SES v2 shapes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from bot.email import make_sesv2_client, send_statistics, verify_sender

pytest_plugins = ["tests.fixtures.moto"]


async def test_verify_sender_creates_a_missing_identity_once(moto_aws: dict[str, str]) -> None:
    client = make_sesv2_client(**moto_aws)
    address = f"digest-{uuid4().hex[:10]}@example.com"

    assert await verify_sender(client, f"Digestbot <{address}>") == "SUCCESS"  # moto verifies
    assert await verify_sender(client, address) == "SUCCESS"

    names = [i["IdentityName"] for i in client.list_email_identities()["EmailIdentities"]]
    assert names.count(address) == 1


async def test_verify_sender_reports_other_errors(moto_aws: dict[str, str]) -> None:
    client = make_sesv2_client(**moto_aws)
    with Stubber(client) as stubber:
        stubber.add_client_error("get_email_identity", "BadRequestException", "bad", 400)
        with pytest.raises(ClientError):
            await verify_sender(client, "bot@example.com")


async def test_send_statistics(moto_aws: dict[str, str], moto_client: Callable[[str], Any]) -> None:
    # moto 5.2 lacks sesv2 GetAccount, so the quota comes from a Stubber; v1 data points
    # come from moto itself.
    client = make_sesv2_client(**moto_aws)
    with Stubber(client) as stubber:
        stubber.add_response(
            "get_account",
            {
                "SendQuota": {
                    "Max24HourSend": 50000.0,
                    "MaxSendRate": 14.0,
                    "SentLast24Hours": 3.0,
                },
                "SendingEnabled": True,
                "ProductionAccessEnabled": True,
            },
        )
        stats = await send_statistics(client, ses_v1=moto_client("ses"))

    assert stats["Max24HourSend"] == 50000.0
    assert stats["MaxSendRate"] == 14.0
    assert stats["SentLast24Hours"] == 3.0
    assert stats["SendingEnabled"] is True
    [point] = stats["DataPoints"]
    assert {"DeliveryAttempts", "Bounces", "Complaints", "Rejects"} <= point.keys()
    assert point["Timestamp"] <= datetime.now(UTC)
