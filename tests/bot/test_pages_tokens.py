"""Page tokens: expired and forged links are told apart, and a form belongs to one link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.http.pages.tokens import (
    admin_token_ok,
    check,
    form_nonce,
    form_token,
    preferences_subscriber,
)
from bot.links import PREFERENCES, SignedLinks
from core.signing import sign

KEY = b"k" * 32
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_a_preference_link_from_a_digest_names_its_subscriber_for_thirty_days() -> None:
    link = SignedLinks("https://digest.example.org", KEY).preferences_link(7, NOW)
    token = link.rsplit("/", 1)[1]
    assert preferences_subscriber(KEY, token, NOW + timedelta(days=29)) == ("valid", 7)
    assert preferences_subscriber(KEY, token, NOW + timedelta(days=31)) == ("expired", None)
    assert preferences_subscriber(b"other-key" * 4, token, NOW) == ("invalid", None)
    tampered = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    assert preferences_subscriber(KEY, tampered, NOW) == ("invalid", None)


def test_a_token_for_another_purpose_is_not_a_preference_link() -> None:
    unsubscribe = SignedLinks("https://x", KEY).unsubscribe_token(7)
    assert preferences_subscriber(KEY, unsubscribe, NOW) == ("invalid", None)
    assert check(KEY, PREFERENCES, sign(KEY, PREFERENCES, {"s": "7"}), NOW).verdict == "valid"
    assert preferences_subscriber(KEY, sign(KEY, PREFERENCES, {"s": "7"}), NOW) == (
        "invalid",
        None,
    )


def test_admin_links_expire() -> None:
    link = SignedLinks("https://x", KEY).admin_link(NOW, timedelta(hours=2))
    token = link.split("token=", 1)[1]
    assert admin_token_ok(KEY, token, NOW + timedelta(hours=1)) == "valid"
    assert admin_token_ok(KEY, token, NOW + timedelta(hours=3)) == "expired"
    assert admin_token_ok(KEY, sign(KEY, PREFERENCES, {}, NOW + timedelta(hours=1)), NOW) == (
        "invalid"
    )


def test_a_form_token_works_only_for_its_subscriber_and_link_and_only_for_a_while() -> None:
    token = form_token(KEY, 7, "link-a", NOW)
    nonce = form_nonce(KEY, token, 7, "link-a", NOW)
    assert nonce and nonce != form_nonce(KEY, form_token(KEY, 7, "link-a", NOW), 7, "link-a", NOW)
    assert form_nonce(KEY, token, 8, "link-a", NOW) == ""
    assert form_nonce(KEY, token, 7, "link-b", NOW) == ""
    assert form_nonce(KEY, token, 7, "link-a", NOW + timedelta(days=1)) == ""
    assert form_nonce(KEY, "", 7, "link-a", NOW) == ""


def test_tokens_keep_their_exact_form_so_links_already_sent_still_work() -> None:
    """Links in digests already delivered (unsubscribe, preferences, clicks) were signed
    by earlier releases: a change to how tokens are made must not change the tokens."""
    key = b"digestbot-test-key"
    assert sign(key, "click", {"p": 42, "i": 7, "s": 3}) == (
        "eyJpIjo3LCJwIjo0MiwicyI6M30.QnPHjsT549e7pi6k4Bdmn5Io"
    )
    assert sign(key, "preferences", {"s": 3}, datetime(2030, 1, 2, tzinfo=UTC)) == (
        "eyJleHAiOjE4OTM1NDI0MDAsInMiOjN9.0oatKQLX2Yz8uiSGU52BpSeR"
    )
