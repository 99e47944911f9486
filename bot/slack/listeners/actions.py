"""Button presses: 👍/👎 feedback, set-up choices, Home and digest-footer buttons."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.answer import answer
from bot.slack.feedback import KINDS, parse_value, tally, updated_blocks
from bot.slack.home import publish_home
from bot.slack.listeners.commands import open_setup
from bot.slack.people import actor_for, who
from bot.slack.render_reply import base_action_id
from bot.slack.services import SlackServices
from core import commands as c
from core.reply import Reply

log = logging.getLogger(__name__)
Ack = Callable[..., Awaitable[None]]
Body = dict[str, Any]
EXPIRED = Reply.error("that set-up expired, so nothing was saved. Run /subscribe to start again.")
FOOTER_COMMANDS: dict[str, c.Command] = {
    "digest_settings": c.ShowSettings(),
    "digest_unsubscribe": c.Unsubscribe(),
}


def _channel_of(body: Body) -> str | None:
    container = body.get("container") or {}
    return container.get("channel_id") or (body.get("channel") or {}).get("id")


async def feedback(client: AsyncWebClient, services: SlackServices, body: Body) -> None:
    """Count a 👍/👎 once per person and item, then show it on the message in place."""
    action = body["actions"][0]
    value, action_id = str(action.get("value", "")), action["action_id"]
    ids = parse_value(value)
    if ids is None:
        log.warning("ignoring a feedback button with value %r", value)
        return
    user_id, kind = who(body).user_id, KINDS[action_id]
    await services.engagement.record(kind, ids[0], ids[1], f"slack:{user_id}")
    counts = await tally(services.redis, ids[0], ids[1], user_id, kind)
    message, channel = body.get("message") or {}, _channel_of(body)
    shared = not str(channel).startswith("D")  # a channel shows everyone's votes
    blocks = updated_blocks(message.get("blocks") or [], value, action_id, counts, shared)
    if blocks is None or not channel or not message.get("ts"):
        return
    try:
        await client.chat_update(
            channel=channel, ts=message["ts"], blocks=blocks, text=message.get("text", "")
        )
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        log.info("chat.update after feedback failed: %s", error)


async def choice(client: AsyncWebClient, services: SlackServices, body: Body) -> None:
    """A set-up answer button, or "send a digest now"."""
    actor = await actor_for(client, services, body)
    action = body["actions"][0]
    if base_action_id(action["action_id"]) == "digest_now":
        reply = await services.service.execute(actor, c.SendNow())
    elif await services.ctx.sessions.get("slack", actor.user_id) is None:
        reply = EXPIRED
    else:  # the next answer of the message-based set-up
        reply = await services.service.handle(actor, str(action.get("value", "")))
    await answer(client, reply, actor.user_id, body.get("response_url"))
    if not reply.is_error:
        await publish_home(client, services, actor)


async def footer(client: AsyncWebClient, services: SlackServices, body: Body) -> None:
    """A digest's ⚙️ Settings or Unsubscribe button."""
    actor = await actor_for(client, services, body)
    action_id = body["actions"][0]["action_id"]
    reply = await services.service.execute(actor, FOOTER_COMMANDS[action_id])
    await answer(client, reply, actor.user_id, body.get("response_url"))
    if action_id == "digest_unsubscribe" and not reply.is_error:
        await publish_home(client, services, actor)


async def set_up(client: AsyncWebClient, services: SlackServices, body: Body) -> None:
    actor = await actor_for(client, services, body)
    trigger_id, response_url = body.get("trigger_id"), body.get("response_url")
    await open_setup(client, services, actor, trigger_id, response_url)


WORK: dict[str, Any] = {
    r"^feedback_(like|dislike)$": feedback,
    r"^(setup_\w+|digest_now)(#\d+)?$": choice,
    r"^home_subscribe(#\d+)?$": set_up,
    r"^digest_(settings|unsubscribe)$": footer,
}


Work = Callable[[AsyncWebClient, SlackServices, Body], Awaitable[None]]


def _listener(services: SlackServices, work: Work) -> Callable[..., Awaitable[None]]:
    async def on_action(ack: Ack, body: Body, client: AsyncWebClient) -> None:
        await ack()  # at once; the work runs after, and tests/shutdown can wait for it
        services.spawn(work(client, services, body))

    return on_action


def register(app: AsyncApp, services: SlackServices) -> None:
    for pattern, work in WORK.items():
        app.action(re.compile(pattern))(_listener(services, work))
