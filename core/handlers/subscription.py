"""Subscribing, unsubscribing and when digests arrive."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from core import commands as c
from core.actor import Actor
from core.context import Context
from core.models import (
    DispatchType,
    Frequency,
    FrequencySettings,
    Subscriber,
    SubscriberStatus,
)
from core.reply import Reply
from core.schedule import describe, next_due

PLATFORM_DISPATCH = {
    "console": DispatchType.CONSOLE,
    "slack": DispatchType.SLACK,
    "discord": DispatchType.DISCORD,
    "web": DispatchType.EMAIL,
}


def reschedule(subscriber: Subscriber, now: datetime) -> Subscriber:
    subscriber.next_due_at = next_due(subscriber.frequency_settings, now)
    return subscriber


def with_schedule(
    settings: FrequencySettings,
    *,
    frequency: Frequency | None = None,
    time_of_day: str | None = None,
    timezone: str | None = None,
    days: tuple | None = None,
    today: datetime | None = None,
) -> FrequencySettings:
    update: dict = {}
    if frequency is not None:
        update["type"] = frequency
        if frequency is Frequency.BIWEEKLY and today is not None:
            update["anchor_date"] = today.date()
    if time_of_day is not None:
        update["time_of_day"] = time_of_day
    if timezone is not None:
        update["timezone"] = timezone
    if days is not None:
        update["preferred_days"] = list(days)
    return FrequencySettings.model_validate({**settings.model_dump(), **update})


def schedule_line(subscriber: Subscriber) -> str:
    settings = subscriber.frequency_settings
    line = describe(settings)
    if subscriber.next_due_at and subscriber.status is SubscriberStatus.ACTIVE:
        local = subscriber.next_due_at.astimezone(ZoneInfo(settings.timezone))
        line += f"; next digest {local:%a %d %b %Y %H:%M} {settings.timezone}"
    return line


async def subscribe(ctx: Context, actor: Actor, cmd: c.Subscribe) -> Reply:
    now = ctx.clock.now()
    existing = await ctx.subscribers.find_by_identity(actor.platform, actor.user_id)
    subscriber = existing or Subscriber(
        name=actor.display_name,
        platform=actor.platform,
        platform_user_id=actor.user_id,
        slack_team_id=actor.team_id,
        email=actor.email,
        dispatch_type=PLATFORM_DISPATCH.get(actor.platform, DispatchType.CONSOLE),
    )
    timezone = cmd.timezone
    if existing is None and timezone is None and actor.default_timezone:
        timezone = actor.default_timezone
    subscriber.frequency_settings = with_schedule(
        subscriber.frequency_settings,
        frequency=cmd.frequency,
        time_of_day=cmd.time_of_day,
        timezone=timezone,
        days=cmd.days,
        today=now,
    )
    subscriber.frequency = subscriber.frequency_settings.type
    if cmd.via == "email":
        if not subscriber.email:
            return Reply.error(
                "I have no email address for you yet.",
                "/digest email you@example.com, then /subscribe via email",
            )
        subscriber.dispatch_type = DispatchType.EMAIL
    elif cmd.via == "channel":
        return Reply.error(
            "channel digests are set up inside the channel by an admin.",
            "/digest channel subscribe weekly on mon at 09:00",
        )
    elif cmd.via == "dm":
        subscriber.dispatch_type = PLATFORM_DISPATCH.get(actor.platform, DispatchType.CONSOLE)
    was_active = existing is not None and existing.status is SubscriberStatus.ACTIVE
    subscriber.status = SubscriberStatus.ACTIVE
    subscriber.paused_until = None
    saved = await ctx.subscribers.save(reschedule(subscriber, now))
    verb = "Updated your subscription" if was_active else "Subscribed"
    text = f"✅ {verb}: {schedule_line(saved)}."
    if not saved.ai_metadata.prompts:
        text += '\nTell me what to look for: /digest prompt add "Find latest research on NLP"'
    return Reply(text=text)


async def unsubscribe(ctx: Context, actor: Actor, _: c.Unsubscribe) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.next_due_at = None
    await ctx.subscribers.save(subscriber)
    return Reply(
        text="👋 Unsubscribed. Your prompts and settings are kept; /subscribe brings you back."
    )


async def set_schedule(ctx: Context, actor: Actor, cmd: c.Command) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    now = ctx.clock.now()
    settings = subscriber.frequency_settings
    match cmd:
        case c.SetFrequency(frequency=f, days=d, time_of_day=t):
            settings = with_schedule(settings, frequency=f, days=d, time_of_day=t, today=now)
        case c.SetTime(time_of_day=t):
            settings = with_schedule(settings, time_of_day=t)
        case c.SetTimezone(timezone=z):
            settings = with_schedule(settings, timezone=z)
        case c.SetDays(days=d):
            settings = with_schedule(settings, days=d)
    subscriber.frequency_settings = settings
    subscriber.frequency = settings.type
    saved = await ctx.subscribers.save(reschedule(subscriber, now))
    return Reply(text=f"🗓️ Schedule: {schedule_line(saved)}.")


async def pause(ctx: Context, actor: Actor, cmd: c.Pause) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    now = ctx.clock.now()
    subscriber.status = SubscriberStatus.PAUSED
    subscriber.paused_until = None
    if cmd.until is not None:
        until = datetime.combine(cmd.until, time(0), tzinfo=now.tzinfo)
        if until <= now:
            return Reply.error(f"{cmd.until} is in the past.", "/digest pause [until YYYY-MM-DD]")
        subscriber.paused_until = until
    await ctx.subscribers.save(subscriber)
    when = f" until {cmd.until}" if cmd.until else " until you /digest resume"
    return Reply(text=f"⏸️ Paused{when}.")


async def resume(ctx: Context, actor: Actor, _: c.Resume) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    subscriber.status = SubscriberStatus.ACTIVE
    subscriber.paused_until = None
    saved = await ctx.subscribers.save(reschedule(subscriber, ctx.clock.now()))
    return Reply(text=f"▶️ Resumed: {schedule_line(saved)}.")


async def set_email(ctx: Context, actor: Actor, cmd: c.SetEmail) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    if cmd.address is None and subscriber.dispatch_type is DispatchType.EMAIL:
        return Reply.error(
            "your digests go by email, so the address cannot be removed.",
            "/subscribe via dm, then /digest email off",
        )
    subscriber.email = cmd.address
    await ctx.subscribers.save(subscriber)
    if cmd.address is None:
        return Reply(text="📭 Email address removed; no email fallback.")
    return Reply(text=f"📧 Email set to {cmd.address}; it is used when a chat DM fails.")


async def set_empty(ctx: Context, actor: Actor, cmd: c.SetEmptyDigest) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    subscriber.ai_metadata.empty_digest = cmd.mode
    await ctx.subscribers.save(subscriber)
    if cmd.mode == "silent":
        return Reply(text="🤫 When nothing clears your bar, I'll send nothing.")
    return Reply(text="📝 When nothing clears your bar, I'll send a one-line note.")
