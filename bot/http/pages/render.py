"""Render page templates into responses with the headers every page needs.

Autoescaping is on for every template; the one inline stylesheet is allowed by a
per-response CSP nonce, so no other script or style can run on these pages."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined


def _security_headers(nonce: str) -> dict[str, str]:
    policy = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        # Links carry their token in the URL: never hand it to another site or a cache.
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


class PageRenderer:
    def __init__(self) -> None:
        self.env = Environment(
            loader=PackageLoader("bot.http.pages", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def page(self, template: str, status: int = 200, **context: Any) -> web.Response:
        """Render `template` (a name under templates/, without `.html.j2`) as an HTML page."""
        nonce = secrets.token_urlsafe(16)
        body = self.env.get_template(f"{template}.html.j2").render(nonce=nonce, **context)
        return web.Response(
            text=body,
            status=status,
            content_type="text/html",
            charset="utf-8",
            headers=_security_headers(nonce),
        )

    def problem(self, status: int, title: str, message: str, hint: str = "") -> web.Response:
        """A clear page for a link that cannot be used; nothing behind it was touched."""
        return self.page("problem", status, title=title, message=message, hint=hint)
