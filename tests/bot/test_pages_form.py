"""The preference form becomes the chat's own typed commands: only what changed, checked
by the chat's parsers, and nothing at all when any field is wrong."""

from __future__ import annotations

from multidict import MultiDict, MultiDictProxy

from bot.http.pages.form import current_values, read_form
from core import commands as c
from core.models import AlertSettings, Frequency, Style, Subscriber, Weekday


def _subscriber() -> Subscriber:
    s = Subscriber(name="Ada", platform="web", platform_user_id="ada@example.org")
    s.frequency_settings.time_of_day = "08:00"
    s.frequency_settings.preferred_days = [Weekday.MONDAY]
    s.ai_metadata.prompts = ["first prompt", "second prompt", "third prompt"]
    s.ai_metadata.alerts = AlertSettings(enabled=False, quiet_hours="22:00-07:00")
    return s


def _form(subscriber: Subscriber, **changes: object) -> MultiDictProxy[str]:
    """The form exactly as the page renders it for `subscriber`, then `changes` applied."""
    now = current_values(subscriber)
    fields: dict[str, object] = {
        name: now[name] for name in ("frequency", "time_of_day", "timezone", "style", "tone")
    }
    fields |= {"format": now["format"], "min_score": now["min_score"]}
    fields |= {"quiet_hours": now["quiet_hours"], "new_prompt": "", "days": now["days"]}
    fields |= {f"prompt_{n}": text for n, text in enumerate(now["prompts"], 1)}
    fields |= changes
    pairs = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((name, str(item)))
    return MultiDictProxy(MultiDict(pairs))


def test_an_untouched_form_asks_for_nothing() -> None:
    subscriber = _subscriber()
    result = read_form(_form(subscriber), subscriber)
    assert result.commands == [] and result.errors == {}


def test_changed_fields_become_the_chat_commands_in_a_safe_order() -> None:
    subscriber = _subscriber()
    form = _form(
        subscriber,
        frequency="biweekly",
        time_of_day="evening",
        days=["Tue", "Friday"],
        style="concise",
        timezone="america/new_york",
    )
    result = read_form(form, subscriber)
    assert result.errors == {}
    assert result.commands == [
        ("frequency", c.SetFrequency(frequency=Frequency.BIWEEKLY)),
        ("time_of_day", c.SetTime("evening")),
        ("timezone", c.SetTimezone("America/New_York")),
        ("days", c.SetDays((Weekday.TUESDAY, Weekday.FRIDAY))),
        ("style", c.SetStyle(Style.CONCISE)),
    ]


def test_one_bad_field_means_no_command_and_keeps_what_was_typed() -> None:
    subscriber = _subscriber()
    form = _form(
        subscriber, frequency="weekly", timezone="Mars/Olympus", min_score="2", alerts="on"
    )
    result = read_form(form, subscriber)
    assert result.commands == []
    assert "bad timezone 'Mars/Olympus'" in result.errors["timezone"]
    assert result.errors["min_score"] == "minimum score 2 is outside 0..1"
    assert result.values["timezone"] == "Mars/Olympus"
    assert result.values["frequency"] == "weekly"


def test_prompts_are_removed_highest_first_and_edits_replace_the_old_wording() -> None:
    subscriber = _subscriber()
    form = _form(subscriber, prompt_1="first prompt, reworded", remove_3="on", new_prompt="new")
    result = read_form(form, subscriber)
    assert result.commands == [
        ("prompts", c.PromptRemove(3)),
        ("prompts", c.PromptRemove(1)),
        ("prompt_1", c.PromptAdd("first prompt, reworded")),
        ("new_prompt", c.PromptAdd("new")),
    ]


def test_prompts_get_the_chat_parsers_checks() -> None:
    subscriber = _subscriber()
    result = read_form(_form(subscriber, new_prompt="x" * 501), subscriber)
    assert result.errors == {"new_prompt": "prompt is 501 characters; the limit is 500"}
    # An emptied prompt box removes that prompt, as the remove box does.
    result = read_form(_form(subscriber, prompt_2="  "), subscriber)
    assert result.commands == [("prompts", c.PromptRemove(2))]


def test_alerts_and_quiet_hours() -> None:
    subscriber = _subscriber()
    result = read_form(_form(subscriber, alerts="on", min_score="0.9", quiet_hours=""), subscriber)
    assert result.commands == [
        ("alerts", c.SetAlerts(enabled=True, min_score=0.9)),
        ("quiet_hours", c.SetQuietHours(None)),
    ]
    result = read_form(_form(subscriber, quiet_hours="23:00 to 06:30"), subscriber)
    assert result.commands == [("quiet_hours", c.SetQuietHours("23:00", "06:30"))]
    result = read_form(_form(subscriber, quiet_hours="late"), subscriber)
    assert "bad quiet hours" in result.errors["quiet_hours"]


def test_no_day_ticked_clears_the_preference_and_a_forged_day_is_refused() -> None:
    subscriber = _subscriber()
    assert read_form(_form(subscriber, days=[]), subscriber).commands == [("days", c.SetDays(()))]
    result = read_form(_form(subscriber, days=["Caturday"]), subscriber)
    assert "unknown day 'Caturday'" in result.errors["days"]
    result = read_form(_form(subscriber, style="fancy"), subscriber)
    assert result.errors["style"].startswith("unknown style 'fancy'")
