"""Choose, per destination, the real deliverer or the printing placeholder."""

from __future__ import annotations

from typing import TextIO

from redis.asyncio import Redis

from bot.email.factory import make_email_deliverer
from bot.limits import with_shared_limits
from bot.links import SignedLinks
from bot.settings import Settings
from core.delivery import OutboundMessage
from core.ports import Deliverer


def make_deliverers(
    settings: Settings, redis: Redis, out: TextIO, links: SignedLinks | None = None
) -> dict[str, Deliverer]:
    from bot.discord.placeholder import PlaceholderDiscordDeliverer
    from bot.slack.factory import make_slack_deliverer

    def unsubscribe_url(message: OutboundMessage) -> str | None:
        # The signed one-click link served by bot/http/unsubscribe.py.
        return links.unsubscribe_url_for_message(message) if links else None

    chosen: dict[str, Deliverer] = {
        "email": make_email_deliverer(
            region=settings.aws_region,
            access_key_id=settings.aws_access_key_id,
            secret_access_key=settings.aws_secret_access_key,
            sender=settings.ses_sender_email,
            endpoint_url=settings.aws_endpoint_url or None,
            unsubscribe_url_for=unsubscribe_url,
            out=out,
        ),
        # Block Kit shaping, threads for channels, shared Redis rate limits; or placeholder.
        "slack": make_slack_deliverer(settings, redis, out),
        "discord": PlaceholderDiscordDeliverer(out=out),
    }
    # Real Slack/Discord deliverers for configured tokens; shared Redis rate limits.
    return with_shared_limits(chosen, settings, redis)
