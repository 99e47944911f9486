"""Start-up hooks for real SES: check the sender in the background and add SES figures to
`/digest admin stats`. core stays free of boto3: it only sees another AdminStore."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import datetime
from typing import Any

from bot.email.account import SesAccount
from bot.email.factory import make_sesv2_client
from bot.settings import Settings
from core.context import Context
from core.models import ContentItem, Subscriber
from core.ports import AdminStore

STATS_TITLE = "email sending"


class AdminStatsWithSes:
    """An AdminStore whose stats end with the SES account's figures."""

    def __init__(self, inner: AdminStore, account: SesAccount) -> None:
        self._inner = inner
        self._account = account

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def load_mock(
        self, subscribers: Sequence[Subscriber], items: Sequence[ContentItem]
    ) -> tuple[list[Subscriber], int]:
        return await self._inner.load_mock(subscribers, items)

    async def stats(self, now: datetime) -> dict[str, Any]:
        figures = await self._inner.stats(now)
        figures[STATS_TITLE] = await self._account.figures()
        return figures


def ses_account(settings: Settings) -> SesAccount | None:
    """The account behind SES_SENDER_EMAIL, or None in placeholder mode."""
    if not settings.ses_configured:
        return None
    credentials: dict[str, Any] = {
        "region": settings.aws_region,
        "access_key_id": settings.aws_access_key_id,
        "secret_access_key": settings.aws_secret_access_key,
        "endpoint_url": settings.aws_endpoint_url or None,
    }
    return SesAccount(
        make_sesv2_client(**credentials),
        make_sesv2_client(**credentials, service="ses"),
        settings.ses_sender_email,
        settings.aws_region,
    )


def enable_ses(settings: Settings, ctx: Context, stack: AsyncExitStack) -> SesAccount | None:
    """When SES is configured: verify the sender without delaying start-up, and wrap
    ctx.admin so admin stats include SES. Must run inside the event loop."""
    account = ses_account(settings)
    if account is None:
        return None
    ctx.admin = AdminStatsWithSes(ctx.admin, account)
    task = asyncio.get_running_loop().create_task(account.check_sender(), name="ses-verify-sender")
    stack.callback(task.cancel)  # the stack also keeps the task referenced until then
    return account
