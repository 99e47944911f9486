"""The command grammar of DESIGN.md: every form, its errors, and input that must not crash it."""

from __future__ import annotations

import random
from datetime import date

import pytest

from core import commands as c
from core.models import MAX_PROMPT_LENGTH, Frequency, Style, Summarization, Tone, Weekday
from core.parser import INTERNAL_ERROR_MESSAGE, parse, parse_parts
from core.usage import GENERAL_USAGE, USAGE, help_lines

MON, TUE, WED, THU, FRI, SAT, SUN = Weekday

VALID = [
    # /subscribe: clauses in any order, keywords optional where the value is unambiguous
    ("/subscribe", c.Subscribe()),
    (
        "/subscribe weekly at 08:00 tz Europe/London on mon,wed via email",
        c.Subscribe(Frequency.WEEKLY, "08:00", "Europe/London", (MON, WED), "email"),
    ),
    (
        "/subscribe via dm on Wednesday,monday tz UTC at 8:05 bi-weekly",
        c.Subscribe(Frequency.BIWEEKLY, "08:05", "UTC", (MON, WED), "dm"),
    ),
    ("/SUBSCRIBE DAILY AT MORNING", c.Subscribe(Frequency.DAILY, "morning")),
    ("/subscribe biweekly", c.Subscribe(Frequency.BIWEEKLY)),
    ("/subscribe monthly via channel", c.Subscribe(Frequency.MONTHLY, via="channel")),
    ("/subscribe daily on weekdays", c.Subscribe(Frequency.DAILY, days=(MON, TUE, WED, THU, FRI))),
    ("/subscribe on fri thu fri", c.Subscribe(days=(THU, FRI))),
    ("/subscribe on sat, sun at evening", c.Subscribe(time_of_day="evening", days=(SAT, SUN))),
    ("/subscribe on weekends", c.Subscribe(days=(SAT, SUN))),
    ("/subscribe weekly 07:30 tuesday", c.Subscribe(Frequency.WEEKLY, "07:30", days=(TUE,))),
    ("/subscribe timezone america/new_york", c.Subscribe(timezone="America/New_York")),
    ("/unsubscribe", c.Unsubscribe()),
    ("/digest unsubscribe", c.Unsubscribe()),
    ("/digest subscribe daily", c.Subscribe(Frequency.DAILY)),
    # help
    ("/digest", c.Help()),
    ("/digest help", c.Help()),
    ("/digest HELP prompt", c.Help(topic="prompt")),
    ("/digest help tz", c.Help(topic="timezone")),
    ("/digest help /subscribe", c.Help(topic="subscribe")),
    # no-argument subcommands
    ("/digest settings", c.ShowSettings()),
    ("/digest status", c.ShowStatus()),
    ("/digest preview", c.Preview()),
    ("/digest now", c.SendNow()),
    ("/digest why", c.Why()),
    ("/digest resume", c.Resume()),
    ("/digest history", c.History()),
    ("/digest history 1", c.History(1)),
    ("/digest history 50", c.History(50)),
    # schedule
    ("/digest frequency daily", c.SetFrequency(Frequency.DAILY)),
    ("/digest frequency fortnightly", c.SetFrequency(Frequency.BIWEEKLY)),
    (
        "/digest frequency weekly on tue,thu at 18:00",
        c.SetFrequency(Frequency.WEEKLY, (TUE, THU), "18:00"),
    ),
    ("/digest frequency at night monthly", c.SetFrequency(Frequency.MONTHLY, None, "night")),
    ("/digest time 7:05", c.SetTime("07:05")),
    ("/digest time at Midday", c.SetTime("midday")),
    ("/digest time 23:59", c.SetTime("23:59")),
    ("/digest timezone Asia/Tokyo", c.SetTimezone("Asia/Tokyo")),
    ("/digest tz utc", c.SetTimezone("UTC")),
    ("/digest tz europe/london", c.SetTimezone("Europe/London")),
    ("/digest days mon,wed,fri", c.SetDays((MON, WED, FRI))),
    ("/digest days Friday Monday", c.SetDays((MON, FRI))),
    ("/digest days weekdays", c.SetDays((MON, TUE, WED, THU, FRI))),
    ("/digest days weekends and mon", c.SetDays((MON, SAT, SUN))),
    ("/digest days tues thurs", c.SetDays((TUE, THU))),
    ("/digest pause", c.Pause()),
    ("/digest pause until 2030-01-31", c.Pause(until=date(2030, 1, 31))),
    # prompts
    (
        '/digest prompt add "Find latest research on NLP"',
        c.PromptAdd("Find latest research on NLP"),
    ),
    ("/digest prompt add Find latest research on NLP", c.PromptAdd("Find latest research on NLP")),
    ("/digest prompt add what's new in RL?", c.PromptAdd("what's new in RL?")),
    ("/digest prompt add 'single quoted'", c.PromptAdd("single quoted")),
    ('/digest prompt add "NLP" and "vision"', c.PromptAdd('"NLP" and "vision"')),
    ("/digest prompt list", c.PromptList()),
    ("/digest prompts list", c.PromptList()),
    ("/digest prompt remove 2", c.PromptRemove(2)),
    ("/digest prompt rm 1", c.PromptRemove(1)),
    # refine
    (
        '/digest refine topics +nlp -vision "graph neural networks" robotics',
        c.Refine("topics", ("nlp", "graph neural networks", "robotics"), ("vision",)),
    ),
    ("/digest refine keywords -transformer", c.Refine("keywords", (), ("transformer",))),
    ("/digest refine exclude crypto,NFT", c.Refine("exclude", ("crypto", "NFT"), ())),
    ("/digest refine topic nlp NLP", c.Refine("topics", ("nlp",), ())),
    ("/digest refine threshold 0.7", c.SetThreshold("threshold", 0.7)),
    ("/digest refine threshold 1", c.SetThreshold("threshold", 1.0)),
    ("/digest refine novelty .25", c.SetThreshold("novelty", 0.25)),
    ("/digest refine novelty 0", c.SetThreshold("novelty", 0.0)),
    # personalisation
    ("/digest style concise", c.SetStyle(Style.CONCISE)),
    ("/digest style Detailed", c.SetStyle(Style.DETAILED)),
    ("/digest tone technical", c.SetTone(Tone.TECHNICAL)),
    ("/digest tone casual", c.SetTone(Tone.CASUAL)),
    ("/digest format bullet-points", c.SetFormat(Summarization.BULLET_POINTS)),
    ("/digest format bullets", c.SetFormat(Summarization.BULLET_POINTS)),
    ("/digest format bullet", c.SetFormat(Summarization.BULLET_POINTS)),
    ("/digest format bullet points", c.SetFormat(Summarization.BULLET_POINTS)),
    ("/digest format paragraphs", c.SetFormat(Summarization.PARAGRAPH)),
    ("/digest format paragraph", c.SetFormat(Summarization.PARAGRAPH)),
    ("/digest format mixed", c.SetFormat(Summarization.MIXED)),
    ("/digest email ada@example.com", c.SetEmail("ada@example.com")),
    ("/digest email <mailto:ada@example.co.uk|ada@example.co.uk>", c.SetEmail("ada@example.co.uk")),
    ("/digest email off", c.SetEmail(None)),
    ("/digest empty note", c.SetEmptyDigest("note")),
    ("/digest empty silent", c.SetEmptyDigest("silent")),
    # alerts and quiet hours
    ("/digest alerts on", c.SetAlerts(True)),
    ("/digest alerts on 0.9", c.SetAlerts(True, 0.9)),
    ("/digest alerts off", c.SetAlerts(False)),
    ("/digest quiet 22:00-07:00", c.SetQuietHours("22:00", "07:00")),
    ("/digest quiet 22:00 - 7:00", c.SetQuietHours("22:00", "07:00")),
    ("/digest quiet 23:30 to 06:15", c.SetQuietHours("23:30", "06:15")),
    ("/digest quiet night-morning", c.SetQuietHours("21:00", "08:00")),
    ("/digest quiet off", c.SetQuietHours(None, None)),
    # channels, sources, admin
    ("/digest channel subscribe", c.ChannelSubscribe()),
    (
        "/digest channel subscribe daily at 09:00 tz Europe/Berlin on weekdays"
        ' topics nlp,"computer vision"',
        c.ChannelSubscribe(
            Frequency.DAILY,
            "09:00",
            "Europe/Berlin",
            (MON, TUE, WED, THU, FRI),
            ("nlp", "computer vision"),
        ),
    ),
    (
        "/digest channel subscribe topics nlp, robotics at 10:00",
        c.ChannelSubscribe(time_of_day="10:00", topics=("nlp", "robotics")),
    ),
    ("/digest channel unsubscribe", c.ChannelUnsubscribe()),
    ("/digest source add https://arxiv.org/rss/cs.CL", c.SourceAdd("https://arxiv.org/rss/cs.CL")),
    (
        "/digest source add http://example.com/feed as Example Feed",
        c.SourceAdd("http://example.com/feed", "Example Feed"),
    ),
    ("/digest source add <https://x.org/a|x.org/a>", c.SourceAdd("https://x.org/a")),
    ("/digest source list", c.SourceList()),
    ("/digest source remove Example Feed", c.SourceRemove("Example Feed")),
    ("/digest admin seed", c.AdminSeed()),
    (
        "/digest admin seed --subscribers 100000 --content 1000000 --seed 42 --dispatch",
        c.AdminSeed(100_000, 1_000_000, 42, True),
    ),
    ("/digest admin seed --content=5 --subscribers=1", c.AdminSeed(1, 5)),
    ("/digest admin stats", c.AdminStats()),
]


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[t for t, _ in VALID])
def test_every_form_gives_its_command(text: str, expected: c.Command) -> None:
    assert parse(text) == expected


def test_bare_subscribe_is_bare_and_others_are_not() -> None:
    bare = parse("/subscribe")
    assert isinstance(bare, c.Subscribe) and bare.is_bare
    full = parse("/subscribe daily")
    assert isinstance(full, c.Subscribe) and not full.is_bare


def test_parse_parts_takes_the_argument_text_separately() -> None:
    assert parse_parts("/digest", 'prompt add "NLP"') == c.PromptAdd("NLP")
    assert parse_parts("/subscribe", "weekly on mon") == c.Subscribe(Frequency.WEEKLY, days=(MON,))
    assert parse_parts("/unsubscribe", "") == c.Unsubscribe()
    assert parse_parts("digest", "  ") == c.Help()


@pytest.mark.parametrize(
    "prompt",
    ["'; DROP TABLE x; --", "*bold* <@U123>", "Robert'); DELETE FROM users;--", "<!channel> `x`"],
)
def test_quoted_prompts_are_kept_verbatim(prompt: str) -> None:
    assert parse(f'/digest prompt add "{prompt}"') == c.PromptAdd(prompt)


def test_unquoted_markdown_prompt_is_kept_verbatim() -> None:
    assert parse("/digest prompt add *bold* <@U123> _x_") == c.PromptAdd("*bold* <@U123> _x_")


def test_prompt_at_the_limit_is_accepted_and_past_it_refused() -> None:
    assert parse(f'/digest prompt add "{"a" * MAX_PROMPT_LENGTH}"') == c.PromptAdd(
        "a" * MAX_PROMPT_LENGTH
    )
    error = parse(f'/digest prompt add "{"a" * 10_000}"')
    assert isinstance(error, c.ParseError)
    assert error.message == f"prompt is 10000 characters; the limit is {MAX_PROMPT_LENGTH}"
    assert error.usage == USAGE["prompt"]


INVALID = [
    # (input, a fragment the message must contain, the usage key or None for the general usage)
    (
        "/subscribe fortnighty",
        "unknown frequency 'fortnighty' (choose daily, weekly, bi-weekly, monthly)",
        "subscribe",
    ),
    ("/subscribe at", "missing time after 'at'", "subscribe"),
    ("/subscribe at 25:00", "bad time '25:00'", "subscribe"),
    ("/subscribe at 8am", "bad time '8am'", "subscribe"),
    ("/subscribe tz Mars/Olympus", "bad timezone 'Mars/Olympus'", "subscribe"),
    ("/subscribe on", "missing days after 'on'", "subscribe"),
    ("/subscribe on funday", "unknown day 'funday'", "subscribe"),
    ("/subscribe via pigeon", "unknown destination 'pigeon'", "subscribe"),
    ("/subscribe daily weekly", "frequency given twice", "subscribe"),
    ("/subscribe topics nlp", "'topics' does not belong", "subscribe"),
    ("/unsubscribe now", "unexpected 'now'", "unsubscribe"),
    ("/digest frobnicate", "unknown subcommand 'frobnicate'", None),
    ("/digest settings please", "unexpected 'please'", "settings"),
    ("/digest help frob", "no help for 'frob'", "help"),
    ("/digest history abc", "'abc' is not a number", "history"),
    ("/digest history 0", "history 0 is outside 1..50", "history"),
    ("/digest history 51", "history 51 is outside 1..50", "history"),
    ("/digest history 99999999999999999999999", "far too large", "history"),
    ("/digest frequency", "missing frequency", "frequency"),
    ("/digest frequency hourly", "unknown frequency 'hourly'", "frequency"),
    ("/digest frequency weekly tz UTC", "'tz' does not belong", "frequency"),
    ("/digest time", "missing time", "time"),
    ("/digest time 12:60", "bad time '12:60'", "time"),
    ("/digest time 08:00 extra", "unexpected 'extra'", "time"),
    ("/digest timezone", "missing timezone", "timezone"),
    ("/digest timezone Mars/Olympus", "bad timezone 'Mars/Olympus'", "timezone"),
    ("/digest tz ../../etc/passwd", "bad timezone '../../etc/passwd'", "timezone"),
    ("/digest days", "missing days", "days"),
    ("/digest days mon,blursday", "unknown day 'blursday'", "days"),
    ("/digest pause for a while", "unknown pause option 'for'", "pause"),
    ("/digest pause until", "missing date", "pause"),
    ("/digest pause until tomorrow", "bad date 'tomorrow'", "pause"),
    ("/digest pause until 2030-02-30", "bad date '2030-02-30'", "pause"),
    ("/digest resume now", "unexpected 'now'", "resume"),
    ("/digest prompt", "missing prompt action", "prompt"),
    ("/digest prompt add", "the prompt is empty", "prompt"),
    ('/digest prompt add ""', "the prompt is empty", "prompt"),
    ('/digest prompt add "unclosed', "unclosed quote", "prompt"),
    ("/digest prompt edit 1", "unknown prompt action 'edit'", "prompt"),
    ("/digest prompt remove", "missing prompt number", "prompt"),
    ("/digest prompt remove one", "'one' is not a number", "prompt"),
    ("/digest prompt remove 0", "prompt number 0 must be 1 or more", "prompt"),
    ("/digest refine", "missing refinement", "refine"),
    ("/digest refine colours +red", "unknown refinement 'colours'", "refine"),
    ("/digest refine topics", "missing topics", "refine"),
    ("/digest refine topics + -", "missing topics", "refine"),
    ("/digest refine topics +nlp -nlp", "'nlp' is both added and removed", "refine"),
    ("/digest refine threshold 1.5", "threshold 1.5 is outside 0..1", "refine"),
    ("/digest refine threshold -0.1", "threshold -0.1 is outside 0..1", "refine"),
    ("/digest refine threshold abc", "'abc' is not a number", "refine"),
    ("/digest refine threshold nan", "'nan' is not a number", "refine"),
    ("/digest refine novelty", "missing novelty value", "refine"),
    ("/digest style fancy", "unknown style 'fancy' (choose concise, balanced, detailed)", "style"),
    ("/digest style", "missing style", "style"),
    ("/digest tone snarky", "unknown tone 'snarky'", "tone"),
    ("/digest format haiku", "unknown format 'haiku'", "format"),
    ("/digest email", "missing email address", "email"),
    ("/digest email not-an-address", "bad email address 'not-an-address'", "email"),
    ("/digest email a@b", "bad email address 'a@b'", "email"),
    ('/digest email "a b@example.com"', "bad email address", "email"),
    ('/digest email "a@example.com\r\nBcc: x@y.z"', "bad email address", "email"),
    (f"/digest email {'a' * 250}@example.com", "bad email address", "email"),
    ("/digest email a@example.com b@example.com", "unexpected 'b@example.com'", "email"),
    ("/digest empty loud", "unknown empty-digest mode 'loud'", "empty"),
    ("/digest why not", "unexpected 'not'", "why"),
    ("/digest alerts", "missing alerts setting", "alerts"),
    ("/digest alerts maybe", "unknown alerts setting 'maybe'", "alerts"),
    ("/digest alerts on 1.5", "minimum score 1.5 is outside 0..1", "alerts"),
    ("/digest alerts off 0.5", "unexpected '0.5'", "alerts"),
    ("/digest quiet", "missing quiet hours", "quiet"),
    ("/digest quiet 22:00", "bad quiet hours '22:00'", "quiet"),
    ("/digest quiet 22:00-25:00", "bad time '25:00'", "quiet"),
    ("/digest quiet 08:00-morning", "cannot start and end at the same time", "quiet"),
    ("/digest channel", "missing channel action", "channel"),
    ("/digest channel join", "unknown channel action 'join'", "channel"),
    ("/digest channel subscribe via dm", "'via' does not belong", "channel"),
    ("/digest channel subscribe topics", "missing topics after 'topics'", "channel"),
    ("/digest source", "missing source action", "source"),
    ("/digest source add", "missing URL", "source"),
    ("/digest source add ftp://example.com/feed", "bad URL 'ftp://example.com/feed'", "source"),
    ("/digest source add javascript:alert(1)", "bad URL", "source"),
    ("/digest source add https://x.org as", "missing source name", "source"),
    ("/digest source add https://x.org called X", "unknown source option 'called'", "source"),
    ("/digest source remove", "missing source name", "source"),
    ("/digest admin", "missing admin action", "admin"),
    ("/digest admin reboot", "unknown admin action 'reboot'", "admin"),
    ("/digest admin seed --subscribers", "missing number after --subscribers", "admin"),
    ("/digest admin seed --subscribers 0", "subscribers 0 is outside 1..100000", "admin"),
    ("/digest admin seed --subscribers 100001", "subscribers 100001 is outside", "admin"),
    ("/digest admin seed --content 1000001", "content 1000001 is outside 1..1000000", "admin"),
    ("/digest admin seed --seed x", "'x' is not a number", "admin"),
    ("/digest admin seed --seed 1 --seed 2", "--seed given twice", "admin"),
    ("/digest admin seed --subscriber 5", "unknown option '--subscriber'", "admin"),
    ("/digest admin stats now", "unexpected 'now'", "admin"),
    ('/digest refine topics "nlp', "unclosed quote", None),
    ("/digest refine topics nlp\\", "a trailing backslash escapes nothing", None),
    ("/frobnicate", "unknown command '/frobnicate'", None),
    ("", "empty command", None),
    ("/digest help\x00", "NUL character", None),
    ("/digest email \udcff@x.com", "not valid text", None),
]


@pytest.mark.parametrize(
    ("text", "fragment", "topic"), INVALID, ids=[t[:60] for t, _, _ in INVALID]
)
def test_malformed_input_is_a_parse_error_quoting_the_bad_part(
    text: str, fragment: str, topic: str | None
) -> None:
    error = parse(text)
    assert isinstance(error, c.ParseError), error
    assert fragment in error.message
    assert error.usage == (USAGE[topic] if topic else GENERAL_USAGE)


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("/digest prevew", "preview"),
        ("/digest setings", "settings"),
        ("/digest refin topics +a", "refine"),
        ("/digest help promt", "prompt"),
        ("/subscribe wekly", "weekly"),
        ("/digest style consise", "concise"),
        ("/digest tone formel", "formal"),
        ("/digest days mon,wendesday", "wednesday"),
        ("/digest tz Europe/Londn", "Europe/London"),
        ("/digest tz New York", "America/New_York"),
        ("/digest admin seed --conten 5", "--content"),
        ("/digets help", "/digest"),
        ("/help", "/digest help"),
    ],
)
def test_near_misses_come_with_suggestions(text: str, suggestion: str) -> None:
    error = parse(text)
    assert isinstance(error, c.ParseError)
    assert suggestion in error.suggestions


def test_unknown_subcommand_without_a_near_match_has_no_suggestions() -> None:
    assert parse("/digest frobnicate") == c.ParseError(
        "unknown subcommand 'frobnicate'", GENERAL_USAGE, []
    )


def test_long_bad_values_are_quoted_shortened() -> None:
    error = parse(f"/digest style {'x' * 5000}")
    assert isinstance(error, c.ParseError)
    assert len(error.message) < 200


def test_help_lists_every_subcommand_one_line_each() -> None:
    lines = help_lines()
    assert len(lines) == len(USAGE)
    for line, usage in zip(lines, USAGE.values(), strict=True):
        assert "\n" not in line and line.startswith(usage)
    for topic in USAGE:
        assert parse(f"/digest help {topic}") == c.Help(topic=topic)


def test_every_subcommand_in_usage_is_understood() -> None:
    for topic in USAGE:
        result = parse(f"/digest {topic}")
        message = result.message if isinstance(result, c.ParseError) else ""
        assert "unknown subcommand" not in message, topic


# --- Fuzzing: no input may raise, and every error carries a usage line.

_WORDS = (
    "/digest /subscribe /unsubscribe help settings status preview now history frequency time "
    "timezone tz days pause until resume prompt add list remove refine topics keywords exclude "
    "threshold novelty style tone format email off empty note silent why alerts on quiet "
    "channel subscribe unsubscribe source as admin seed stats --subscribers --content --seed "
    "--dispatch daily weekly bi-weekly monthly at via dm 08:00 25:99 morning mon,wed weekdays "
    "Europe/London Mars/Olympus 0.5 1.5 -1 abc 3 \" ' \\ + - , = < > | @ ; -- * ` é 東京 🙂"
)
_VOCAB = _WORDS.split()


def _random_text(rng: random.Random) -> str:
    text = _random_words(rng)
    if rng.random() < 0.1:
        at = rng.randrange(len(text) + 1)
        text = text[:at] + "\x00" + text[at:]
    if rng.random() < 0.02:
        text = text * rng.randrange(200, 2000)  # very long, often past the length limit
    return text


def _random_words(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:  # arbitrary code points, controls and surrogates included
        return "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(40)))
    if kind == 1:  # printable ASCII soup
        return "".join(chr(rng.randrange(32, 127)) for _ in range(rng.randrange(60)))
    words = [rng.choice(_VOCAB) for _ in range(rng.randrange(1, 9))]
    if kind == 2:
        words.insert(0, rng.choice(["/digest", "/subscribe"]))
    return rng.choice([" ", "  ", "\t", ",", ""]).join(words)


def _assert_well_formed(result: object) -> None:
    assert isinstance(result, c.Command | c.ParseError)
    if isinstance(result, c.ParseError):
        assert result.usage
        assert result.message and result.message != INTERNAL_ERROR_MESSAGE
        assert all(isinstance(s, str) for s in result.suggestions)


def test_fuzzed_input_never_raises() -> None:
    rng = random.Random(20240611)
    for _ in range(600):
        text = _random_text(rng)
        _assert_well_formed(parse(text))
        _assert_well_formed(parse("/digest " + text))
        _assert_well_formed(parse_parts(rng.choice(["/digest", "/subscribe", "/x"]), text))


@pytest.mark.parametrize(
    "text",
    [
        "/digest prompt add \x00",
        "/digest \x00\x00",
        "/digest " + "a" * 1_000_000,
        "/digest prompt add " + "a" * 1_000_000,
        "/digest prompt add " + '"' * 100_001,
        "/digest refine topics " + " ".join(["+x"] * 5_000),
        "/digest tz " + "A/" * 3000,
        "/subscribe " + "on " * 10_000,
        "/digest \u202e\u200b\ufeff",
        "/digest history ١٢",
        "/digest time ٠٨:٠٠",
        "/digest email a@b.c\nb",
        "/digest source add http://[::1",
    ],
    ids=lambda t: repr(t[:30]),
)
def test_hostile_input_is_handled(text: str) -> None:
    result = parse(text)
    _assert_well_formed(result)
    assert isinstance(result, c.ParseError)
