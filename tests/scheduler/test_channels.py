"""Team digests: set up by an admin inside a channel, claimed by the tick like subscribers,
posted to the channel on its own platform, never repeating an item."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg

from bot.runtime import Runtime
from core.actor import Actor
from core.models import AIMetadata, Channel, Frequency, FrequencySettings, SubscriberStatus
from core.schedule import next_due, period_key
from tests.scheduler.conftest import Parts

ADMIN = Actor(
    platform="slack",
    user_id="UADMIN",
    display_name="Ada",
    is_admin=True,
    team_id="T1",
    channel_id="C0RESEARCH",
    channel_name="#research",
)


async def test_an_admin_subscribes_and_unsubscribes_the_channel_they_are_in(
    runtime: Runtime,
) -> None:
    service = runtime.service

    reply = await service.handle(
        ADMIN, "/digest channel subscribe daily at 09:00 tz Europe/London topics nlp,robotics"
    )

    assert not reply.is_error, reply.text
    assert "#research" in reply.text and "09:00" in reply.text
    channel = await runtime.channels.find("slack", "C0RESEARCH")
    assert channel is not None and channel.status is SubscriberStatus.ACTIVE
    assert channel.frequency is Frequency.DAILY and channel.created_by == "UADMIN"
    assert channel.frequency_settings.timezone == "Europe/London"
    wants = channel.ai_metadata.refined_requests
    assert wants.topics == ["natural language processing", "robotics"]  # "nlp" is named
    assert wants.keywords == ["nlp"]
    assert channel.next_due_at is not None

    reply = await service.handle(ADMIN, "/digest channel unsubscribe")
    assert not reply.is_error and "stopped" in reply.text
    channel = await runtime.channels.find("slack", "C0RESEARCH")
    assert channel is not None and channel.status is SubscriberStatus.UNSUBSCRIBED
    assert channel.next_due_at is None
    again = await service.handle(ADMIN, "/digest channel unsubscribe")
    assert again.is_error and "no team digest" in again.text


async def test_channel_commands_need_an_admin_inside_a_channel(runtime: Runtime) -> None:
    member = Actor(**{**ADMIN.__dict__, "is_admin": False})
    outside = Actor(**{**ADMIN.__dict__, "channel_id": None})
    console = Actor(platform="console", user_id="me", display_name="Me", is_admin=True)

    for actor, expected in (
        (member, "only admins"),
        (outside, "inside the channel"),
        (console, "not available on console"),
    ):
        reply = await runtime.service.handle(actor, "/digest channel subscribe weekly")
        assert reply.is_error and expected in reply.text, reply.text
    assert await runtime.channels.find("slack", "C0RESEARCH") is None


async def _channel(parts: Parts, platform: str, channel_id: str) -> Channel:
    return await parts.channels.save(
        Channel(
            platform=platform,
            platform_channel_id=channel_id,
            name=f"#{channel_id}",
            created_by="UADMIN",
            frequency=Frequency.DAILY,
            frequency_settings=FrequencySettings(type=Frequency.DAILY, time_of_day="07:00"),
            ai_metadata=AIMetadata(empty_digest="silent"),
            next_due_at=parts.clock.now(),
        )
    )


async def test_the_tick_publishes_due_channels_to_their_platform_once(parts: Parts) -> None:
    await parts.add_content(30)
    slack = await _channel(parts, "slack", "C0SLACK")
    discord = await _channel(parts, "discord", "4242")

    results = await asyncio.gather(parts.tick("a").run(), parts.tick("b").run())

    assert sum(r.published for r in results) == 2
    assert sum(r.already_served for r in results) == 0
    rows = await parts.fetch(
        "SELECT o.destination, o.address, o.idempotency_key, p.channel_id, p.period_key"
        " FROM delivery_outbox o JOIN publishing_publications p ON p.id = o.publication_id"
        " ORDER BY p.channel_id"
    )
    key = period_key(parts.clock.now())
    assert [tuple(r) for r in rows] == [
        ("slack", "C0SLACK", f"chan:{slack.id}:{key}:slack", slack.id, key),
        ("discord", "channel:4242", f"chan:{discord.id}:{key}:discord", discord.id, key),
    ]
    stored = await parts.channels.get(slack.id or 0)
    assert stored is not None
    assert stored.next_due_at == next_due(slack.frequency_settings, parts.clock.now())
    assert (await parts.tick().run()).claimed == 0


async def test_a_channel_never_gets_the_same_item_twice(parts: Parts) -> None:
    await parts.add_content(30)
    channel = await _channel(parts, "slack", "C0SLACK")
    await parts.tick().run()
    parts.clock.advance(days=1)
    await parts.add_content(30, seed=2)
    await parts.tick().run()

    rows = await parts.fetch(
        "SELECT publication_id, fingerprint FROM publishing_publication_items"
        " WHERE channel_id = $1",
        channel.id,
    )
    by_publication: dict[int, set[str]] = {}
    for row in rows:
        by_publication.setdefault(row["publication_id"], set()).add(row["fingerprint"])
    first, second = by_publication.values()
    assert first and second and not first & second


async def test_a_paused_or_unsubscribed_channel_is_not_claimed(parts: Parts) -> None:
    channel = await _channel(parts, "slack", "C0SLACK")
    channel.status = SubscriberStatus.UNSUBSCRIBED
    await parts.channels.save(channel)
    parts.clock.advance(minutes=5)

    assert (await parts.tick().run()).claimed == 0


async def test_closing_the_runtime_hands_back_this_workers_claims(
    runtime: Runtime, pg_url: str
) -> None:
    """`digestbot worker` stopping on Ctrl-C or SIGTERM closes its runtime."""
    reply = await runtime.service.handle(ADMIN, "/digest channel subscribe daily at 09:00")
    assert not reply.is_error, reply.text
    scheduling = runtime.tick.scheduling
    later = datetime.now(UTC) + timedelta(days=2)  # every slot due by then
    [claimed] = await scheduling.claim_due_channels(runtime.worker_id, later, 10, 300)

    await runtime.close()

    conn = await asyncpg.connect(pg_url)
    try:
        holder = await conn.fetchval(
            "SELECT claimed_by FROM publishing_channels WHERE id = $1", claimed.id
        )
    finally:
        await conn.close()
    assert holder is None
