"""HTTP for feeds: conditional GET, a total timeout, a byte cap while streaming, redirects
followed by hand (loops named, each hop's host checked), and no private addresses unless
allowed, so a user's source cannot make the bot probe the internal network."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import aiohttp

from scheduler.feeds import FeedRejected

_REDIRECTS = {301, 302, 303, 307, 308}
_ACCEPT = "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8"


@dataclass(frozen=True)
class FetchLimits:
    timeout_seconds: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow_private_hosts: bool = False
    user_agent: str = "digestbot/0.1 (research digests; feed reader)"


@dataclass
class Fetched:
    status: int  # 200, or 304 when the feed has not changed
    body: bytes
    etag: str | None
    last_modified: str | None
    url: str  # after redirects


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:g} MB"


class FeedFetcher:
    def __init__(self, limits: FetchLimits, session: aiohttp.ClientSession | None = None) -> None:
        self.limits = limits
        self._session = session
        self._owned = session is None

    async def close(self) -> None:
        if self._owned and self._session is not None:
            await self._session.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            # auto_decompress stays on: the byte cap counts decompressed bytes (gzip bombs).
            self._session = aiohttp.ClientSession(headers={"User-Agent": self.limits.user_agent})
        return self._session

    async def fetch(
        self, url: str, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """GET a feed; raises FeedRejected with a reason a person can act on."""
        seconds = self.limits.timeout_seconds
        try:
            async with asyncio.timeout(seconds):
                return await self._follow(url, etag, last_modified)
        except TimeoutError:
            raise FeedRejected(f"timed out after {seconds:g} s") from None
        except aiohttp.ClientConnectorError as error:
            raise FeedRejected(f"cannot connect to {error.host}: {error.os_error}") from None
        except aiohttp.ClientError as error:
            raise FeedRejected(f"download failed: {type(error).__name__}: {error}") from None

    async def _follow(self, url: str, etag: str | None, modified: str | None) -> Fetched:
        headers = {"Accept": _ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        seen = [url]
        while True:
            await self._check_host(url)
            async with self._client().get(url, headers=headers, allow_redirects=False) as resp:
                if resp.status in _REDIRECTS and "Location" in resp.headers:
                    url = urljoin(url, resp.headers["Location"])
                    if url in seen:
                        raise FeedRejected(f"redirect loop: {' -> '.join([*seen, url])[:300]}")
                    seen.append(url)
                    if len(seen) > self.limits.max_redirects + 1:
                        raise FeedRejected(f"more than {self.limits.max_redirects} redirects")
                    continue
                if resp.status == 304:
                    return Fetched(304, b"", etag, modified, url)
                _check_status(resp)
                body = await self._read_capped(resp)
                return Fetched(
                    200, body, resp.headers.get("ETag"), resp.headers.get("Last-Modified"), url
                )

    async def _read_capped(self, resp: aiohttp.ClientResponse) -> bytes:
        cap = self.limits.max_bytes
        declared = resp.content_length
        if declared is not None and declared > cap:
            raise FeedRejected(f"body of {_megabytes(declared)} is over the {_megabytes(cap)} cap")
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(65_536):
            size += len(chunk)
            if size > cap:
                raise FeedRejected(f"body exceeds the {_megabytes(cap)} cap")
            chunks.append(chunk)
        return b"".join(chunks)

    async def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FeedRejected(f"refusing to follow {url[:100]} (only http and https)")
        if self.limits.allow_private_hosts:
            return
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                parts.hostname, parts.port or 443, type=socket.SOCK_STREAM
            )
        except OSError as error:
            raise FeedRejected(f"cannot resolve {parts.hostname}: {error}") from None
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not address.is_global:
                raise FeedRejected(
                    f"refusing to fetch {parts.hostname}: it resolves to a private address"
                )


def _check_status(resp: aiohttp.ClientResponse) -> None:
    if 200 <= resp.status < 300 and resp.status != 204:
        return
    reason = f"HTTP {resp.status} {resp.reason or ''}".strip()
    if resp.status == 410:
        raise FeedRejected(reason, permanent=True)
    if resp.status in (429, 503):
        retry = resp.headers.get("Retry-After", "")
        raise FeedRejected(reason, retry_after=float(retry) if retry.isdigit() else None)
    raise FeedRejected(reason)
