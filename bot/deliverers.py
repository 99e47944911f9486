"""Choose, per destination, the real deliverer or the printing placeholder."""

from __future__ import annotations

from typing import TextIO

from redis.asyncio import Redis

from bot.email.factory import make_email_deliverer
from bot.settings import Settings
from core.delivery import OutboundMessage
from core.ports import Deliverer


def make_deliverers(settings: Settings, redis: Redis, out: TextIO) -> dict[str, Deliverer]:
    from bot.discord.placeholder import PlaceholderDiscordDeliverer
    from bot.slack.placeholder import PlaceholderSlackDeliverer

    base = settings.public_base_url.rstrip("/")

    def unsubscribe_url(message: OutboundMessage) -> str | None:
        return f"{base}/unsubscribe/{message.idempotency_key}" if base else None

    return {
        "email": make_email_deliverer(
            region=settings.aws_region,
            access_key_id=settings.aws_access_key_id,
            secret_access_key=settings.aws_secret_access_key,
            sender=settings.ses_sender_email,
            endpoint_url=settings.aws_endpoint_url or None,
            unsubscribe_url_for=unsubscribe_url,
            out=out,
        ),
        "slack": PlaceholderSlackDeliverer(out=out),
        "discord": PlaceholderDiscordDeliverer(out=out),
    }
