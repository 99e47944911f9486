"""The command service: parse what a user typed, run it, and always answer."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from core import commands as c
from core import flow
from core.actor import Actor
from core.context import Context, NotSubscribed
from core.handlers import admin, channels, digests, profile, sources, subscription
from core.models import SubscriberStatus
from core.parser import parse
from core.reply import Reply
from core.usage import help_lines

log = logging.getLogger(__name__)
Handler = Callable[[Context, Actor, Any], Awaitable[Reply]]

ROUTES: dict[type, Handler] = {
    c.Subscribe: subscription.subscribe,
    c.Unsubscribe: subscription.unsubscribe,
    c.SetFrequency: subscription.set_schedule,
    c.SetTime: subscription.set_schedule,
    c.SetTimezone: subscription.set_schedule,
    c.SetDays: subscription.set_schedule,
    c.Pause: subscription.pause,
    c.Resume: subscription.resume,
    c.SetEmail: subscription.set_email,
    c.SetEmptyDigest: subscription.set_empty,
    c.PromptAdd: profile.prompt_add,
    c.PromptList: profile.prompt_list,
    c.PromptRemove: profile.prompt_remove,
    c.Refine: profile.refine,
    c.SetThreshold: profile.set_threshold,
    c.SetStyle: profile.personalise,
    c.SetTone: profile.personalise,
    c.SetFormat: profile.personalise,
    c.Why: profile.why,
    c.SetAlerts: profile.alerts,
    c.SetQuietHours: profile.alerts,
    c.ShowSettings: digests.settings,
    c.ShowStatus: digests.status,
    c.Preview: digests.preview,
    c.SendNow: digests.send_now,
    c.History: digests.history,
    c.AdminSeed: admin.seed,
    c.AdminStats: admin.stats,
    c.AdminReconcile: admin.reconcile,
    c.SourceAdd: sources.add,
    c.SourceList: sources.list_sources,
    c.SourceRemove: sources.remove,
    c.ChannelSubscribe: channels.channel_subscribe,
    c.ChannelUnsubscribe: channels.channel_unsubscribe,
}
NOT_SUBSCRIBED = Reply.error(
    "you are not subscribed yet.", "/subscribe daily at 08:00 tz Europe/London (or just /subscribe)"
)


def _help(topic: str | None) -> Reply:
    lines = help_lines()
    if topic:
        lines = [line for line in lines if topic.lower() in line.lower()] or lines
    return Reply(text="📚 digestbot commands:\n" + "\n".join(lines))


class CommandService:
    def __init__(self, ctx: Context, routes: dict[type, Handler] | None = None) -> None:
        self.ctx = ctx
        self.routes = dict(ROUTES if routes is None else routes)

    def route(self, command_type: type, handler: Handler) -> None:
        """Let an adapter add commands that need its platform (channels, sources)."""
        self.routes[command_type] = handler

    async def handle(self, actor: Actor, text: str) -> Reply:
        """Answer one line: a slash command, or the next answer of a guided set-up."""
        if not text.strip().startswith("/"):
            running = await self._guarded(flow.answer(self.ctx, actor, text))
            return running or Reply(text="Commands start with a slash. Try /digest for help.")
        return await self.execute(actor, parse(text))

    async def execute(self, actor: Actor, command: c.Command | c.ParseError) -> Reply:
        if isinstance(command, c.ParseError):
            hint = f" Did you mean {', '.join(command.suggestions)}?" if command.suggestions else ""
            return Reply.error(command.message + hint, command.usage)
        if isinstance(command, c.Help):
            return _help(command.topic)
        if isinstance(command, c.ADMIN_COMMANDS) and not actor.is_admin:
            return Reply.error("only admins can do that.")
        if isinstance(command, c.Subscribe) and command.is_bare:
            return await self._guarded(self._bare_subscribe(actor, command))
        handler = self.routes.get(type(command))
        if handler is None:
            return Reply.error(f"'{type(command).__name__}' is not available on {actor.platform}.")
        return await self._guarded(handler(self.ctx, actor, command))

    async def _bare_subscribe(self, actor: Actor, command: c.Subscribe) -> Reply:
        # Someone who unsubscribed (say by an email link) or paused comes back with the
        # settings they kept; newcomers and active subscribers get the guided set-up.
        known = await self.ctx.subscribers.find_by_identity(actor.platform, actor.user_id)
        if known is not None and known.status is not SubscriberStatus.ACTIVE:
            return await self.routes[c.Subscribe](self.ctx, actor, command)
        return await flow.start(self.ctx, actor)

    async def _guarded(self, work: Awaitable[Reply | None]) -> Any:
        # A command must never crash the bot: every failure becomes a clear answer.
        try:
            return await work
        except NotSubscribed:
            return NOT_SUBSCRIBED
        except ValidationError as error:
            first = error.errors()[0]
            return Reply.error(f"{'.'.join(map(str, first['loc']))}: {first['msg']}")
        except ValueError as error:
            return Reply.error(str(error))
        except Exception as error:
            log.exception("command failed")
            return Reply.error(
                f"something went wrong on my side ({type(error).__name__}); "
                "nothing was changed. Please try again in a minute."
            )
