"""Email digests through Amazon SES v2 as raw MIME, so we own every header."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.email.errors import classify_error
from bot.email.headers import (
    normalize_sender,
    sanitize_header,
    unsubscribe_headers,
    valid_address,
)
from core.delivery import DeliveryOutcome, DeliveryResult, OutboundMessage

IDEMPOTENCY_HEADER = "X-Digestbot-Idempotency-Key"
# Renderers may add their own headers via payload["headers"], but only X-* ones: they must
# never be able to set From/To/Bcc or override the unsubscribe headers.
_EXTRA_HEADER_NAME = re.compile(r"^X-[A-Za-z0-9-]{1,60}$")


class SesEmailDeliverer:
    """A core.ports.Deliverer that sends one message per SES SendEmail call.

    The sesv2 client should be built without botocore retries (see factory): a retried
    read timeout could mail the digest twice, and retrying is the outbox's job anyway.
    """

    destination = "email"

    def __init__(
        self,
        client: Any,
        sender: str,
        *,
        unsubscribe_url_for: Callable[[OutboundMessage], str | None],
        configuration_set: str | None = None,
        unsubscribe_mailto: str | None = None,
    ) -> None:
        self._client = client
        self._sender = normalize_sender(sender)
        self._configuration_set = configuration_set or None
        self._unsubscribe_url_for = unsubscribe_url_for
        self._unsubscribe_mailto = unsubscribe_mailto

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        to = sanitize_header(message.address)
        if not valid_address(to):
            return DeliveryResult(
                outcome=DeliveryOutcome.PERMANENT, detail=f"invalid recipient address: {to!r}"
            )
        request: dict[str, Any] = {
            "FromEmailAddress": self._sender,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {"Data": self.build_mime(message, to).as_bytes()}},
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        try:
            # boto3 is blocking; a slow SES must not stall every other coroutine.
            response = await asyncio.to_thread(self._client.send_email, **request)
        except (ClientError, BotoCoreError) as exc:
            return classify_error(exc)
        return DeliveryResult.sent(response.get("MessageId"))

    def build_mime(self, message: OutboundMessage, to: str) -> EmailMessage:
        """The raw message: text, plus HTML as multipart/alternative when there is some."""
        mime = EmailMessage(policy=SMTP)
        mime["From"] = self._sender
        mime["To"] = to
        mime["Subject"] = sanitize_header(message.subject) or "Your research digest"
        mime["Date"] = formatdate(usegmt=True)
        mime[IDEMPOTENCY_HEADER] = sanitize_header(message.idempotency_key)
        url = self._unsubscribe_url_for(message)
        for name, value in unsubscribe_headers(url, self._unsubscribe_mailto):
            mime[name] = value
        extra = message.payload.get("headers")
        if isinstance(extra, dict):
            for name, value in extra.items():
                if _EXTRA_HEADER_NAME.match(str(name)) and name not in mime:
                    mime[str(name)] = sanitize_header(str(value))
        # Quoted-printable keeps the wire 7-bit, which SES recommends for raw messages.
        mime.set_content(message.text, cte="quoted-printable")
        if message.html:
            mime.add_alternative(message.html, subtype="html", cte="quoted-printable")
        return mime
