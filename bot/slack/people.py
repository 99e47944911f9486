"""Who is talking: a core Actor from a Slack payload plus the user's users.info profile."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.services import SlackServices
from core.actor import Actor
from storage.redis.client import REDIS_DOWN

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Who:
    user_id: str
    team_id: str | None
    channel_id: str | None
    channel_name: str | None
    name: str


def who(body: dict[str, Any]) -> Who:
    """The user, workspace and channel of a command, interaction or event payload."""
    user = body.get("user")
    event = body.get("event") or {}
    if isinstance(user, dict):  # interactions (block_actions, view_submission)
        user_id, name = str(user.get("id", "")), str(user.get("username") or user.get("name", ""))
        team = body.get("team") or {}
        team_id = team.get("id") if isinstance(team, dict) else None
        channel = body.get("channel") or {}
        channel_id, channel_name = channel.get("id"), channel.get("name")
        team_id = team_id or user.get("team_id")
    elif event:  # Events API
        user_id, name = str(event.get("user", "")), ""
        team_id, channel_id, channel_name = body.get("team_id"), event.get("channel"), None
    else:  # slash commands
        user_id, name = str(body.get("user_id", "")), str(body.get("user_name", ""))
        team_id, channel_id = body.get("team_id"), body.get("channel_id")
        channel_name = body.get("channel_name")
    if channel_id and (str(channel_id).startswith("D") or channel_name == "directmessage"):
        channel_id = channel_name = None  # a DM is not a channel a team digest can go to
    return Who(user_id, team_id, channel_id, channel_name, name or user_id)


async def profile(client: AsyncWebClient, services: SlackServices, who_: Who) -> dict[str, Any]:
    """users.info's user, cached in Redis briefly; {} when Slack cannot tell us."""
    key = f"slack:user:{who_.team_id or '-'}:{who_.user_id}"
    try:
        if cached := await services.redis.get(key):
            return dict(json.loads(cached))
    except REDIS_DOWN:  # ask Slack instead
        log.warning("slack user cache unavailable", exc_info=True)
    try:
        user = dict((await client.users_info(user=who_.user_id)).get("user") or {})
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        log.warning("users.info failed for %s: %s", who_.user_id, error)
        return {}
    keep = {k: user.get(k) for k in ("real_name", "name", "tz", "is_admin", "is_owner")}
    keep["email"] = (user.get("profile") or {}).get("email")
    keep["display_name"] = (user.get("profile") or {}).get("display_name")
    try:
        await services.redis.set(key, json.dumps(keep), ex=services.user_cache_seconds)
    except REDIS_DOWN:
        log.warning("slack user cache unavailable", exc_info=True)
    return keep


async def actor_for(client: AsyncWebClient, services: SlackServices, body: dict[str, Any]) -> Actor:
    """The Actor core sees: Slack ids, display name, admin rights and profile timezone."""
    w = who(body)
    user = await profile(client, services, w)
    admin = w.user_id in services.admin_user_ids or bool(
        user.get("is_admin") or user.get("is_owner")
    )
    name = user.get("display_name") or user.get("real_name") or user.get("name") or w.name
    return Actor(
        platform="slack",
        user_id=w.user_id,
        display_name=str(name),
        is_admin=admin,
        team_id=w.team_id,
        channel_id=w.channel_id,
        channel_name=w.channel_name,
        email=user.get("email") or None,
        default_timezone=user.get("tz") or None,
    )
