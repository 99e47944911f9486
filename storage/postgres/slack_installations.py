"""Slack OAuth installations in PostgreSQL: slack_sdk's AsyncInstallationStore for Bolt.

Each installation is kept whole (its attribute dict as JSONB), so fields slack_sdk adds
later round-trip without a migration. Bot tokens are stored as Slack hands them over;
protect the database as you would the tokens themselves."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from storage.postgres.queries import default_queries

_Q = default_queries()
log = logging.getLogger(__name__)


def _keys(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
) -> tuple[str, str]:
    # An org-wide install serves every workspace of the org: it is keyed by org alone.
    return enterprise_id or "", "" if is_enterprise_install else (team_id or "")


class PgSlackInstallationStore(AsyncInstallationStore):
    """Installations and bots per (client id, org, workspace[, installer])."""

    def __init__(self, pool: asyncpg.Pool, client_id: str) -> None:
        self._pool = pool
        self._client_id = client_id

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        org, team = _keys(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        data: dict[str, Any] = dict(installation.__dict__)
        await self._pool.execute(
            _Q.save_slack_installation,
            self._client_id,
            org,
            team,
            installation.user_id or "",
            bool(installation.is_enterprise_install),
            data,
        )
        await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        if not bot.bot_token:
            return  # a user-token-only install has no bot to remember
        org, team = _keys(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        await self._pool.execute(
            _Q.save_slack_bot,
            self._client_id,
            org,
            team,
            bool(bot.is_enterprise_install),
            dict(bot.__dict__),
        )

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        org, team = _keys(enterprise_id, team_id, is_enterprise_install)
        data = await self._pool.fetchval(_Q.find_slack_bot, self._client_id, org, team)
        return Bot(**data) if data else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        org, team = _keys(enterprise_id, team_id, is_enterprise_install)
        data = await self._pool.fetchval(
            _Q.find_slack_installation, self._client_id, org, team, user_id
        )
        return Installation(**data) if data else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        org, team = _keys(enterprise_id, team_id, False)
        await self._pool.execute(_Q.delete_slack_bot, self._client_id, org, team)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        org, team = _keys(enterprise_id, team_id, False)
        await self._pool.execute(_Q.delete_slack_installation, self._client_id, org, team, user_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)
