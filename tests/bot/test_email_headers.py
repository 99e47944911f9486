"""Header hygiene: what counts as an address, and which unsubscribe headers go out."""

from __future__ import annotations

import pytest

from bot.email.headers import sanitize_header, unsubscribe_headers, valid_address


def test_sanitize_turns_line_breaks_into_spaces_and_drops_controls() -> None:
    assert sanitize_header("Hi\r\nBcc: x@y.com\tnow\x00\u2028!") == "Hi Bcc: x@y.comnow !"


@pytest.mark.parametrize("address", ["alice@example.com", "a.b+digest@mail.example.co.uk"])
def test_plain_addresses_are_valid(address: str) -> None:
    assert valid_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "alice",
        "alice@localhost",
        "Alice <alice@example.com>",
        "alice@example.com, bob@example.com",
        "alice@example.com Bcc: evil@x.com",
        "alice@example.com\nBcc: evil@x.com",
        "al ice@example.com",
        "alice@-example.com",
        "ålice@example.com",
        "a@" + "b" * 260 + ".com",
    ],
)
def test_anything_else_is_not(address: str) -> None:
    assert not valid_address(address)


def test_one_click_needs_https() -> None:
    assert unsubscribe_headers("https://d.example/u/1", None) == [
        ("List-Unsubscribe", "<https://d.example/u/1>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    ]
    assert unsubscribe_headers("http://localhost:8080/u/1", "unsub@d.example") == [
        (
            "List-Unsubscribe",
            "<http://localhost:8080/u/1>, <mailto:unsub@d.example?subject=unsubscribe>",
        ),
    ]


def test_unsafe_urls_and_addresses_are_left_out() -> None:
    assert unsubscribe_headers("https://d.example/u/1>\r\nBcc: x@y.com", "not-an-address") == []
    assert unsubscribe_headers("javascript:alert(1)", None) == []
    assert unsubscribe_headers(None, None) == []
