"""Send a core Reply back to whoever asked: through response_url, or as a DM."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.slack.render_reply import reply_message
from core.reply import Reply

log = logging.getLogger(__name__)


async def answer(
    client: AsyncWebClient, reply: Reply, user_id: str, response_url: str | None
) -> None:
    """Ephemeral through response_url when there is one; a DM otherwise (Home, modals)."""
    message: dict[str, Any] = reply_message(reply)
    try:
        if response_url:
            kind = "ephemeral" if reply.ephemeral else "in_channel"
            webhook = AsyncWebhookClient(response_url, timeout=10)
            sent = await webhook.send(**message, response_type=kind, replace_original=False)
            if sent.status_code < 300:
                return
            log.warning("response_url answered %s; sending a DM instead", sent.status_code)
        await client.chat_postMessage(channel=user_id, **message, unfurl_links=False)
    except (SlackApiError, aiohttp.ClientError, TimeoutError) as error:
        # Nothing else can reach the user; the work itself is already done and saved.
        log.warning("could not answer %s: %s", user_id, error)
