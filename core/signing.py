"""Signed, optionally expiring tokens for links in digests (unsubscribe, tracking,
preference centre). HMAC-SHA256 over a compact JSON payload; the purpose is part of the
MAC so a token minted for one route is worthless on another."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson

_URL_SAFE = bytes.maketrans(b"+/", b"-_")


def _b64(data: bytes) -> str:
    # base64.urlsafe_b64encode, without its Python-level wrappers: two per signed link.
    return binascii.b2a_base64(data, newline=False).rstrip(b"=").translate(_URL_SAFE).decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=32)
def _keyed(key: bytes, purpose: str) -> hmac.HMAC:
    # Keyed and fed "purpose." once: each token's MAC, a copy of this, hashes only its body.
    return hmac.new(key, f"{purpose}.".encode(), hashlib.sha256)


def _mac(key: bytes, purpose: str, body: str) -> str:
    mac = _keyed(key, purpose).copy()
    mac.update(body.encode())
    return _b64(mac.digest()[:18])


def sign(key: bytes, purpose: str, payload: dict[str, Any], expires: datetime | None = None) -> str:
    """A URL-safe token carrying `payload`, valid for `purpose` until `expires` (if given)."""
    data = payload if expires is None else {**payload, "exp": int(expires.timestamp())}
    # Compact, sorted JSON; orjson because every item link in every digest is signed.
    body = _b64(orjson.dumps(data, option=orjson.OPT_SORT_KEYS))
    return f"{body}.{_mac(key, purpose, body)}"


def verify(key: bytes, purpose: str, token: str, now: datetime) -> dict[str, Any] | None:
    """The payload of a genuine, unexpired token for `purpose`; None for anything else."""
    body, _, mac = token.partition(".")
    if not body or not mac or not hmac.compare_digest(mac, _mac(key, purpose, body)):
        return None
    try:
        data = json.loads(_unb64(body))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    expires = data.pop("exp", None)
    if expires is not None and now.timestamp() > expires:
        return None
    return data
