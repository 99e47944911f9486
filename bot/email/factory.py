"""Chooses real SES or the placeholder from settings; the only place a boto3 client is built."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TextIO

import boto3
from botocore.config import Config

from bot.email.placeholder import PlaceholderEmailDeliverer
from bot.email.ses import SesEmailDeliverer
from core.delivery import OutboundMessage
from core.ports import Deliverer

PLACEHOLDER_PREFIX = "placeholder-"


class _Secret(Protocol):
    def get_secret_value(self) -> str: ...


def _reveal(value: str | _Secret | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.get_secret_value()


def is_placeholder(*values: str | _Secret | None) -> bool:
    """True when any value is missing or a `placeholder-...` stand-in."""
    return any(not (v := _reveal(x).strip()) or v.startswith(PLACEHOLDER_PREFIX) for x in values)


def make_sesv2_client(
    *,
    region: str | None,
    access_key_id: str | _Secret | None,
    secret_access_key: str | _Secret | None,
    endpoint_url: str | None = None,
    connect_timeout: float = 5,
    read_timeout: float = 20,
    service: str = "sesv2",
) -> Any:
    """An sesv2 client with botocore's retries off: botocore would retry a read timeout,
    and SES has no idempotency key, so that could mail twice. The outbox retries instead.
    `service="ses"` gives the v1 client, still needed for GetSendStatistics."""
    return boto3.client(
        service,
        region_name=region or None,
        aws_access_key_id=_reveal(access_key_id),
        aws_secret_access_key=_reveal(secret_access_key),
        endpoint_url=endpoint_url or None,  # None lets boto3 honour AWS_ENDPOINT_URL
        config=Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        ),
    )


def make_email_deliverer(
    *,
    region: str | None,
    access_key_id: str | _Secret | None,
    secret_access_key: str | _Secret | None,
    sender: str | None,
    endpoint_url: str | None,
    unsubscribe_url_for: Callable[[OutboundMessage], str | None],
    out: TextIO | None = None,
    configuration_set: str | None = None,
    unsubscribe_mailto: str | None = None,
) -> Deliverer:
    """SES when credentials and sender are real, else the printing placeholder."""
    if is_placeholder(access_key_id, secret_access_key, sender):
        return PlaceholderEmailDeliverer(out=out)
    client = make_sesv2_client(
        region=region,
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        endpoint_url=endpoint_url,
    )
    return SesEmailDeliverer(
        client,
        sender or "",
        unsubscribe_url_for=unsubscribe_url_for,
        configuration_set=configuration_set,
        unsubscribe_mailto=unsubscribe_mailto,
    )
