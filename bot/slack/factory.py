"""The Slack deliverer the settings call for: one token, many workspaces, or placeholder."""

from __future__ import annotations

import sys
from typing import TextIO

import asyncpg
from redis.asyncio import Redis
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.settings import Settings, is_configured
from bot.slack.app import slack_mode, web_client
from bot.slack.deliver import SlackDeliverer
from bot.slack.digest_post import SlackDigestDeliverer
from bot.slack.placeholder import PlaceholderSlackDeliverer
from bot.slack.workspaces import TeamOf, TeamRateLimiter, WorkspaceDeliverer, team_lookup
from core.ports import Deliverer, SubscriberRepository
from core.ratelimit import RateLimiter
from storage.postgres.channels import PgChannelRepository
from storage.postgres.slack_installations import PgSlackInstallationStore
from storage.redis.rate_limit import RedisRateLimiter


def make_slack_deliverer(
    settings: Settings,
    redis: Redis,
    out: TextIO,
    *,
    installations: AsyncInstallationStore | None = None,
    team_of: TeamOf | None = None,
    rate_limiter: RateLimiter | None = None,
) -> Deliverer:
    """Real delivery when a bot token (or OAuth installs) exist; the printing placeholder else.

    Every process shares the Redis token buckets, so N workers keep to one Slack limit."""
    limiter: RateLimiter = rate_limiter or RedisRateLimiter(redis)  # type: ignore[assignment]

    def make(team_id: str, token: str) -> Deliverer:
        client = web_client(settings, token)
        paced = TeamRateLimiter(limiter, team_id) if team_id else limiter
        return SlackDigestDeliverer(SlackDeliverer(client, paced), client, redis)

    mode = slack_mode(settings)
    if mode == "oauth" and installations is not None and team_of is not None:
        return WorkspaceDeliverer(installations, team_of, make)
    if is_configured(settings.slack_bot_token):
        return make("", settings.slack_bot_token.get_secret_value())
    return PlaceholderSlackDeliverer(out=out)


def enable_workspace_installs(
    deliverers: dict[str, Deliverer],
    settings: Settings,
    redis: Redis,
    pool: asyncpg.Pool,
    subscribers: SubscriberRepository,
) -> None:
    """With OAuth installs, deliver with the bot token of each recipient's workspace."""
    if slack_mode(settings) != "oauth":
        return
    deliverers["slack"] = make_slack_deliverer(
        settings,
        redis,
        sys.stdout,
        installations=PgSlackInstallationStore(pool, settings.slack_client_id),
        team_of=team_lookup(subscribers, PgChannelRepository(pool)),
    )
