"""Team digests: an admin subscribes the channel they are in (the service checks admin)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core import commands as c
from core.actor import Actor
from core.context import Context
from core.handlers.subscription import with_schedule
from core.models import AIMetadata, Channel, RefinedRequests, SubscriberStatus
from core.ports import ChannelRepository
from core.reply import Reply
from core.schedule import describe, next_due
from core.topics import topics_in
from core.usage import usage_for

CHANNEL_PLATFORMS = ("slack", "discord")


def _repository(ctx: Context, actor: Actor) -> ChannelRepository | Reply:
    if ctx.channels is None or actor.platform not in CHANNEL_PLATFORMS:
        return Reply.error(f"team digests are not available on {actor.platform}.")
    if not actor.channel_id:
        return Reply.error(
            "run this inside the channel that should get the team digest.", usage_for("channel")
        )
    return ctx.channels


def _new_channel(actor: Actor) -> Channel:
    assert actor.channel_id is not None
    return Channel(
        platform=actor.platform,
        platform_channel_id=actor.channel_id,
        team_id=actor.team_id,
        name=actor.channel_name or actor.channel_id,
        created_by=actor.user_id,
        # A team channel should not get "nothing cleared the bar" notes.
        ai_metadata=AIMetadata(empty_digest="silent"),
    )


def _summary(channel: Channel) -> str:
    settings = channel.frequency_settings
    line = describe(settings)
    if channel.next_due_at is not None:
        local = channel.next_due_at.astimezone(ZoneInfo(settings.timezone))
        line += f"; next digest {local:%a %d %b %Y %H:%M} {settings.timezone}"
    topics = channel.ai_metadata.refined_requests.topics
    return line + (f"; topics: {', '.join(topics)}" if topics else "")


def _topics(phrases: tuple[str, ...], channel: Channel) -> RefinedRequests:
    """A named topic maps to its canonical name ("nlp" → natural language processing, kept
    as a keyword too); a phrase outside the vocabulary stays a topic as typed."""
    topics: list[str] = []
    keywords: list[str] = []
    for phrase in phrases:
        canonical = topics_in(phrase)
        topics += canonical or [phrase]
        if canonical and phrase.lower() not in canonical:
            keywords.append(phrase.lower())
    wants = channel.ai_metadata.refined_requests
    return wants.model_copy(
        update={"topics": list(dict.fromkeys(topics)), "keywords": list(dict.fromkeys(keywords))}
    )


async def channel_subscribe(ctx: Context, actor: Actor, cmd: c.ChannelSubscribe) -> Reply:
    repo = _repository(ctx, actor)
    if isinstance(repo, Reply):
        return repo
    assert actor.channel_id is not None
    now = ctx.clock.now()
    existing = await repo.find(actor.platform, actor.channel_id)
    channel = existing or _new_channel(actor)
    timezone = cmd.timezone or (actor.default_timezone if existing is None else None)
    channel.frequency_settings = with_schedule(
        channel.frequency_settings,
        frequency=cmd.frequency,
        time_of_day=cmd.time_of_day,
        timezone=timezone,
        days=cmd.days,
        today=now,
    )
    channel.frequency = channel.frequency_settings.type
    if cmd.topics:
        channel.ai_metadata.refined_requests = _topics(cmd.topics, channel)
    if actor.channel_name:
        channel.name = actor.channel_name
    channel.status = SubscriberStatus.ACTIVE
    channel.next_due_at = next_due(channel.frequency_settings, now)
    saved = await repo.save(channel)
    verb = "Updated the team digest" if existing is not None else "Team digest set up"
    return Reply(text=f"✅ {verb} for {saved.name}: {_summary(saved)}.")


async def channel_unsubscribe(ctx: Context, actor: Actor, _: c.ChannelUnsubscribe) -> Reply:
    repo = _repository(ctx, actor)
    if isinstance(repo, Reply):
        return repo
    assert actor.channel_id is not None
    channel = await repo.find(actor.platform, actor.channel_id)
    if channel is None or channel.status is SubscriberStatus.UNSUBSCRIBED:
        return Reply.error("this channel has no team digest.", usage_for("channel"))
    channel.status = SubscriberStatus.UNSUBSCRIBED
    channel.next_due_at = None
    await repo.save(channel)
    return Reply(text=f"👋 Team digests for {channel.name} stopped; history is kept.")
