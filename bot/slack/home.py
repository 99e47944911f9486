"""The App Home tab: a member's settings, next digest, prompts, topics and last digests."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.render_reply import mrkdwn, reply_blocks
from bot.slack.services import SlackServices
from core import commands as c
from core.actor import Actor
from core.reply import Action, Reply

log = logging.getLogger(__name__)
HOME_MAX_BLOCKS = 100
HISTORY_SHOWN = 5
SET_UP = "home_subscribe"  # opens the set-up modal
WELCOME = (
    "👋 I send you a personalised research digest, here in Slack.\n"
    "Pick how often and what to look for, and I do the rest. "
    "Type `/digest` anywhere for every command."
)


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


async def home_view(services: SlackServices, actor: Actor) -> dict[str, Any]:
    """The Home view for one member, built from the same answers the commands give."""
    service = services.service
    subscriber = await services.ctx.subscribers.find_by_identity("slack", actor.user_id)
    buttons = [Action(action_id=SET_UP, label="🧭 Set up my digest", value="setup")]
    if subscriber is None or subscriber.status.value == "unsubscribed":
        welcome = Reply(text=WELCOME, actions=buttons)
        return {"type": "home", "blocks": [_header("📰 Research digest"), *reply_blocks(welcome)]}
    settings = await service.execute(actor, c.ShowSettings())
    status = await service.execute(actor, c.ShowStatus())
    history = await service.execute(actor, c.History(limit=HISTORY_SHOWN))
    controls = Reply(
        text="Change anything with `/digest` (e.g. `/digest time 07:30`), or:",
        actions=[
            Action(action_id=SET_UP, label="🧭 Redo set-up", value="setup"),
            Action(action_id="digest_now", label="📬 Send a digest now", value="now"),
        ],
    )
    blocks: list[dict[str, Any]] = [_header("📰 Your research digest")]
    for reply in (status, settings, history, controls):
        blocks += [*reply_blocks(reply, max_blocks=30), {"type": "divider"}]
    if len(blocks) > HOME_MAX_BLOCKS:
        blocks = [*blocks[: HOME_MAX_BLOCKS - 1], mrkdwn("…")]
    return {"type": "home", "blocks": blocks}


async def publish_home(client: AsyncWebClient, services: SlackServices, actor: Actor) -> bool:
    """views.publish the member's Home tab; False (logged) when Slack refused it."""
    try:
        view = await home_view(services, actor)
        await client.views_publish(user_id=actor.user_id, view=view)
        return True
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        log.warning("views.publish failed for %s: %s", actor.user_id, error)
        return False
