"""The engagement roll-up: Redis events into PostgreSQL, then into learned preferences.

Events are drained from Redis in batches and stored (one row per kind, item and person,
so a re-run is harmless); every subscriber they name has their learned preferences
recomputed from everything stored, which ranking then uses (core.learning)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Protocol

from core.learning import learn
from core.models import LearnedPreferences, Subscriber
from core.ports import Clock
from storage.postgres.engagement import PgEngagementStore, subscriber_of
from storage.redis.engagement import EngagementCounters, EngagementKind

log = logging.getLogger(__name__)
LEARNING_WINDOW = timedelta(days=90)  # as long as Redis remembers who clicked what
IDENTITY_PLATFORMS = ("slack", "discord", "console")


class Subscribers(Protocol):
    async def get(self, subscriber_id: int) -> Subscriber | None:
        """One subscriber (possibly from a cache)."""
        ...

    async def find_by_identity(self, platform: str, platform_user_id: str) -> Subscriber | None:
        """The subscriber behind a platform identity, or None."""
        ...

    async def invalidate(self, subscriber_id: int) -> None:
        """Drop a cached copy after a write that bypassed the cache."""
        ...


def _well_formed(event: dict[str, Any]) -> bool:
    try:
        EngagementKind(event["kind"])
        int(event["publication_id"]), int(event["item_id"]), str(event["person"])
        return datetime.fromisoformat(event["at"]).tzinfo is not None
    except (KeyError, TypeError, ValueError):
        return False


class EngagementRollup:
    def __init__(
        self,
        counters: EngagementCounters,
        store: PgEngagementStore,
        subscribers: Subscribers,
        clock: Clock,
        *,
        batch_size: int = 1000,
        window: timedelta = LEARNING_WINDOW,
    ) -> None:
        self.counters = counters
        self.store = store
        self.subscribers = subscribers
        self.clock = clock
        self.batch_size = batch_size
        self.window = window

    async def run(self) -> int:
        """Roll up every pending event; returns how many were drained."""
        drained = 0
        while True:
            events = await self.counters.drain_events(self.batch_size)
            if not events:
                return drained
            drained += len(events)
            people = await self._store(events)
            for subscriber_id in sorted({s for s in people.values() if s is not None}):
                try:
                    await self.relearn(subscriber_id)
                except Exception:  # one bad profile must not stop the others
                    log.exception("could not relearn preferences of subscriber %s", subscriber_id)
            if len(events) < self.batch_size:
                return drained

    async def _store(self, events: list[dict[str, Any]]) -> dict[str, int | None]:
        good = [e for e in events if _well_formed(e)]
        if len(good) < len(events):
            log.warning("dropped %d malformed engagement events", len(events) - len(good))
        try:
            people = {p: await self.subscriber_for(p) for p in {str(e["person"]) for e in good}}
            await self.store.store_events(good, people)
        except BaseException:
            # Back to Redis, so the next run stores them; nothing is lost to an outage.
            await self.counters.requeue_events(events)
            raise
        return people

    async def subscriber_for(self, person: str) -> int | None:
        """Who an event's person is: a subscriber id from a tracked link ("42"), or a
        platform identity from a feedback button ("slack:U123", "discord:456")."""
        direct = subscriber_of(person)
        if direct is not None:
            return direct
        platform, _, user = person.partition(":")
        if not user or platform not in IDENTITY_PLATFORMS:
            return None
        found = await self.subscribers.find_by_identity(platform, user)
        return found.id if found is not None else None

    async def relearn(self, subscriber_id: int) -> LearnedPreferences | None:
        """Recompute one subscriber's learned preferences from the stored events."""
        subscriber = await self.subscribers.get(subscriber_id)
        if subscriber is None:
            return None
        now = self.clock.now()
        since = now - self.window
        signals = await self.store.signals(subscriber_id, since)
        rates = await self.store.rates(subscriber_id, since)
        learned = learn(subscriber.ai_metadata.learned_preferences, signals, rates, now)
        await self.store.set_learned_preferences(subscriber_id, learned)
        await self.subscribers.invalidate(subscriber_id)
        return learned
