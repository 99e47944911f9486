"""Header hygiene shared by single and bulk sends: no injected lines, only plain addresses."""

from __future__ import annotations

import re
from email.utils import formataddr, getaddresses, parseaddr

# Cc covers CR, LF, NUL, TAB, DEL and C1 controls; CR/LF become a space so words stay apart.
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85]+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Deliberately narrower than RFC 5322: ASCII only, no quoting, no comments, exactly one "@".
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_URL_UNSAFE = re.compile(r"[\s<>,\"]")


def sanitize_header(value: str) -> str:
    """One line of text safe to put in a header: line breaks become spaces, controls go."""
    return _CONTROLS.sub("", _LINE_BREAKS.sub(" ", value)).strip()


def valid_address(value: str) -> bool:
    """True for a bare `local@domain.tld` address (no display name, no tricks)."""
    if not value or len(value) > 254 or _CONTROLS.search(value):
        return False
    name, addr = parseaddr(value)
    return not name and addr == value and bool(_ADDRESS.match(addr))


def normalize_sender(sender: str) -> str:
    """`addr` or `Name <addr>`, validated and re-encoded; raises ValueError when unusable.

    Configuration, not user input, so it is rejected rather than repaired: parseaddr is
    lenient enough to turn `a@b.com, c@d.com` or an injected line into "some" address."""
    value = sender.strip()
    name, addr = parseaddr(value)
    bare = value == addr
    named = value.endswith(f"<{addr}>") and len(getaddresses([value])) == 1
    unsafe = _CONTROLS.search(value) or _LINE_BREAKS.search(value)
    if unsafe or not (bare or named) or not valid_address(addr):
        raise ValueError(f"invalid sender address: {sender!r}")
    return formataddr((name, addr)) if name else addr


def unsubscribe_headers(url: str | None, mailto: str | None) -> list[tuple[str, str]]:
    """List-Unsubscribe (RFC 2369) plus One-Click (RFC 8058) when there is an HTTPS URL."""
    uris: list[str] = []
    one_click = False
    if url and not _URL_UNSAFE.search(url) and url.startswith(("https://", "http://")):
        uris.append(f"<{url}>")
        # RFC 8058 only allows One-Click for HTTPS; plain http (local dev) stays link-only.
        one_click = url.startswith("https://")
    if mailto and valid_address(mailto):
        uris.append(f"<mailto:{mailto}?subject=unsubscribe>")
    headers = [("List-Unsubscribe", ", ".join(uris))] if uris else []
    if one_click:
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return headers
