"""`POST /ses/notifications/{secret}`: SES bounces and complaints, delivered by Amazon SNS.

Permanent bounces and complaints put the recipient on the email suppression list, which
the delivery worker checks before every send.

Why a secret path segment and not SNS signature verification: verifying a signature
means fetching the signing certificate from SigningCertURL (an AWS host), and this
service may have no route to the internet. The endpoint therefore answers only at a
path containing SES_NOTIFICATION_SECRET (compared in constant time); give SNS the full
URL, over HTTPS, and treat it like a password. For the same reason a
SubscriptionConfirmation is logged, not fetched: an operator opens its SubscribeURL once.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from pydantic import SecretStr

from bot.email.notifications import NotificationError, parse_notification
from bot.settings import is_configured

log = logging.getLogger(__name__)
Suppress = Callable[[str, str, str], Awaitable[None]]  # (destination, address, reason)
EMAIL = "email"


def ses_notification_routes(secret: SecretStr | str, suppress: Suppress) -> web.RouteTableDef:
    """The SNS endpoint; without a configured secret every request is a 404."""
    expected = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    enabled = is_configured(expected)
    routes = web.RouteTableDef()

    @routes.post("/ses/notifications/{secret}")
    async def notification(request: web.Request) -> web.Response:
        given = request.match_info["secret"].encode()
        if not enabled or not hmac.compare_digest(given, expected.encode()):
            return web.Response(status=404, text="not found")
        try:
            note = parse_notification(await request.read())
        except NotificationError as exc:
            log.warning("SES notification rejected: %s", exc)
            return web.json_response({"error": str(exc)}, status=400)
        if note.subscribe_url:
            log.warning(
                "SNS %s for SES notifications: open %s once to confirm it "
                "(digestbot does not fetch it: it may have no internet access).",
                note.kind,
                note.subscribe_url,
            )
        elif note.note:
            log.info("SES notification %s: %s", note.kind, note.note)
        try:
            for entry in note.suppress:
                await suppress(EMAIL, entry.address, entry.reason)
        except Exception:
            # 5xx makes SNS retry later, so the bounce is not lost.
            log.exception("SES notification: could not store suppressions")
            return web.json_response({"error": "storage unavailable"}, status=503)
        for entry in note.suppress:
            log.info("suppressed %s: %s", entry.address, entry.reason)
        return web.json_response({"type": note.kind, "suppressed": len(note.suppress)})

    return routes
