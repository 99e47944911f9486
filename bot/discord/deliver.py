"""Deliver rendered digests as Discord DMs or channel posts through discord.py's HTTPClient,
so its per-route bucket handling and 429 retries apply to every call."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable

import aiohttp
import discord
from discord.http import HTTPClient, MultipartParameters, handle_message_parameters

from bot.discord.errors import classify_http_error, permanent, transient
from bot.discord.supersede import SUPERSEDED, DigestLog
from core.delivery import DeliveryResult, OutboundMessage
from core.ratelimit import NoRateLimiter, RateLimiter

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "channel:"
MAX_CONTENT = 2000  # Discord's limit for message content
NONCE_LENGTH = 25  # Discord's limit for a nonce
# <= 2 requests per delivery keeps all workers together under Discord's 50 req/s global cap.
GLOBAL_BUCKET, GLOBAL_RATE, GLOBAL_BURST = "discord:global", 20.0, 20
OPEN_BUCKET, OPEN_RATE, OPEN_BURST = "discord:dm-open", 2.0, 10  # bots opening DMs en masse
CHANNEL_RATE, CHANNEL_BURST = 1.0, 5  # 5 messages per 5 s per channel
DEFAULT_TIMEOUT = 120.0  # covers discord.py's own retries (5 tries, 429 waits up to 30 s)
DM_CACHE_SIZE = 10_000

HttpSource = HTTPClient | Callable[[], Awaitable[HTTPClient]]


class InvalidAddress(ValueError):
    pass


def nonce_for(idempotency_key: str) -> str:
    """A stable nonce per delivery, so every retry of it (from any worker) carries the same."""
    return hashlib.sha1(idempotency_key.encode(), usedforsecurity=False).hexdigest()[:NONCE_LENGTH]


def truncate(text: str, limit: int = MAX_CONTENT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DiscordDeliverer:
    """Implements core's Deliverer for destination "discord".

    Address: a user id (the message goes to their DM channel) or "channel:<channel id>".
    `http` is a logged-in discord.py HTTPClient (see bot.discord.http_target.login_http),
    or an async factory for one, called on first use; the deliverer then owns and closes it.
    With a `digests` log, a recipient's previous digest message is edited to say a newer
    one superseded it.
    """

    destination = "discord"

    def __init__(
        self,
        http: HttpSource,
        rate_limiter: RateLimiter | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        digests: DigestLog | None = None,
    ) -> None:
        self._digests = digests
        self._http = http if isinstance(http, HTTPClient) else None
        self._factory = None if isinstance(http, HTTPClient) else http
        self._login_lock = asyncio.Lock()
        self._limiter: RateLimiter = rate_limiter or NoRateLimiter()
        self._timeout = timeout
        self._dm_channels: dict[str, str] = {}

    async def deliver(self, message: OutboundMessage) -> DeliveryResult:
        bucket = GLOBAL_BUCKET  # the limiter bucket of the step in flight, to block on a 429
        try:
            # One deadline for the whole exchange, discord.py's own retries included. Giving
            # up while the POST may be in flight is still safe to retry (TRANSIENT, not
            # UNKNOWN): the retry carries the same nonce with enforce_nonce, and Discord
            # answers a nonce it saw in the last few minutes with the original message.
            async with asyncio.timeout(self._timeout):
                http = await self._client()
                channel_id = self._known_channel(message.address)
                if channel_id is None:
                    bucket = OPEN_BUCKET
                    channel_id = await self._open_dm(http, message.address)
                bucket = f"discord:channel:{channel_id}"
                await self._limiter.wait(GLOBAL_BUCKET, GLOBAL_RATE, GLOBAL_BURST)
                await self._limiter.wait(bucket, CHANNEL_RATE, CHANNEL_BURST)
                sent = await http.send_message(channel_id, params=self._params(message))
        except InvalidAddress as exc:
            return permanent(str(exc))
        except discord.RateLimited as exc:  # the wait exceeded max_ratelimit_timeout
            await self._limiter.block(bucket, exc.retry_after)
            return transient(f"rate limited ({bucket})", exc.retry_after)
        except discord.LoginFailure as exc:  # our token, not the recipient
            return transient(f"discord login failed: {exc}")
        except discord.HTTPException as exc:
            return classify_http_error(exc)
        except TimeoutError:
            return transient(f"no answer (or no rate-limit slot) within {self._timeout:g}s")
        except (aiohttp.ClientError, OSError) as exc:
            return transient(f"connection: {exc!r}"[:300])
        ref = f"{sent['channel_id']}:{sent['id']}"
        if self._digests is not None and message.publication_id and message.payload.get("embeds"):
            await self._supersede(message.address, ref)
        return DeliveryResult.sent(ref)

    async def _supersede(self, address: str, ref: str) -> None:
        """Edit the previous digest's text in place; best effort, never fails a delivery."""
        assert self._digests is not None and self._http is not None
        try:
            previous = await self._digests.swap(address, ref)
            if previous and previous != ref:  # a retried send gets its own message back
                channel_id, message_id = previous.split(":")
                params = handle_message_parameters(
                    content=SUPERSEDED, allowed_mentions=discord.AllowedMentions.none()
                )
                await self._http.edit_message(channel_id, message_id, params=params)
        except Exception:
            log.warning("could not mark the previous digest as superseded", exc_info=True)

    async def aclose(self) -> None:
        """Close the HTTPClient if this deliverer made it (through the factory)."""
        if self._factory is not None and self._http is not None:
            await self._http.close()
            self._http = None

    async def _client(self) -> HTTPClient:
        async with self._login_lock:
            if self._http is None:
                if self._factory is None:
                    raise RuntimeError("DiscordDeliverer was given no HTTPClient")
                self._http = await self._factory()
            return self._http

    def _known_channel(self, address: str) -> str | None:
        """The channel id for a "channel:" address or a user whose DM is open, else None."""
        target = address.removeprefix(CHANNEL_PREFIX)
        if not target.isdigit():
            raise InvalidAddress(f"not a Discord user or channel id: {address!r}")
        return target if address.startswith(CHANNEL_PREFIX) else self._dm_channels.get(target)

    async def _open_dm(self, http: HTTPClient, user_id: str) -> str:
        await self._limiter.wait(OPEN_BUCKET, OPEN_RATE, OPEN_BURST)
        dm = await http.start_private_message(int(user_id))
        if len(self._dm_channels) >= DM_CACHE_SIZE:
            self._dm_channels.clear()
        self._dm_channels[user_id] = channel_id = str(dm["id"])
        return channel_id

    @staticmethod
    def _params(message: OutboundMessage) -> MultipartParameters:
        # nonce + enforce_nonce: a re-sent POST gets the first message back instead of posting
        # twice (for a few minutes). allowed_mentions none: a digest never pings anyone.
        params = handle_message_parameters(
            content=truncate(message.text) or None,
            nonce=nonce_for(message.idempotency_key),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        assert params.payload is not None  # no files: a JSON body
        params.payload["enforce_nonce"] = True  # explicit: the retry safety depends on it
        for key in ("embeds", "components"):  # already Discord-shaped dicts from the renderer
            if message.payload.get(key):
                params.payload[key] = list(message.payload[key])
        return params
