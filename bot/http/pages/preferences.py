"""GET/POST /preferences/{token}: the preference centre behind every digest's footer link.

The signed link names the subscriber; changes run through the command service with the
subscriber's own identity, so each one is checked and answered exactly as in chat."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

from aiohttp import web

from bot.http.pages.form import FormResult, current_values, read_form
from bot.http.pages.render import PageRenderer
from bot.http.pages.tokens import FORM_LIFETIME, form_nonce, form_token, preferences_subscriber
from bot.runtime import Runtime
from core.actor import Actor
from core.handlers.digests import OUTCOME_WORDS
from core.handlers.subscription import schedule_line
from core.models import NAMED_SLOTS, Frequency, Style, Subscriber, Summarization, Tone, Weekday
from core.reply import Reply
from storage.redis.client import REDIS_DOWN

log = logging.getLogger(__name__)
USED_FORM_KEY = "pages:form-used:{nonce}"
HISTORY_SHOWN = 5
CHOICES = {
    "frequencies": [f.value for f in Frequency],
    "weekdays": [d.value for d in Weekday],
    "styles": [s.value for s in Style],
    "tones": [t.value for t in Tone],
    "formats": [f.value for f in Summarization],
    "slots": NAMED_SLOTS,
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class PreferencePages:
    def __init__(self, runtime: Runtime, renderer: PageRenderer) -> None:
        self.rt = runtime
        self.renderer = renderer
        self.key = runtime.links.key
        self.zones = sorted(available_timezones() | {"UTC"})

    def problem_for(self, verdict: str) -> web.Response:
        if verdict == "expired":
            return self.renderer.problem(
                403,
                "This link has expired",
                "Preference links work for 30 days. Nothing was changed.",
                "Open the link in your most recent digest, or ask your digest admin for a new one.",
            )
        return self.renderer.problem(
            404,
            "This link is not valid",
            "The link may have been cut short or changed. Nothing was changed.",
            "Copy the whole link from your digest email and try again.",
        )

    async def subscriber(self, token: str) -> Subscriber | web.Response:
        verdict, subscriber_id = preferences_subscriber(self.key, token, self.rt.ctx.clock.now())
        if subscriber_id is None:
            return self.problem_for(verdict)
        found = await self.rt.ctx.subscribers.get(subscriber_id)
        return found if found is not None else self.problem_for("invalid")

    async def page(
        self,
        subscriber: Subscriber,
        token: str,
        status: int = 200,
        form: FormResult | None = None,
        results: list[tuple[str, Reply]] | None = None,
        notice: str = "",
    ) -> web.Response:
        now = self.rt.ctx.clock.now()
        zone = ZoneInfo(subscriber.frequency_settings.timezone)
        history = await self.rt.ctx.ledger.history(subscriber.id or 0, HISTORY_SHOWN)
        digests = [
            {
                "when": f"{row.created_at.astimezone(zone):%a %d %b %Y, %H:%M}",
                "outcome": OUTCOME_WORDS.get(row.outcome, row.outcome),
                "titles": list(row.item_titles),
            }
            for row in history
        ]
        context: dict[str, Any] = {
            "subscriber": subscriber,
            "schedule": schedule_line(subscriber),
            "values": form.values if form else current_values(subscriber),
            "errors": form.errors if form else {},
            "results": results or [],
            "notice": notice,
            "digests": digests,
            "zones": self.zones,
            "form_token": form_token(self.key, subscriber.id or 0, token, now),
            **CHOICES,
        }
        return self.renderer.page("preferences", status, **context)

    def same_origin(self, request: web.Request) -> bool:
        """False for a form another site made the browser send (login-less CSRF)."""
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None:  # every current browser sends it, and pages cannot forge it
            return site in ("same-origin", "none")
        origin = request.headers.get("Origin")
        if origin is None:  # older browsers and non-browser clients; the form token still holds
            return True
        allowed = {_origin(str(request.url)), _origin(self.rt.settings.public_base_url)}
        return origin.lower() in allowed

    async def claim_form(self, nonce: str) -> bool:
        """True the first time a form is submitted; a refresh or replay gets False."""
        key = USED_FORM_KEY.format(nonce=nonce)
        ttl = int(FORM_LIFETIME.total_seconds())
        try:
            return bool(await self.rt.redis.set(key, "1", nx=True, ex=ttl))
        except REDIS_DOWN:
            log.warning("Redis unavailable; accepting the form without the replay check")
            return True

    async def save(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        subscriber = await self.subscriber(token)
        if isinstance(subscriber, web.Response):
            return subscriber
        if not self.same_origin(request):
            return self.renderer.problem(
                403, "Form sent from another site", "Nothing was changed.", ""
            )
        form = await request.post()
        now = self.rt.ctx.clock.now()
        nonce = form_nonce(
            self.key, str(form.get("form_token", "")), subscriber.id or 0, token, now
        )
        result = read_form(form, subscriber)  # type: ignore[arg-type]
        if not nonce:
            note = "This form was out of date, so nothing was saved. Check your choices and save."
            result.errors = {}
            return await self.page(subscriber, token, 403, form=result, notice=note)
        if result.errors:
            note = "Nothing was saved: please correct the fields marked below."
            return await self.page(subscriber, token, 400, form=result, notice=note)
        if not await self.claim_form(nonce):
            note = "These changes were already saved (the form was sent twice)."
            return await self.page(subscriber, token, notice=note)
        actor = Actor(
            platform=subscriber.platform,
            user_id=subscriber.platform_user_id,
            display_name=subscriber.name,
            email=subscriber.email,
        )
        results = [
            (name, await self.rt.service.execute(actor, cmd)) for name, cmd in result.commands
        ]
        if not results:
            results = [("", Reply(text="Nothing to change: your settings are as they were."))]
        fresh = await self.rt.ctx.subscribers.get(subscriber.id or 0) or subscriber
        return await self.page(fresh, token, results=results)


def preferences_routes(runtime: Runtime, renderer: PageRenderer) -> web.RouteTableDef:
    routes = web.RouteTableDef()
    pages = PreferencePages(runtime, renderer)

    @routes.get("/preferences/{token}")
    async def show(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        subscriber = await pages.subscriber(token)
        if isinstance(subscriber, web.Response):
            return subscriber
        return await pages.page(subscriber, token)

    @routes.post("/preferences/{token}")
    async def save(request: web.Request) -> web.Response:
        return await pages.save(request)

    return routes
