"""Turn a slash-command line into a typed command, or a ParseError that quotes the bad part.

No I/O beyond reading the tz database. Never raises: anything it cannot understand becomes a
ParseError carrying the usage line of the subcommand concerned (core.usage holds those lines
and the parsers of the values they name).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from core import commands as c
from core import usage as u
from core.models import MAX_PROMPT_LENGTH, Frequency, Style, Summarization, Tone
from core.schedule_clauses import parse_schedule
from core.sources import parse_arxiv_query
from core.usage import GENERAL_USAGE, USAGE, Bad, Tokens, close, quote

INTERNAL_ERROR_MESSAGE = "could not understand that command"
MAX_ITEM_LENGTH = 100
MAX_COMMAND_LENGTH = 10_000

_ALIASES = {"tz": "timezone", "zone": "timezone", "prompts": "prompt", "sources": "source"}
_ALIASES |= {"day": "days", "freq": "frequency", "unpause": "resume", "alert": "alerts"}
_REMOVE = {"rm": "remove", "delete": "remove"}
_REFINE = {"topic": "topics", "keyword": "keywords", "excludes": "exclude"}
_REFINE |= {"relevance": "threshold"}
_FORMATS = {"bullets": "bullet-points", "bullet": "bullet-points", "paragraphs": "paragraph"}
_FORMATS |= {"bullet-point": "bullet-points", "bulletpoints": "bullet-points"}
_SEED_FLAGS = {"--subscribers": (1, 100_000), "--content": (1, 1_000_000), "--seed": (0, 2**63 - 1)}
_OFF = ("off", "none", "clear")
_BARE: dict[str, Callable[[], c.Command]] = {"settings": c.ShowSettings, "status": c.ShowStatus}
_BARE |= {"preview": c.Preview, "now": c.SendNow, "resume": c.Resume, "why": c.Why}
_BARE |= {"unsubscribe": c.Unsubscribe}


def parse(text: str) -> c.Command | c.ParseError:
    """Parse a whole command line such as `/digest prompt add "NLP papers"`."""
    match = re.match(r"\s*(\S+)(.*)\Z", text or "", re.DOTALL)
    if match is None:
        return c.ParseError("empty command", GENERAL_USAGE)
    return parse_parts(match.group(1), match.group(2))


def parse_parts(command: str, args: str) -> c.Command | c.ParseError:
    """Parse a command name ("/subscribe", "/unsubscribe", "/digest") and its argument text."""
    try:
        return _parse(command or "", args or "")
    except Bad as bad:
        return c.ParseError(bad.message, u.usage_for(bad.topic), list(bad.suggestions))
    except Exception:  # the last guard of "never raises"; the fuzz tests keep it unused
        return c.ParseError(INTERNAL_ERROR_MESSAGE, GENERAL_USAGE)


def _parse(command: str, args: str) -> c.Command:
    for text in (command, args):
        if "\x00" in text:
            raise Bad("the command contains a NUL character")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise Bad("the command contains characters that are not valid text") from None
    name = command.strip().lower().removeprefix("/")
    if name in ("subscribe", "unsubscribe"):
        return _run(name, args)
    if name != "digest":
        hints = [f"/{h}" for h in close(name, ["subscribe", "unsubscribe", "digest"])]
        hints += [f"/digest {name}"] if name in USAGE else []
        raise Bad(f"unknown command {quote('/' + name)}", hints)
    head = re.match(r"\s*(\S+)\s+(\S+)(.*)\Z", args, re.DOTALL)
    if head and head.group(1).lower() in ("prompt", "prompts") and head.group(2).lower() == "add":
        # Taken from the raw text, so apostrophes, markup and SQL-ish text survive verbatim.
        return _run("prompt", head.group(3), raw_prompt=True)
    return _run("digest", args)


def _run(name: str, args: str, raw_prompt: bool = False) -> c.Command:
    topic = name if name in USAGE else None
    try:
        if raw_prompt:
            return _prompt_text(args)
        if len(args) > MAX_COMMAND_LENGTH:  # shlex slows down badly on huge input
            raise Bad(f"the command is {len(args)} characters; the limit is {MAX_COMMAND_LENGTH}")
        try:
            tokens = Tokens(shlex.split(args, posix=True))
        except ValueError as error:
            if "quotation" in str(error):
                raise Bad("unclosed quote") from None
            raise Bad("a trailing backslash escapes nothing") from None
        if name == "digest" and not tokens:
            return c.Help()
        word = name if name != "digest" else tokens.take("subcommand").lower()
        sub = topic = _ALIASES.get(word, word)
        if sub in _BARE:
            tokens.end()
            return _BARE[sub]()
        if sub not in _HANDLERS:
            hints = close(word, [*USAGE, *_ALIASES])
            topic = None
            raise Bad(f"unknown subcommand {quote(word)}", [_ALIASES.get(h, h) for h in hints])
        return _HANDLERS[sub](tokens)
    except Bad as bad:
        bad.topic = bad.topic or topic
        raise


def _subscribe(tokens: Tokens) -> c.Command:
    return c.Subscribe(**parse_schedule(tokens, {"frequency", "time", "timezone", "days", "via"}))


def _help(tokens: Tokens) -> c.Command:
    if not tokens:
        return c.Help()
    word = tokens.take("topic").lower().removeprefix("/")
    tokens.end()
    topic = _ALIASES.get(word, word)
    if topic not in USAGE and topic != "digest":
        raise Bad(f"no help for {quote(word)}", close(word, list(USAGE)))
    return c.Help(topic=None if topic == "digest" else topic)


def _history(tokens: Tokens) -> c.Command:
    limit = u.parse_int(tokens.take("number"), "history", 1, 50) if tokens else 5
    tokens.end()
    return c.History(limit=limit)


def _frequency(tokens: Tokens) -> c.Command:
    got = parse_schedule(tokens, {"frequency", "days", "time"})
    if "frequency" not in got:
        raise Bad(f"missing frequency (choose {', '.join(Frequency)})")
    return c.SetFrequency(**got)


def _time(tokens: Tokens) -> c.Command:
    if (tokens.peek() or "").lower() == "at":
        tokens.take("at")
    value = u.parse_time(tokens.take("time (HH:MM or a named slot)"))
    tokens.end()
    return c.SetTime(value)


def _timezone(tokens: Tokens) -> c.Command:
    words = tokens.rest()  # "New York" gets a hint towards America/New_York
    if not words:
        raise Bad("missing timezone (an IANA name such as Europe/London)")
    return c.SetTimezone(u.parse_zone(" ".join(words)))


def _pause(tokens: Tokens) -> c.Command:
    if not tokens:
        return c.Pause()
    u.parse_choice(tokens, "pause option", ["until"], {})
    until = u.parse_date(tokens.take("date after 'until' (YYYY-MM-DD)"))
    tokens.end()
    return c.Pause(until=until)


def _prompt(tokens: Tokens) -> c.Command:
    action = u.parse_choice(tokens, "prompt action", ["add", "list", "remove"], _REMOVE)
    if action == "add":
        return _prompt_text(" ".join(tokens.rest()), tokenised=True)
    if action == "list":
        tokens.end()
        return c.PromptList()
    index = u.parse_int(tokens.take("prompt number (see prompt list)"), "prompt number", 1)
    tokens.end()
    return c.PromptRemove(index=index)


def _prompt_text(rest: str, tokenised: bool = False) -> c.Command:
    text = rest.strip()
    mark = text[:1]
    # One quoted string is the prompt; otherwise the text is kept exactly as typed. (Not shlex:
    # it would mangle apostrophes and is slow on very long input.)
    if not tokenised and mark in ("'", '"'):
        if text.count(mark) % 2:
            raise Bad("unclosed quote")
        if text.count(mark) == 2 and text.endswith(mark):
            text = text[1:-1].strip()
    if not text:
        raise Bad('the prompt is empty (write: prompt add "what you want to read about")')
    if len(text) > MAX_PROMPT_LENGTH:
        raise Bad(f"prompt is {len(text)} characters; the limit is {MAX_PROMPT_LENGTH}")
    return c.PromptAdd(text=text)


def _refine(tokens: Tokens) -> c.Command:
    fields = ["topics", "keywords", "exclude", "threshold", "novelty"]
    field = u.parse_choice(tokens, "refinement", fields, _REFINE)
    if field in ("threshold", "novelty"):
        value = u.parse_unit(tokens.take(f"{field} value (0..1)"), field)
        tokens.end()
        return c.SetThreshold(kind=field, value=value)  # type: ignore[arg-type]
    add: dict[str, str] = {}
    remove: dict[str, str] = {}
    for token in tokens.rest():
        sign = token[:1] if token[:1] in ("+", "-") else ""
        for item in (i.strip() for i in token[len(sign) :].split(",")):
            if len(item) > MAX_ITEM_LENGTH:
                raise Bad(f"{quote(item)} is longer than {MAX_ITEM_LENGTH} characters")
            if item:
                (remove if sign == "-" else add).setdefault(item.lower(), item)
    if not add and not remove:
        raise Bad(f"missing {field} to add (+ or bare) or remove (-)")
    if both := [add[key] for key in add if key in remove]:
        raise Bad(f"{quote(both[0])} is both added and removed")
    return c.Refine(field, tuple(add.values()), tuple(remove.values()))  # type: ignore[arg-type]


def _style(tokens: Tokens) -> c.Command:
    return c.SetStyle(Style(u.parse_choice(tokens, "style", list(Style), {}, last=True)))


def _tone(tokens: Tokens) -> c.Command:
    return c.SetTone(Tone(u.parse_choice(tokens, "tone", list(Tone), {}, last=True)))


def _format(tokens: Tokens) -> c.Command:
    joined = Tokens(["-".join(tokens.rest())] if tokens else [])  # "bullet points" works too
    return c.SetFormat(
        Summarization(u.parse_choice(joined, "format", list(Summarization), _FORMATS))
    )


def _email(tokens: Tokens) -> c.Command:
    word = tokens.take("email address, or off")
    tokens.end()
    return c.SetEmail(None if word.lower() in _OFF else u.parse_email(word))


def _empty(tokens: Tokens) -> c.Command:
    mode = u.parse_choice(tokens, "empty-digest mode", ["note", "silent"], {}, last=True)
    return c.SetEmptyDigest(mode=mode)  # type: ignore[arg-type]


def _alerts(tokens: Tokens) -> c.Command:
    enabled = u.parse_choice(tokens, "alerts setting", ["on", "off"], {}) == "on"
    score = (
        u.parse_unit(tokens.take("minimum score"), "minimum score") if enabled and tokens else None
    )
    tokens.end()
    return c.SetAlerts(enabled=enabled, min_score=score)


def _quiet(tokens: Tokens) -> c.Command:
    text = " ".join(tokens.rest())
    if not text:
        raise Bad("missing quiet hours (HH:MM-HH:MM, or off)")
    if text.lower() in _OFF:
        return c.SetQuietHours(start=None, end=None)
    start, end = u.parse_quiet_hours(text)
    return c.SetQuietHours(start=start, end=end)


def _channel(tokens: Tokens) -> c.Command:
    if u.parse_choice(tokens, "channel action", ["subscribe", "unsubscribe"], {}) == "unsubscribe":
        tokens.end()
        return c.ChannelUnsubscribe()
    return c.ChannelSubscribe(
        **parse_schedule(tokens, {"frequency", "time", "timezone", "days", "topics"})
    )


def _source(tokens: Tokens) -> c.Command:
    action = u.parse_choice(tokens, "source action", ["add", "list", "remove"], _REMOVE)
    if action == "list":
        tokens.end()
        return c.SourceList()
    if action == "remove":
        return c.SourceRemove(name=_name(tokens))
    url = _source_url(tokens.take("URL (http:// or https://)"))
    if not tokens:
        return c.SourceAdd(url=url)
    u.parse_choice(tokens, "source option", ["as"], {})
    return c.SourceAdd(url=url, name=_name(tokens))


def _source_url(word: str) -> str:
    if not word.lower().startswith("arxiv:"):
        return u.parse_url(word)
    try:
        parse_arxiv_query(word[6:])
    except ValueError as error:
        raise Bad(str(error)) from None
    return word


def _name(tokens: Tokens) -> str:
    name = " ".join(tokens.rest()).strip()
    if not name:
        raise Bad("missing source name")
    if len(name) > MAX_ITEM_LENGTH:
        raise Bad(f"source name is longer than {MAX_ITEM_LENGTH} characters")
    return name


def _reconcile(tokens: Tokens) -> c.AdminReconcile:
    """`reconcile` lists; `reconcile ID sent|retry` settles one."""
    if not tokens:
        return c.AdminReconcile()
    word = tokens.take("outbox id")
    if not word.isdigit() or int(word) < 1:
        raise Bad(f"{quote(word)} is not an outbox id (a number from the list)")
    outcome = u.parse_choice(tokens, "outcome", list(c.RECONCILE_OUTCOMES), {})
    tokens.end()
    return c.AdminReconcile(outbox_id=int(word), outcome=outcome)


def _admin(tokens: Tokens) -> c.Command:
    action = u.parse_choice(tokens, "admin action", ["seed", "stats", "reconcile"], {})
    if action == "stats":
        tokens.end()
        return c.AdminStats()
    if action == "reconcile":
        return _reconcile(tokens)
    values: dict[str, int] = {}
    dispatch = False
    while tokens:
        word = tokens.take("option")
        flag, eq, value = word.partition("=")  # --seed 7 and --seed=7 both work
        flag = flag.lower()
        if flag == "--dispatch" and not eq:
            dispatch = True
            continue
        if flag not in _SEED_FLAGS:
            raise Bad(f"unknown option {quote(word)}", close(flag, [*_SEED_FLAGS, "--dispatch"]))
        if flag in values:
            raise Bad(f"{flag} given twice")
        value = value if eq else tokens.take(f"number after {flag}")
        values[flag] = u.parse_int(value, flag.removeprefix("--"), *_SEED_FLAGS[flag])
    return c.AdminSeed(dispatch=dispatch, **{k.removeprefix("--"): v for k, v in values.items()})


_HANDLERS: dict[str, Callable[[Tokens], c.Command]] = {
    "subscribe": _subscribe,
    "help": _help,
    "history": _history,
    "frequency": _frequency,
    "time": _time,
    "timezone": _timezone,
    "days": lambda tokens: c.SetDays(u.parse_days(tokens.rest())),
    "pause": _pause,
    "prompt": _prompt,
    "refine": _refine,
    "style": _style,
    "tone": _tone,
    "format": _format,
    "email": _email,
    "empty": _empty,
    "alerts": _alerts,
    "quiet": _quiet,
    "channel": _channel,
    "source": _source,
    "admin": _admin,
}
