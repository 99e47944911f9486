"""/subscribe, /digest and /unsubscribe: ack at once, then run the command and respond."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.answer import answer
from bot.slack.home import publish_home
from bot.slack.people import actor_for
from bot.slack.services import SlackServices
from bot.slack.setup_modal import setup_view
from core import commands as c
from core import flow
from core.actor import Actor
from core.parser import parse
from core.reply import Reply

log = logging.getLogger(__name__)
COMMANDS = ("/subscribe", "/digest", "/unsubscribe")
# Commands that only look: no Home refresh after them.
READ_ONLY = (
    c.Help, c.ShowSettings, c.ShowStatus, c.Preview, c.History, c.PromptList, c.Why,
    c.ParseError, c.AdminStats,
)  # fmt: skip
CHANNEL_ONLY = (c.ChannelSubscribe, c.ChannelUnsubscribe)
NOT_IN_CHANNEL = Reply.error(
    "run this inside the channel that should get the team digest (not in a DM).",
    "/digest channel subscribe weekly on mon at 09:00",
)


async def open_setup(
    client: AsyncWebClient,
    services: SlackServices,
    actor: Actor,
    trigger_id: str | None,
    response_url: str | None,
    question: Reply | None = None,
) -> None:
    """Start the guided set-up: a modal, or the same questions as buttons when it can't open.

    `question`: the set-up's first question when core already started it."""
    if question is None:
        question = await flow.start(services.ctx, actor)  # the state lives in the session
    view = setup_view(actor.default_timezone, {"response_url": response_url})
    try:
        if not trigger_id:
            raise ValueError("no trigger_id")
        await client.views_open(trigger_id=trigger_id, view=view)
    except (SlackApiError, aiohttp.ClientError, TimeoutError, ValueError) as error:
        # A trigger lives 3 s; past that the message flow still works everywhere.
        log.info("views.open failed (%s); asking in messages instead", error)
        await answer(client, question, actor.user_id, response_url)


def command_line(body: dict[str, Any]) -> str:
    return f"{body.get('command', '/digest')} {body.get('text', '')}".strip()


def register(app: AsyncApp, services: SlackServices) -> None:
    async def on_command(
        ack: Callable[..., Awaitable[None]], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()  # within Slack's 3 s, before anything slow; the reply follows
        services.spawn(run_command(client, services, body))

    for name in COMMANDS:
        app.command(name)(on_command)


async def run_command(
    client: AsyncWebClient, services: SlackServices, body: dict[str, Any]
) -> None:
    """The work behind one slash command, answered through its response_url."""
    actor = await actor_for(client, services, body)
    command = parse(command_line(body))
    response_url = body.get("response_url")
    if isinstance(command, CHANNEL_ONLY) and actor.channel_id is None:
        await answer(client, NOT_IN_CHANNEL, actor.user_id, response_url)
        return
    reply = await services.service.execute(actor, command)
    if (
        isinstance(command, c.Subscribe)
        and command.is_bare
        and await _setup_started(services, actor)
    ):
        trigger_id = body.get("trigger_id")
        await open_setup(client, services, actor, trigger_id, response_url, reply)
        return
    if isinstance(command, c.ChannelSubscribe) and not reply.is_error:
        reply = await _join(client, actor, reply)
    await answer(client, reply, actor.user_id, response_url)
    if not reply.is_error and not isinstance(command, READ_ONLY):
        await publish_home(client, services, actor)


async def _setup_started(services: SlackServices, actor: Actor) -> bool:
    """Core answered a bare /subscribe by starting the guided set-up (not a re-subscribe)."""
    state = await services.ctx.sessions.get(actor.platform, actor.user_id)
    return bool(state) and state.get("flow") == "subscribe" and not state.get("answers")


async def _join(client: AsyncWebClient, actor: Actor, reply: Reply) -> Reply:
    """Join the channel so digests can be posted there; say so when Slack won't let us."""
    try:
        await client.conversations_join(channel=actor.channel_id or "")
        return reply
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        log.info("conversations.join %s failed: %s", actor.channel_id, error)
        note = "\n(I could not join this channel myself: invite me with /invite @digestbot.)"
        return reply.model_copy(update={"text": reply.text + note})
