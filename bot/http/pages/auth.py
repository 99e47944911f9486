"""Who may see the admin dashboard: `Authorization: Bearer <API_TOKEN>`, or a signed,
expiring admin link (`?token=`, printed by `digestbot admin-link`)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.http.pages.tokens import admin_token_ok
from bot.settings import Settings, is_configured


@dataclass(frozen=True)
class Access:
    allowed: bool
    status: int = 200
    title: str = ""
    message: str = ""
    token: str = ""  # the signed link's token, kept on the page's own links


def _bearer(request: web.Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def check_admin(request: web.Request, settings: Settings, key: bytes, now: datetime) -> Access:
    """Allowed, or the status and words of a clear refusal."""
    bearer = _bearer(request)
    if bearer is not None:
        expected = settings.api_token.get_secret_value()
        if is_configured(settings.api_token) and hmac.compare_digest(
            bearer.encode(), expected.encode()
        ):
            return Access(True)
        return Access(False, 401, "Wrong API token", "The bearer token was not accepted.")
    token = request.query.get("token", "")
    if not token:
        return Access(
            False,
            401,
            "Sign-in needed",
            "Open the link printed by `digestbot admin-link`, or send a bearer API token.",
        )
    verdict = admin_token_ok(key, token, now)
    if verdict == "valid":
        return Access(True, token=token)
    if verdict == "expired":
        return Access(
            False, 403, "This admin link has expired", "Run `digestbot admin-link` for a new one."
        )
    return Access(False, 403, "This admin link is not valid", "Copy the whole link and try again.")
