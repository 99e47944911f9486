"""Read-only figures for the admin dashboard: subscribers, deliveries, failures and
engagement per day (from the rolled-up engagement_events table)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import asyncpg

from storage.postgres.queries import default_queries

_Q = default_queries()
_Q.require(
    "subscribers_by_status",
    "outbox_by_state",
    "failures_by_reason",
    "dashboard_subscribers",
    "dashboard_recent_deliveries",
    "dashboard_deliveries_per_day",
    "dashboard_engagement_per_day",
)
PerDay = dict[date, dict[str, int]]


@dataclass
class DashboardFigures:
    by_status: dict[str, int]
    outbox_by_state: dict[str, int]
    failures: list[tuple[str, int]]
    subscribers: list[dict[str, Any]]
    deliveries: list[dict[str, Any]]
    deliveries_per_day: PerDay = field(default_factory=dict)
    engagement_per_day: PerDay = field(default_factory=dict)


class PgDashboard:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def figures(self, since: datetime, rows: int = 25) -> DashboardFigures:
        """Everything the dashboard shows; per-day series start at `since`."""
        async with self._pool.acquire() as conn:
            by_status = await conn.fetch(_Q.subscribers_by_status)
            outbox = await conn.fetch(_Q.outbox_by_state)
            failures = await conn.fetch(_Q.failures_by_reason)
            subscribers = await conn.fetch(_Q.dashboard_subscribers, rows)
            deliveries = await conn.fetch(_Q.dashboard_recent_deliveries, rows)
            per_day = await conn.fetch(_Q.dashboard_deliveries_per_day, since)
            engagement = await conn.fetch(_Q.dashboard_engagement_per_day, since)
        engaged: PerDay = defaultdict(dict)
        for row in engagement:
            engaged[row["day"]][row["kind"]] = row["n"]
        return DashboardFigures(
            by_status={r["status"]: r["n"] for r in by_status},
            outbox_by_state={r["state"]: r["n"] for r in outbox},
            failures=[(r["reason"], r["n"]) for r in failures],
            subscribers=[dict(r) for r in subscribers],
            deliveries=[dict(r) for r in deliveries],
            deliveries_per_day={
                r["day"]: {"sent": r["sent"], "failed": r["failed"]} for r in per_day
            },
            engagement_per_day=dict(engaged),
        )
