"""Deliver for many workspaces: pick the bot token of the recipient's workspace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from core.delivery import DeliveryOutcome, DeliveryResult, OutboundMessage
from core.ports import Deliverer, SubscriberRepository
from core.ratelimit import RateLimiter

TeamOf = Callable[[OutboundMessage], Awaitable[str | None]]
MakeDeliverer = Callable[[str, str], Deliverer]  # (team_id, bot token) -> deliverer


class ChannelLookup(Protocol):
    async def get(self, channel_id: int) -> Any: ...


def team_lookup(subscribers: SubscriberRepository, channels: ChannelLookup) -> TeamOf:
    """The Slack workspace of a message's subscriber or team channel."""

    async def team_of(message: OutboundMessage) -> str | None:
        if message.subscriber_id is not None:
            subscriber = await subscribers.get(message.subscriber_id)
            return subscriber.slack_team_id if subscriber else None
        if message.channel_id is not None:
            channel = await channels.get(message.channel_id)
            return getattr(channel, "team_id", None) if channel else None
        return None

    return team_of


class TeamRateLimiter:
    """Slack's limits are per workspace: each team gets its own buckets."""

    def __init__(self, inner: RateLimiter, team_id: str) -> None:
        self._inner = inner
        self._prefix = f"team:{team_id}:"

    async def wait(self, bucket: str, rate_per_second: float, burst: int) -> None:
        await self._inner.wait(self._prefix + bucket, rate_per_second, burst)

    async def block(self, bucket: str, seconds: float) -> None:
        await self._inner.block(self._prefix + bucket, seconds)


class WorkspaceDeliverer:
    """core's Deliverer for "slack" when the app is installed into many workspaces."""

    destination = "slack"

    def __init__(self, store: AsyncInstallationStore, team_of: TeamOf, make: MakeDeliverer) -> None:
        self._store = store
        self._team_of = team_of
        self._make = make
        self._deliverers: dict[tuple[str, str], Deliverer] = {}

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        team = await self._team_of(message)
        bot = await self._store.async_find_bot(enterprise_id=None, team_id=team) if team else None
        if bot is None or not bot.bot_token:
            # Transient, not permanent: a workspace being reinstalled must not get its
            # members suppressed; after the retries the email fallback still applies.
            detail = f"no Slack installation for workspace {team or '(unknown)'}"
            return DeliveryResult(outcome=DeliveryOutcome.TRANSIENT, detail=detail)
        key = (team or "", bot.bot_token)
        if key not in self._deliverers:
            self._deliverers[key] = self._make(team or "", bot.bot_token)
        return await self._deliverers[key].deliver(message)
