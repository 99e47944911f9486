"""The alert scanner: new content items that clear a subscriber's alert bar become
real-time alerts on the AlertBus, which every bot process listens to.

PostgreSQL decides each (subscriber, item) pair once (`subscriber_alerts`), so any
number of workers may scan at once; Redis counts each subscriber's alerts per local day.
During quiet hours nothing is decided: the item is picked up by the first scan after
the window ends (the look-back is long enough to cover any quiet window)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis

from core.alert_rules import alert_topic, local_day, quiet_until
from core.models import ContentItem, Subscriber
from core.pipeline import destination_of
from core.ports import Clock
from storage.postgres.alert_log import PgAlertLog
from storage.redis.alerts import AlertBus

log = logging.getLogger(__name__)
CONTENT_ALERT = "content"
LOOKBACK = timedelta(hours=26)  # a day plus slack: quiet hours never hold longer
# Count one alert against the day's allowance, unless it is used up (then count nothing).
_TAKE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], 172800) end
if n > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return 0
end
return 1
"""


def daily_key(subscriber_id: int, day: str) -> str:
    return f"alert:daily:{subscriber_id}:{day}"


def content_alert(subscriber: Subscriber, item: ContentItem, topic: str, at: str) -> dict[str, Any]:
    """The alert as published: who gets it, where, and what it says."""
    destination, address = destination_of(subscriber)
    return {
        "id": f"{CONTENT_ALERT}-{subscriber.id}-{item.id}",  # one per pair, however often sent
        "kind": CONTENT_ALERT,
        "subscriber_id": subscriber.id,
        "destination": destination,
        "address": address,
        "content_id": item.id,
        "title": item.title,
        "url": item.url,
        "source": item.source,
        "score": item.ai_scores.overall,
        "topic": topic,
        "at": at,
    }


class AlertScanner:
    def __init__(
        self,
        alerts: PgAlertLog,
        bus: AlertBus,
        redis: Redis,
        clock: Clock,
        *,
        lookback: timedelta = LOOKBACK,
        limit: int = 500,
    ) -> None:
        self.alerts = alerts
        self.bus = bus
        self.clock = clock
        self.lookback = lookback
        self.limit = limit
        self._take = redis.register_script(_TAKE)

    async def run(self) -> int:
        """One scan; returns how many alerts were published."""
        now = self.clock.now()
        items = [i for i in await self.alerts.new_content(now - self.lookback, self.limit) if i.id]
        subscribers = [s for s in await self.alerts.alert_subscribers() if s.id is not None]
        if not items or not subscribers:
            return 0
        decided = await self.alerts.decided(
            (s.id for s in subscribers if s.id is not None), (i.id for i in items if i.id)
        )
        published = 0
        for subscriber in subscribers:
            settings = subscriber.frequency_settings
            if quiet_until(subscriber.ai_metadata.alerts.quiet_hours, settings.timezone, now):
                continue  # held: the first scan after the window sends it
            # Best first: when the daily allowance runs out, what is left out matters least.
            for item in sorted(items, key=lambda i: -i.ai_scores.overall):
                if (subscriber.id, item.id) in decided:
                    continue
                topic = alert_topic(item, subscriber.ai_metadata)
                if topic is not None:
                    published += await self._alert(subscriber, item, topic)
        return published

    async def _alert(self, subscriber: Subscriber, item: ContentItem, topic: str) -> int:
        assert subscriber.id is not None and item.id is not None
        now = self.clock.now()
        if not await self.alerts.claim(subscriber.id, item.id, item.ai_scores.overall, now):
            return 0  # another worker decided this pair
        allowance = subscriber.ai_metadata.alerts.max_per_day
        day = local_day(subscriber.frequency_settings.timezone, now)
        try:
            if not await self._take(keys=[daily_key(subscriber.id, day)], args=[allowance]):
                await self.alerts.set_state(subscriber.id, item.id, "capped")
                return 0
            await self.bus.publish(content_alert(subscriber, item, topic, now.isoformat()))
        except Exception:
            await self.alerts.release(subscriber.id, item.id)  # the next scan tries again
            raise
        await self.alerts.set_state(subscriber.id, item.id, "published")
        log.info("alert: item %s for subscriber %s (%s)", item.id, subscriber.id, topic)
        return 1
