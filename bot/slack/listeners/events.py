"""Events: the Home tab is drawn when opened; DMs to the bot answer set-up questions."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.answer import answer
from bot.slack.home import publish_home
from bot.slack.people import actor_for
from bot.slack.services import SlackServices

Body = dict[str, Any]
COMMAND_WORDS = ("digest", "subscribe", "unsubscribe")


async def home_opened(client: AsyncWebClient, services: SlackServices, body: Body) -> None:
    if (body.get("event") or {}).get("tab", "home") == "home":
        await publish_home(client, services, await actor_for(client, services, body))


async def direct_message(client: AsyncWebClient, services: SlackServices, body: Body) -> None:
    """A DM to the bot: a set-up answer, or a command typed without its slash."""
    event = body.get("event") or {}
    # Only people writing to the bot directly; edits, joins and bots are not questions.
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    text = str(event.get("text") or "").strip()
    if not text:
        return
    if text.split()[0].lower() in COMMAND_WORDS:
        text = "/" + text  # "digest settings" typed without the slash
    actor = await actor_for(client, services, body)
    reply = await services.service.handle(actor, text)
    await answer(client, reply, actor.user_id, None)
    if not reply.is_error:
        await publish_home(client, services, actor)


def register(app: AsyncApp, services: SlackServices) -> None:
    # Events are acknowledged by Bolt before the listener runs; the work is tracked.
    @app.event("app_home_opened")
    async def on_home(body: Body, client: AsyncWebClient) -> None:
        services.spawn(home_opened(client, services, body))

    @app.event("message")
    async def on_message(body: Body, client: AsyncWebClient) -> None:
        services.spawn(direct_message(client, services, body))
