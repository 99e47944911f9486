"""The links digests carry: signed unsubscribe, preference-centre and click-tracking URLs.

Built once in the runtime from PUBLIC_BASE_URL and the signing key, and handed to the
renderer, so core never learns how URLs or tokens are made."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.models import Digest, DigestItem
from core.signing import sign, verify

UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
PREFERENCES_LIFETIME = timedelta(days=30)


@dataclass(frozen=True)
class SignedLinks:
    base_url: str
    key: bytes

    def url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}"

    def unsubscribe_token(self, subscriber_id: int) -> str:
        return sign(self.key, UNSUBSCRIBE, {"s": subscriber_id})

    def subscriber_for_unsubscribe(self, token: str) -> int | None:
        data = verify(self.key, UNSUBSCRIBE, token, datetime.now(UTC))
        return int(data["s"]) if data and isinstance(data.get("s"), int) else None

    # The three LinkBuilder hooks the renderer calls.
    def item_url(self, digest: Digest, item: DigestItem) -> str:
        return item.item.url

    def unsubscribe_url(self, digest: Digest) -> str | None:
        if digest.subscriber_id is None:
            return None
        return self.url(f"/unsubscribe/{self.unsubscribe_token(digest.subscriber_id)}")

    def settings_url(self, digest: Digest) -> str | None:
        if digest.subscriber_id is None:
            return None
        expires = digest.generated_at + PREFERENCES_LIFETIME
        token = sign(self.key, PREFERENCES, {"s": digest.subscriber_id}, expires)
        return self.url(f"/preferences/{token}")
