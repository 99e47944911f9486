"""Real chat deliverers for configured tokens, and shared rate limits for every deliverer.

The buckets live in Redis (storage.redis.rate_limit), so any number of worker processes
together keep to one rate per destination instead of multiplying it."""

from __future__ import annotations

from collections.abc import Mapping

from redis.asyncio import Redis

from bot.settings import Settings, is_configured
from core.ports import Deliverer
from scheduler.pacing import PacedDeliverer
from storage.redis.rate_limit import RedisRateLimiter

SES_BUCKET = "ses:account"


def _discord(settings: Settings, limiter: RedisRateLimiter, redis: Redis) -> Deliverer:
    from bot.discord.deliver import DiscordDeliverer
    from bot.discord.http_target import login_http, point_discord_at
    from bot.discord.supersede import RedisDigestLog

    point_discord_at(settings.discord_api_url)  # process-wide; the same for the bot itself
    token = settings.discord_bot_token.get_secret_value()
    # The digest log lets a newer digest mark the previous DM as superseded.
    digests = RedisDigestLog(redis)
    return DiscordDeliverer(lambda: login_http(token), rate_limiter=limiter, digests=digests)


def with_shared_limits(
    deliverers: Mapping[str, Deliverer], settings: Settings, redis: Redis
) -> dict[str, Deliverer]:
    """Replace the Discord placeholder by the real deliverer when a token is configured, and
    pace real SES sending at the account's MaxSendRate (SES_MAX_SEND_RATE)."""
    from bot.discord.placeholder import PlaceholderDiscordDeliverer
    from bot.email.placeholder import PlaceholderEmailDeliverer

    # Slack paces itself with the same Redis buckets (bot.slack.factory).
    limiter = RedisRateLimiter(redis)
    chosen = dict(deliverers)
    discord = chosen.get("discord")
    if is_configured(settings.discord_bot_token) and isinstance(
        discord, PlaceholderDiscordDeliverer
    ):
        chosen["discord"] = _discord(settings, limiter, redis)
    email = chosen.get("email")
    if email is not None and not isinstance(email, PlaceholderEmailDeliverer | PacedDeliverer):
        rate = settings.ses_max_send_rate
        chosen["email"] = PacedDeliverer(email, limiter, SES_BUCKET, rate, max(1, int(rate)))
    return chosen
