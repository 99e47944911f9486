"""A digest that keeps failing to assemble is never dropped: its retries back off, admins
hear of it once per slot, and its next success clears the count."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.models import AIMetadata, Channel, Frequency, FrequencySettings
from core.pipeline import DigestPipeline
from core.render import DigestRenderer
from core.schedule import period_key
from scheduler.alerting import STUCK_KIND, stuck_digest_alerts
from storage.postgres.admin import PgAdminStore
from storage.postgres.search import PgSearchContentRepository
from tests.scheduler.conftest import BundledTemplates, Parts


class Bus:
    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []

    async def publish(self, alert: dict[str, Any]) -> str:
        self.alerts.append(alert)
        return str(alert["id"])


@pytest.mark.parametrize("batched", [True, False], ids=["batch", "one-by-one"])
async def test_a_failing_digest_backs_off_alerts_admins_once_and_recovers(
    parts: Parts, monkeypatch: pytest.MonkeyPatch, batched: bool
) -> None:
    await parts.add_content(20, seed=4)
    due = parts.clock.now() - timedelta(minutes=1)
    broken, fine = [await parts.add_subscriber(n, due=due) for n in range(2)]
    content = PgSearchContentRepository(parts.pool, parts.subscribers) if batched else parts.content
    renderer = DigestRenderer(BundledTemplates())
    parts.pipeline = DigestPipeline(content, parts.ledger, renderer, parts.clock)
    mend = parts.break_rendering(broken.id, monkeypatch)
    bus = Bus()
    tick = parts.tick(lease_seconds=30)
    tick.on_stuck = stuck_digest_alerts(bus, parts.clock)

    async def state() -> tuple[int, str | None, float | None]:
        row = (await parts.fetch(
            "SELECT assembly_failures, last_failure, claimed_until FROM publishing_subscribers "
            "WHERE id = $1", broken.id))[0]  # fmt: skip
        until = row["claimed_until"]
        held = (until - parts.clock.now()).total_seconds() if until is not None else None
        return row["assembly_failures"], row["last_failure"], held

    result = await tick.run()
    assert (result.published, result.failed) == (1, 1)
    assert await state() == (1, "RuntimeError: template exploded", 30.0)
    parts.clock.advance(seconds=31)
    assert (await tick.run()).failed == 1
    assert (await state())[::2] == (2, 60.0)  # the lease doubles per failure in a row
    parts.clock.advance(seconds=31)
    assert (await tick.run()).claimed == 0  # still held: not hammered
    assert bus.alerts == []
    parts.clock.advance(seconds=30)
    assert (await tick.run()).failed == 1
    assert (await state())[::2] == (3, 120.0)
    [alert] = bus.alerts  # the third failure in a row tells the admins
    assert alert["kind"] == STUCK_KIND and alert["subscriber_id"] == broken.id
    assert alert["id"] == f"{STUCK_KIND}-subscriber-{broken.id}-{period_key(due)}"
    assert "3 times in a row" in alert["title"] and "template exploded" in alert["title"]
    admin = PgAdminStore(parts.pool, parts.subscribers, parts.content)
    stats = await admin.stats(parts.clock.now())  # what /digest admin stats shows
    assert stats["digests failing to assemble"] == {"RuntimeError: template exploded": 1}

    mend()
    parts.clock.advance(seconds=121)
    assert (await tick.run()).published == 1  # the same slot, served late but served
    assert await state() == (0, None, None)
    assert (await admin.stats(parts.clock.now()))["digests failing to assemble"] == {}
    rows = await parts.fetch("SELECT subscriber_id, period_key FROM publishing_publications")
    assert {(r["subscriber_id"], r["period_key"]) for r in rows} >= {(broken.id, period_key(due))}


async def test_a_failing_team_digest_backs_off_alerts_admins_once_and_recovers(
    parts: Parts, monkeypatch: pytest.MonkeyPatch
) -> None:
    await parts.add_content(20, seed=4)
    due = parts.clock.now() - timedelta(minutes=1)
    channel = await parts.channels.save(
        Channel(platform="slack", platform_channel_id="C0TEAM", name="#team", created_by="U1",
                frequency=Frequency.DAILY,
                frequency_settings=FrequencySettings(type=Frequency.DAILY, time_of_day="07:00"),
                ai_metadata=AIMetadata(), next_due_at=due)
    )  # fmt: skip
    real = parts.pipeline.assemble_channel

    async def exploding(channel: Channel, period_key: str) -> Any:
        raise RuntimeError("window unreadable")

    monkeypatch.setattr(parts.pipeline, "assemble_channel", exploding)
    bus = Bus()
    tick = parts.tick(lease_seconds=30)
    tick.on_stuck = stuck_digest_alerts(bus, parts.clock)

    async def state() -> tuple[int, float | None]:
        row = (await parts.fetch(
            "SELECT assembly_failures, claimed_until FROM publishing_channels WHERE id = $1",
            channel.id))[0]  # fmt: skip
        until = row["claimed_until"]
        return row["assembly_failures"], (
            (until - parts.clock.now()).total_seconds() if until is not None else None
        )

    for failures, held in ((1, 30.0), (2, 60.0), (3, 120.0)):
        assert (await tick.run()).failed == 1
        assert await state() == (failures, held)  # the lease doubles per failure in a row
        parts.clock.advance(seconds=held - 1)
        assert (await tick.run()).claimed == 0  # still held: not hammered
        parts.clock.advance(seconds=2)
    [alert] = bus.alerts
    assert alert["channel_id"] == channel.id and alert["subscriber_id"] is None
    assert alert["id"] == f"{STUCK_KIND}-channel-{channel.id}-{period_key(due)}"
    assert "channel" in alert["title"] and "window unreadable" in alert["title"]
    admin = PgAdminStore(parts.pool, parts.subscribers, parts.content)
    stats = await admin.stats(parts.clock.now())
    assert stats["digests failing to assemble"] == {"RuntimeError: window unreadable": 1}

    monkeypatch.setattr(parts.pipeline, "assemble_channel", real)
    assert (await tick.run()).published == 1  # the same slot, served late but served
    assert await state() == (0, None)
    rows = await parts.fetch("SELECT channel_id, period_key FROM publishing_publications")
    assert [(r["channel_id"], r["period_key"]) for r in rows] == [(channel.id, period_key(due))]
