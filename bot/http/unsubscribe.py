"""`/unsubscribe/{token}`: the link in every digest email.

GET only shows a confirm page, because mail scanners and link previews fetch URLs on
their own; POST unsubscribes. RFC 8058 one-click (`List-Unsubscribe=One-Click`, sent by
the mail client) and the page's form both POST here, and the signed token is the only
authorisation either needs, so the body is not inspected."""

from __future__ import annotations

import logging

from aiohttp import web
from jinja2 import DictLoader, Environment

from bot.links import SignedLinks
from core.models import Subscriber, SubscriberStatus
from core.ports import SubscriberRepository

log = logging.getLogger(__name__)

_LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{{ title }} · digestbot</title>
<style>
body{font:1.05rem/1.5 system-ui,sans-serif;color:#111827;background:#f9fafb;margin:0}
main{max-width:32rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:.5rem}
h1{font-size:1.4rem;margin-top:0}
button{font:inherit;font-weight:600;width:100%;min-height:3rem;border:0;border-radius:.4rem;
color:#fff;background:#b91c1c;cursor:pointer}
button:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
.note{color:#374151}
</style></head>
<body><main>{% block body %}{% endblock %}</main></body></html>"""

_PAGES = {
    "layout.html": _LAYOUT,
    "confirm.html": """{% extends "layout.html" %}{% block body %}
<h1>Unsubscribe from research digests?</h1>
<p>Hi {{ name }}, this stops every scheduled digest we send you.</p>
<form method="post">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>
<p class="note">Your prompts and settings are kept: send <code>/subscribe</code> to the bot
to come back.</p>{% endblock %}""",
    "done.html": """{% extends "layout.html" %}{% block body %}
<h1 role="status">You are unsubscribed</h1>
<p>{{ name }}, no more digests will be sent to you.</p>
<p class="note">Changed your mind? Send <code>/subscribe</code> to the bot and your prompts
and settings are back as they were.</p>{% endblock %}""",
    "invalid.html": """{% extends "layout.html" %}{% block body %}
<h1>This link does not work</h1>
<p>The unsubscribe link is incomplete or has been altered, so nothing was changed.</p>
<p class="note">Copy the whole link from the email, or send <code>/unsubscribe</code> to
the bot.</p>{% endblock %}""",
    "unavailable.html": """{% extends "layout.html" %}{% block body %}
<h1>Please try again in a minute</h1>
<p>We could not reach your subscription just now, so nothing was changed.</p>
{% endblock %}""",
}
_TITLES = {
    "confirm.html": "Unsubscribe",
    "done.html": "Unsubscribed",
    "invalid.html": "Link not valid",
    "unavailable.html": "Try again",
}
# The token is a credential: keep it out of caches, search engines and Referer headers.
_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'",
}


def unsubscribe_routes(links: SignedLinks, subscribers: SubscriberRepository) -> web.RouteTableDef:
    """GET shows the confirm page, POST unsubscribes at once; a bad token is a 404."""
    pages = Environment(loader=DictLoader(_PAGES), autoescape=True)
    routes = web.RouteTableDef()

    def page(template: str, status: int = 200, **values: str) -> web.Response:
        html = pages.get_template(template).render(title=_TITLES[template], **values)
        return web.Response(
            text=html, status=status, content_type="text/html", charset="utf-8", headers=_HEADERS
        )

    async def subscriber_of(request: web.Request) -> Subscriber | None:
        subscriber_id = links.subscriber_for_unsubscribe(request.match_info["token"])
        return None if subscriber_id is None else await subscribers.get(subscriber_id)

    @routes.get("/unsubscribe/{token}")
    async def confirm(request: web.Request) -> web.Response:
        try:
            subscriber = await subscriber_of(request)
        except Exception:
            log.exception("unsubscribe page: subscriber lookup failed")
            return page("unavailable.html", 503)
        if subscriber is None:
            return page("invalid.html", 404)
        if subscriber.status is SubscriberStatus.UNSUBSCRIBED:
            return page("done.html", name=subscriber.name)
        return page("confirm.html", name=subscriber.name)

    @routes.post("/unsubscribe/{token}")
    async def unsubscribe(request: web.Request) -> web.Response:
        try:
            subscriber = await subscriber_of(request)
            if subscriber is None:
                return page("invalid.html", 404)
            if subscriber.status is not SubscriberStatus.UNSUBSCRIBED:
                subscriber.status = SubscriberStatus.UNSUBSCRIBED
                subscriber.next_due_at = None
                subscriber.paused_until = None
                # Through the cached repository, so its Redis copy is replaced as well.
                await subscribers.save(subscriber)
                log.info("subscriber %s unsubscribed by link", subscriber.id)
        except Exception:
            log.exception("unsubscribe: could not update the subscriber")
            return page("unavailable.html", 503)
        return page("done.html", name=subscriber.name)

    return routes
