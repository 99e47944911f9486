"""The schedule clauses shared by /subscribe, /digest frequency and /digest channel subscribe:
`at TIME`, `tz ZONE`, `on DAYS`, `via dm|email|channel`, `topics a,b`, in any order, with the
keyword left out where the value speaks for itself ("weekly morning mon,thu")."""

from __future__ import annotations

import re

from core import usage as u
from core.models import NAMED_SLOTS, Frequency
from core.usage import Bad, Tokens, quote

# Schedule clauses: keyword -> kind of value, and kind -> the command field it fills.
_CLAUSES = {"at": "time", "tz": "timezone", "timezone": "timezone", "on": "days"}
_CLAUSES |= {"via": "via", "topics": "topics"}
_FIELDS = {"frequency": "frequency", "time": "time_of_day", "timezone": "timezone"}
_FIELDS |= {"days": "days", "via": "via", "topics": "topics"}
_VIA = {"dm": "dm", "direct": "dm", "email": "email", "mail": "email", "channel": "channel"}


def parse_schedule(tokens: Tokens, allowed: set[str]) -> dict[str, object]:
    """The clauses shared by /subscribe, frequency and channel subscribe, in any order."""
    got: dict[str, object] = {}
    while tokens:
        word = tokens.take("clause")
        kind = _CLAUSES.get(word.lower())
        if kind is None:
            kind, value = _bare_clause(word, tokens, allowed)
        elif kind not in allowed:
            raise Bad(f"{quote(word)} does not belong in this command")
        else:
            value = _clause(kind, word, tokens)
        if _FIELDS[kind] in got:
            raise Bad(f"{kind} given twice")
        got[_FIELDS[kind]] = value
    return got


def _bare_clause(word: str, tokens: Tokens, allowed: set[str]) -> tuple[str, object]:
    # The keyword may be left out when the value speaks for itself: "weekly morning mon,thu".
    low = word.lower()
    if "frequency" in allowed and low in (*Frequency, "biweekly", "fortnightly"):
        return "frequency", u.parse_frequency(word)
    if "time" in allowed and (low in NAMED_SLOTS or re.fullmatch(r"\d\d?:\d\d", low)):
        return "time", u.parse_time(word)
    if "days" in allowed and u.is_days(word):
        return "days", u.parse_days(_day_words(tokens, word))
    if "frequency" in allowed:
        u.parse_frequency(word)  # raises: an unknown bare word is most likely a misspelt frequency
    raise Bad(f"unexpected {quote(word)}")


def _clause(kind: str, word: str, tokens: Tokens) -> object:
    value = tokens.take(f"{kind} after {quote(word)}")
    if kind == "time":
        return u.parse_time(value)
    if kind == "timezone":
        return u.parse_zone(value)
    if kind == "days":
        return u.parse_days(_day_words(tokens, value))
    if kind == "via":
        return _VIA[u.parse_choice(Tokens([value]), "destination", list(_VIA), {})]
    words = [value]  # topics: each word up to the next clause keyword; commas also separate
    while tokens and (tokens.peek() or "").lower() not in _CLAUSES:
        words.append(tokens.take("topic"))
    topics = [t.strip() for w in words for t in w.split(",") if t.strip()]
    if not topics:
        raise Bad("missing topics after 'topics' (e.g. topics nlp,\"computer vision\")")
    return tuple(dict.fromkeys(topics))


def _day_words(tokens: Tokens, first: str) -> list[str]:
    words = [first]
    while tokens and u.is_days(tokens.peek() or ""):
        words.append(tokens.take("day"))
    return words
