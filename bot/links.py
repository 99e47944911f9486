"""The links digests carry: signed unsubscribe, preference-centre and click-tracking URLs.

Built once in the runtime from PUBLIC_BASE_URL and the signing key, and handed to the
renderer, so core never learns how URLs or tokens are made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

from core.delivery import OutboundMessage
from core.models import Digest, DigestItem
from core.signing import sign, verify

UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
PREFERENCES_LIFETIME = timedelta(days=30)
ADMIN = "admin"
ADMIN_LIFETIME = timedelta(hours=12)
CLICK = "click"
OPEN = "open"


@dataclass(frozen=True)
class Tracked:
    """What a tracking token names: the publication, the item (clicks) and the reader
    (None in a team channel's digest, whose readers are anonymous)."""

    publication_id: int
    item_id: int | None
    subscriber_id: int | None


def _tracked(
    publication_id: int, subscriber_id: int | None, item_id: int | None = None
) -> dict[str, int]:
    payload = {"p": publication_id}
    if item_id is not None:
        payload["i"] = item_id
    if subscriber_id is not None:
        payload["s"] = subscriber_id
    return payload


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _read(data: dict[str, object] | None) -> Tracked | None:
    publication_id = _int(data.get("p")) if data is not None else None
    if data is None or publication_id is None:
        return None
    return Tracked(publication_id, item_id=_int(data.get("i")), subscriber_id=_int(data.get("s")))


@dataclass(frozen=True)
class SignedLinks:
    base_url: str
    key: bytes

    def url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}"

    def unsubscribe_token(self, subscriber_id: int) -> str:
        return sign(self.key, UNSUBSCRIBE, {"s": subscriber_id})

    def unsubscribe_link(self, subscriber_id: int) -> str:
        """The one-click unsubscribe URL (RFC 8058) served by bot/http/unsubscribe.py."""
        return self.url(f"/unsubscribe/{self.unsubscribe_token(subscriber_id)}")

    def unsubscribe_url_for_message(self, message: OutboundMessage) -> str | None:
        """The email deliverer's List-Unsubscribe hook; channel mail has no subscriber."""
        if message.subscriber_id is None:
            return None
        return self.unsubscribe_link(message.subscriber_id)

    def subscriber_for_unsubscribe(self, token: str) -> int | None:
        data = verify(self.key, UNSUBSCRIBE, token, datetime.now(UTC))
        return int(data["s"]) if data and isinstance(data.get("s"), int) else None

    @cached_property
    def _click_base(self) -> str:
        return self.url("/t/c/")

    # The LinkBuilder hooks the renderer calls.
    def item_url(self, digest: Digest, item: DigestItem) -> str:
        """A signed /t/c/ link naming publication, item and reader; previews (no
        publication yet) and unstored items keep the item's own url."""
        item_id, publication_id = item.item.id, digest.publication_id
        if publication_id is None or item_id is None:
            return item.item.url
        payload = _tracked(publication_id, digest.subscriber_id, item_id)
        return self._click_base + sign(self.key, CLICK, payload)

    def open_url(self, digest: Digest) -> str | None:
        """The email's 1x1 open pixel (/t/o/), once the publication is reserved."""
        if digest.publication_id is None:
            return None
        token = sign(self.key, OPEN, _tracked(digest.publication_id, digest.subscriber_id))
        return self.url(f"/t/o/{token}")

    def verify_click(self, token: str) -> Tracked | None:
        """What a genuine click token names; None for anything forged or altered."""
        tracked = _read(verify(self.key, CLICK, token, datetime.now(UTC)))
        return tracked if tracked is not None and tracked.item_id is not None else None

    def verify_open(self, token: str) -> Tracked | None:
        return _read(verify(self.key, OPEN, token, datetime.now(UTC)))

    def unsubscribe_url(self, digest: Digest) -> str | None:
        if digest.subscriber_id is None:
            return None
        return self.unsubscribe_link(digest.subscriber_id)

    def settings_url(self, digest: Digest) -> str | None:
        if digest.subscriber_id is None:
            return None
        return self.preferences_link(digest.subscriber_id, digest.generated_at)

    def preferences_link(self, subscriber_id: int, issued_at: datetime) -> str:
        """The preference centre (bot/http/pages), valid for PREFERENCES_LIFETIME from issue."""
        expires = issued_at + PREFERENCES_LIFETIME
        token = sign(self.key, PREFERENCES, {"s": subscriber_id}, expires)
        return self.url(f"/preferences/{token}")

    def admin_link(self, issued_at: datetime, lifetime: timedelta = ADMIN_LIFETIME) -> str:
        """A signed, expiring link to the admin dashboard (`digestbot admin-link`)."""
        return self.url(f"/admin?token={sign(self.key, ADMIN, {}, issued_at + lifetime)}")
