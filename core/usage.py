"""Usage lines for every command, and parsers for the values they name in capitals.

The usage lines are shown by `/digest help` and beside each parse error; the value parsers
(FREQUENCY, TIME, ZONE, DAYS, N, DATE) raise Bad, which core.parser turns into a ParseError.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import available_timezones

from pydantic.networks import validate_email
from pydantic_core import PydanticCustomError

from core.models import NAMED_SLOTS, Frequency, Weekday, validate_time_of_day, validate_timezone

GENERAL_USAGE = "/digest SUBCOMMAND [ARGS]  (/digest help lists every subcommand)"

# One usage line per subcommand, keyed by the subcommand word; "subscribe" and "unsubscribe"
# are also top-level slash commands.
USAGE: dict[str, str] = {
    "subscribe": "/subscribe [FREQUENCY] [at TIME] [tz ZONE] [on DAYS] [via dm|email|channel]",
    "unsubscribe": "/unsubscribe  (or /digest unsubscribe)",
    "help": "/digest help [TOPIC]",
    "settings": "/digest settings",
    "status": "/digest status",
    "preview": "/digest preview",
    "now": "/digest now",
    "history": "/digest history [N]  (N 1..50, default 5)",
    "frequency": "/digest frequency daily|weekly|bi-weekly|monthly [on DAYS] [at TIME]",
    "time": "/digest time HH:MM|morning|midday|afternoon|evening|night",
    "timezone": "/digest timezone ZONE  (an IANA name such as Europe/London; alias tz)",
    "days": "/digest days DAYS  (e.g. mon,wed,fri or weekdays)",
    "pause": "/digest pause [until YYYY-MM-DD]",
    "resume": "/digest resume",
    "prompt": '/digest prompt add "TEXT" | prompt list | prompt remove N',
    "refine": (
        "/digest refine topics|keywords|exclude +ITEM -ITEM ...  "
        "| refine threshold 0..1 | refine novelty 0..1"
    ),
    "style": "/digest style concise|balanced|detailed",
    "tone": "/digest tone formal|casual|technical",
    "format": "/digest format bullet-points|paragraph|mixed",
    "email": "/digest email ADDRESS | email off",
    "empty": "/digest empty note|silent",
    "why": "/digest why",
    "alerts": "/digest alerts on [MIN 0..1] | alerts off",
    "quiet": "/digest quiet HH:MM-HH:MM | quiet off",
    "channel": (
        "/digest channel subscribe [FREQUENCY] [at TIME] [tz ZONE] [on DAYS] [topics a,b] "
        "| channel unsubscribe"
    ),
    "source": (
        '/digest source add URL|arxiv:CATEGORY|arxiv:"WORDS" [as NAME] | source list '
        "| source remove NAME"
    ),
    "admin": (
        "/digest admin seed [--subscribers N] [--content M] [--seed S] [--dispatch] | admin stats"
        " | admin reconcile [ID sent|retry]"
    ),
}

_DESCRIPTIONS: dict[str, str] = {
    "subscribe": "start digests (bare /subscribe asks step by step)",
    "unsubscribe": "stop all digests",
    "help": "this list, or the usage of one subcommand",
    "settings": "show your profile",
    "status": "your last and next digest, and why",
    "preview": "see your next digest without sending it",
    "now": "send your digest now",
    "history": "your last N digests",
    "frequency": "how often digests arrive",
    "time": "the time of day digests arrive",
    "timezone": "your timezone",
    "days": "the days digests may arrive",
    "pause": "stop digests for a while",
    "resume": "start paused digests again",
    "prompt": "free-text requests that steer your digest",
    "refine": "add (+) or remove (-) topics, keywords, exclusions; set thresholds",
    "style": "how much each item says",
    "tone": "how your digest sounds",
    "format": "bullets, paragraphs or both",
    "email": "the address for email digests and fallback",
    "empty": "what to send when nothing clears the bar",
    "why": "how ranking weighs things for you",
    "alerts": "real-time alerts for outstanding items",
    "quiet": "hours when alerts stay silent",
    "channel": "team digests in this channel (admins)",
    "source": "RSS, Atom and arXiv sources (shared ones: admins)",
    "admin": "seed demo data, show counts, settle unknown deliveries (admins)",
}


def usage_for(topic: str | None) -> str:
    """The usage line for a subcommand, or the general one when it is unknown."""
    return USAGE.get(topic or "", GENERAL_USAGE)


def help_lines() -> list[str]:
    """Every subcommand, one line each: its usage and what it does."""
    return [f"{line} — {_DESCRIPTIONS[name]}" for name, line in USAGE.items()]


# --- The values named in capitals in the usage lines: FREQUENCY, TIME, ZONE, DAYS, N, ...


class Bad(Exception):
    """Raised inside the parser; parse_parts turns it into a ParseError."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions or []
        self.topic: str | None = None


class Tokens:
    """The words of a command, consumed left to right."""

    def __init__(self, words: list[str]) -> None:
        self._words = words
        self._pos = 0

    def __bool__(self) -> bool:
        return self._pos < len(self._words)

    def peek(self) -> str | None:
        return self._words[self._pos] if self else None

    def take(self, what: str) -> str:
        if not self:
            raise Bad(f"missing {what}")
        self._pos += 1
        return self._words[self._pos - 1]

    def rest(self) -> list[str]:
        words, self._pos = self._words[self._pos :], len(self._words)
        return words

    def end(self) -> None:
        if self:
            raise Bad(f"unexpected {quote(self._words[self._pos])}")


def quote(text: str, limit: int = 40) -> str:
    """Quote user input in a message, shortened and with control characters made visible."""
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return "'" + "".join(ch if ch.isprintable() else "?" for ch in shown) + "'"


def close(word: str, choices: list[str]) -> list[str]:
    if len(word) > 64:  # difflib is quadratic; nobody mistypes a 64-letter keyword
        return []
    return [str(hit) for hit in difflib.get_close_matches(word.lower(), choices, n=3, cutoff=0.6)]


def parse_int(token: str, what: str, low: int, high: int | None = None) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", token):
        raise Bad(f"{quote(token)} is not a number")
    if len(token) > 20:
        raise Bad(f"{what} {quote(token)} is far too large")
    value = int(token)
    if high is not None and not low <= value <= high:
        raise Bad(f"{what} {value} is outside {low}..{high}")
    if value < low:
        raise Bad(f"{what} {value} must be {low} or more")
    return value


def parse_unit(token: str, what: str) -> float:
    if not re.fullmatch(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", token):
        raise Bad(f"{quote(token)} is not a number")
    value = float(token) + 0.0  # + 0.0 turns -0.0 into 0.0
    if not 0.0 <= value <= 1.0:
        shown = token if len(token) <= 20 else token[:17] + "..."
        raise Bad(f"{what} {shown} is outside 0..1")
    return value


def parse_frequency(word: str) -> Frequency:
    try:
        return Frequency.parse(word)
    except ValueError:
        choices = ", ".join(f.value for f in Frequency)
        hints = close(word, [*Frequency, "biweekly", "fortnightly"])
        raise Bad(f"unknown frequency {quote(word)} (choose {choices})", hints) from None


def parse_time(word: str) -> str:
    try:
        if not word.isascii():  # \d would otherwise let other scripts' digits through
            raise ValueError(word)
        return validate_time_of_day(word)
    except ValueError:
        slots = ", ".join(NAMED_SLOTS)
        raise Bad(
            f"bad time {quote(word)} (use HH:MM in 24 h, or {slots})",
            close(word, list(NAMED_SLOTS)),
        ) from None


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    return {zone.lower(): zone for zone in available_timezones()} | {"utc": "UTC"}


def parse_zone(text: str) -> str:
    wanted = text.strip().lower()
    # Looking the name up first keeps odd input (paths, huge strings) away from the filesystem.
    zone = _zones().get(wanted)
    if zone is None:
        underscored = wanted.replace(" ", "_")
        ends = [z for key, z in _zones().items() if key.endswith("/" + underscored)]
        hints = ends[:3] or [_zones()[key] for key in close(underscored, list(_zones()))]
        raise Bad(
            f"bad timezone {quote(text)} (use an IANA name like Europe/London, or UTC)", hints
        )
    try:
        return validate_timezone(zone)
    except (ValueError, OSError):
        raise Bad(f"bad timezone {quote(text)}") from None


_WEEK = tuple(Weekday)
_DAY_SETS = {
    "weekdays": _WEEK[:5],
    "weekday": _WEEK[:5],
    "weekends": _WEEK[5:],
    "weekend": _WEEK[5:],
    "everyday": _WEEK,
}
_DAY_ALIASES = {"tues": "tue", "thur": "thu", "thurs": "thu", "wednes": "wed"}


def _day_set(word: str) -> tuple[Weekday, ...] | None:
    low = word.lower()
    if low in _DAY_SETS:
        return _DAY_SETS[low]
    for candidate in (low, low.removesuffix("s"), _DAY_ALIASES.get(low, "")):
        try:
            return (Weekday.parse(candidate),)
        except ValueError:
            continue
    return None


def _day_parts(words: list[str]) -> list[str]:
    parts = re.split(r"[,\s]+", " ".join(words))
    return [p for p in parts if p and p.lower() not in ("and", "&")]


def is_days(word: str) -> bool:
    parts = _day_parts([word])
    return bool(parts) and all(_day_set(part) is not None for part in parts)


def parse_days(words: list[str]) -> tuple[Weekday, ...]:
    found: set[Weekday] = set()
    for part in _day_parts(words):
        days = _day_set(part)
        if days is None:
            names = [d.value.lower() for d in Weekday] + ["weekdays", "weekends"]
            message = (
                f"unknown day {quote(part)} (use Monday..Sunday, Mon..Sun, weekdays, weekends)"
            )
            raise Bad(message, close(part, names))
        found.update(days)
    if not found:
        raise Bad("missing days (e.g. mon,wed,fri or weekdays)")
    return tuple(sorted(found, key=lambda day: day.index))


def parse_date(token: str) -> date:
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", token):
        try:
            return date.fromisoformat(token)
        except ValueError:
            pass
    raise Bad(f"bad date {quote(token)} (use YYYY-MM-DD)")


def parse_choice(
    tokens: Tokens, what: str, choices: list[str], aliases: dict[str, str], last: bool = False
) -> str:
    """One keyword out of a fixed set (aliases allowed), with close matches when it is not.

    With last=True it must also be the final word of the command.
    """
    word = tokens.take(f"{what} ({', '.join(choices)})").lower()
    word = aliases.get(word, word)
    if word not in choices:
        hints = close(word, choices)
        raise Bad(f"unknown {what} {quote(word)} (choose {', '.join(choices)})", hints)
    if last:
        tokens.end()
    return word


def _unwrap(word: str) -> str:
    # Slack escapes links and addresses as <https://x|label> and <mailto:a@b.c|a@b.c>.
    match = re.fullmatch(r"<([^|>]*)(?:\|[^>]*)?>", word)
    return match.group(1) if match else word


_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f.]+")
_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


def parse_email(word: str) -> str:
    address = _unwrap(word).removeprefix("mailto:")
    if len(address) > 254 or not _EMAIL.fullmatch(address):
        raise Bad(f"bad email address {quote(word)} (e.g. ada@example.com)")
    try:
        # The same RFC 5322 rules SES applies, via pydantic's email-validator.
        _, normalised = validate_email(address)
    except PydanticCustomError:
        raise Bad(f"bad email address {quote(word)} (e.g. ada@example.com)") from None
    return normalised


def parse_url(word: str) -> str:
    url = _unwrap(word)
    try:
        parts = urlsplit(url)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok or len(url) > 2048 or _CONTROL.search(url):
        raise Bad(f"bad URL {quote(word)} (use an http:// or https:// address)")
    return url


def parse_quiet_hours(text: str) -> tuple[str, str]:
    match = re.fullmatch(r"(\S+?)\s*(?:-|–|\s+to\s+)\s*(\S+)", text)
    if match is None:
        raise Bad(f"bad quiet hours {quote(text)} (use HH:MM-HH:MM, e.g. 22:00-07:00)")
    start, end = (NAMED_SLOTS.get(t, t) for t in map(parse_time, match.groups()))
    if start == end:
        raise Bad("quiet hours cannot start and end at the same time")
    return start, end
