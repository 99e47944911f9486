"""What the Discord client, its cogs and its components need, passed in once by the wiring."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from bot.settings import Settings
from core.context import Context
from core.service import CommandService
from storage.redis.engagement import EngagementCounters


@dataclass
class DiscordDeps:
    service: CommandService
    engagement: EngagementCounters
    redis: Redis  # feedback tallies
    settings: Settings

    @property
    def ctx(self) -> Context:
        return self.service.ctx

    def is_admin(self, user_id: int | str) -> bool:
        """An admin from ADMIN_USER_IDS (`discord:<id>`)."""
        return self.settings.is_admin("discord", str(user_id))
