"""Where discord.py sends its REST calls, and a logged-in HTTPClient for delivery workers."""

from __future__ import annotations

import asyncio

from discord.http import HTTPClient, Route

DEFAULT_API_URL = "https://discord.com/api/v10"
# discord.py sleeps through 429s itself (up to 5 tries per request); past this many seconds
# it raises RateLimited instead, so a worker hands the wait to the outbox. 30 is its minimum.
MAX_RATELIMIT_WAIT = 30.0


def point_discord_at(api_url: str) -> None:
    """Send every discord.py REST call (bot, webhooks, interactions) to `api_url`.

    Tests and staging drive the real library against a local server (the DISCORD_API_URL
    setting). discord.py has no per-client option for this: `Route.BASE` is a class
    attribute read each time a Route is built, so this is process-wide; call it once where
    the program starts (or in a fixture that restores the old value).
    """
    Route.BASE = api_url.rstrip("/")


async def login_http(token: str, *, max_ratelimit_wait: float = MAX_RATELIMIT_WAIT) -> HTTPClient:
    """A discord.py HTTPClient logged in with a bot token (one GET /users/@me; no gateway).

    Raises discord.LoginFailure for a bad token. The caller owns it: `await http.close()`.
    """
    http = HTTPClient(asyncio.get_running_loop(), max_ratelimit_timeout=max_ratelimit_wait)
    try:
        await http.static_login(token)
    except BaseException:
        await http.close()
        raise
    return http
