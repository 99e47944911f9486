"""The set-up modal: a submission creates the profile; closing it forgets the set-up."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.answer import answer
from bot.slack.home import publish_home
from bot.slack.people import actor_for, who
from bot.slack.services import SlackServices
from bot.slack.setup_modal import CALLBACK_ID, answers_from, expired_view
from core import flow
from core.reply import Reply

log = logging.getLogger(__name__)
Ack = Callable[..., Awaitable[None]]


def _response_url(view: dict[str, Any]) -> str | None:
    try:
        return json.loads(view.get("private_metadata") or "{}").get("response_url")
    except (ValueError, AttributeError):
        return None


async def complete(
    client: AsyncWebClient, services: SlackServices, body: dict[str, Any], answers: dict[str, Any]
) -> None:
    """Create the profile from the modal's answers, tell the member, refresh their Home."""
    actor = await actor_for(client, services, body)
    try:
        reply = await flow.complete(services.ctx, actor, answers)
    except ValueError as error:  # core's own validation, e.g. a prompt it refuses
        reply = Reply.error(str(error), "/digest settings shows what was saved")
    except Exception as error:  # never fail silently: the member must hear back
        log.exception("set-up completion failed")
        reply = Reply.error(
            f"something went wrong on my side ({type(error).__name__}). "
            "Check /digest settings, and run /subscribe again in a minute."
        )
    await answer(client, reply, actor.user_id, _response_url(body.get("view") or {}))
    if not reply.is_error:
        await publish_home(client, services, actor)


def register(app: AsyncApp, services: SlackServices) -> None:
    sessions = services.ctx.sessions

    @app.view(CALLBACK_ID)
    async def on_submit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        user_id = who(body).user_id
        state = await sessions.get("slack", user_id)
        if not state or state.get("flow") != "subscribe":
            await ack(response_action="update", view=expired_view())
            return
        answers, errors = answers_from(view)
        if errors:  # shown under the fields; the modal stays open with the choices
            await ack(response_action="errors", errors=errors)
            return
        await ack()  # closes the modal; the profile is written after, within no deadline
        await sessions.delete("slack", user_id)
        services.spawn(complete(client, services, body, answers))

    @app.view_closed(CALLBACK_ID)
    async def on_close(ack: Ack, body: dict[str, Any]) -> None:
        await ack()
        await sessions.delete("slack", who(body).user_id)  # cancelled: nothing was saved
