"""One message to many addresses with SES SendBulkEmail, in batches of SES's per-call limit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.email.errors import bulk_entry_result, classify_error
from bot.email.headers import (
    normalize_sender,
    sanitize_header,
    unsubscribe_headers,
    valid_address,
)
from core.delivery import DeliveryOutcome, DeliveryResult

SES_BULK_LIMIT = 50  # destinations per SendBulkEmail call, fixed by SES


@dataclass(frozen=True)
class BulkContent:
    """Inline template content; SES substitutes `{{tag}}` from each recipient's data."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class BulkRecipient:
    address: str
    data: Mapping[str, str] = field(default_factory=dict)
    unsubscribe_url: str | None = None


async def send_bulk(
    client: Any,
    sender: str,
    content: BulkContent,
    recipients: Sequence[str | BulkRecipient],
    *,
    configuration_set: str | None = None,
    unsubscribe_mailto: str | None = None,
) -> list[DeliveryResult]:
    """Send `content` to every recipient; results come back in the order of `recipients`.

    Invalid addresses fail PERMANENT without a call; a call that fails as a whole gives
    its classified error to each recipient of that batch. Batches go one after another
    so the account's send rate is not exceeded by our own concurrency.
    """
    from_address = normalize_sender(sender)
    people = [r if isinstance(r, BulkRecipient) else BulkRecipient(r) for r in recipients]
    results: list[DeliveryResult | None] = [None] * len(people)
    sendable: list[int] = []
    for i, person in enumerate(people):
        if valid_address(person.address):
            sendable.append(i)
        else:
            results[i] = DeliveryResult(
                outcome=DeliveryOutcome.PERMANENT,
                detail=f"invalid recipient address: {sanitize_header(person.address)!r}",
            )
    template = {
        "TemplateContent": {
            "Subject": sanitize_header(content.subject),
            "Text": content.text,
            "Html": content.html,
        },
        "TemplateData": "{}",  # defaults; each entry may replace it
    }
    for start in range(0, len(sendable), SES_BULK_LIMIT):
        batch = sendable[start : start + SES_BULK_LIMIT]
        request: dict[str, Any] = {
            "FromEmailAddress": from_address,
            "DefaultContent": {"Template": template},
            "BulkEmailEntries": [_entry(people[i], unsubscribe_mailto) for i in batch],
        }
        if configuration_set:
            request["ConfigurationSetName"] = configuration_set
        for i, result in zip(batch, await _send_batch(client, request, len(batch)), strict=True):
            results[i] = result
    return [r for r in results if r is not None]


def _entry(person: BulkRecipient, mailto: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"Destination": {"ToAddresses": [person.address]}}
    if person.data:
        data = json.dumps(dict(person.data))
        entry["ReplacementEmailContent"] = {
            "ReplacementTemplate": {"ReplacementTemplateData": data}
        }
    headers = unsubscribe_headers(person.unsubscribe_url, mailto)
    if headers:
        entry["ReplacementHeaders"] = [{"Name": n, "Value": v} for n, v in headers]
    return entry


async def _send_batch(client: Any, request: dict[str, Any], size: int) -> list[DeliveryResult]:
    try:
        response = await asyncio.to_thread(client.send_bulk_email, **request)
    except (ClientError, BotoCoreError) as exc:
        return [classify_error(exc)] * size
    entries = response.get("BulkEmailEntryResults", [])
    if len(entries) != size:
        # SES promises one result per entry, in order; anything else cannot be attributed.
        detail = f"SES returned {len(entries)} results for {size} entries"
        return [DeliveryResult(outcome=DeliveryOutcome.UNKNOWN, detail=detail)] * size
    return [bulk_entry_result(entry) for entry in entries]
