"""GET /admin: subscribers, deliveries, failures, and charts of opens, clicks and
feedback per day, drawn as inline SVG on the server."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.http.pages.auth import check_admin
from bot.http.pages.charts import Chart, bar_chart, day_range
from bot.http.pages.render import PageRenderer
from bot.runtime import Runtime
from core.models import SubscriberStatus
from storage.postgres.dashboard import DashboardFigures, PgDashboard

RANGES = (7, 30, 90)
DEFAULT_RANGE = 30


def build_charts(figures: DashboardFigures, days: list[Any]) -> list[Chart]:
    engaged, sent = figures.engagement_per_day, figures.deliveries_per_day
    return [
        bar_chart("opens", "Opens per day", days, [("open", "Opens")], engaged),
        bar_chart("clicks", "Clicks per day", days, [("click", "Clicks")], engaged, ("#047857",)),
        bar_chart(
            "feedback",
            "Feedback per day",
            days,
            [("like", "Likes"), ("dislike", "Dislikes")],
            engaged,
            ("#047857", "#b91c1c"),
        ),
        bar_chart(
            "deliveries",
            "Deliveries per day",
            days,
            [("sent", "Sent"), ("failed", "Failed")],
            sent,
            ("#1d4ed8", "#b91c1c"),
        ),
    ]


def _range(request: web.Request) -> int:
    try:
        wanted = int(request.query.get("days", DEFAULT_RANGE))
    except ValueError:
        return DEFAULT_RANGE
    return wanted if wanted in RANGES else DEFAULT_RANGE


def dashboard_routes(runtime: Runtime, renderer: PageRenderer) -> web.RouteTableDef:
    routes = web.RouteTableDef()
    store = PgDashboard(runtime.pool)

    @routes.get("/admin")
    async def dashboard(request: web.Request) -> web.Response:
        now = runtime.ctx.clock.now()
        access = check_admin(request, runtime.settings, runtime.links.key, now)
        if not access.allowed:
            response = renderer.problem(access.status, access.title, access.message)
            if access.status == 401:
                response.headers["WWW-Authenticate"] = 'Bearer realm="digestbot admin"'
            return response
        span = _range(request)
        days = day_range(now.astimezone(UTC).date(), span)
        since = datetime.combine(days[0], time(0), tzinfo=UTC)
        figures = await store.figures(since)
        keep = {"token": access.token} if access.token else {}
        return renderer.page(
            "dashboard",
            figures=figures,
            statuses={s.value: figures.by_status.get(s.value, 0) for s in SubscriberStatus},
            charts=build_charts(figures, days),
            span=span,
            ranges=[(n, "?" + urlencode({**keep, "days": n})) for n in RANGES],
            generated=f"{now.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
        )

    return routes
