"""The guided set-up behind a bare `/subscribe`: a few questions, state in the session store.

The profile is created only when the last answer arrives, so an abandoned set-up (its
session expires) leaves nothing behind."""

from __future__ import annotations

from typing import Any

from core import commands as c
from core.actor import Actor
from core.context import Context
from core.handlers.profile import prompt_add
from core.handlers.subscription import subscribe
from core.models import (
    NAMED_SLOTS,
    Frequency,
    Weekday,
    validate_time_of_day,
    validate_timezone,
)
from core.reply import Action, Reply

STEPS = ("frequency", "time", "timezone", "days", "prompt")
QUESTIONS = {
    "frequency": "How often would you like a digest?",
    "time": "At what time? (HH:MM, 24 h, or a slot)",
    "timezone": "Which timezone? (an IANA name like Europe/London)",
    "days": "Which day(s)? (e.g. mon or mon,wed,fri; 'any' for every day)",
    "prompt": "What should I look for? Describe it in a sentence, or 'skip'.",
}


def _choices(step: str, actor: Actor) -> list[Action]:
    values: list[str] = []
    if step == "frequency":
        values = [f.value for f in Frequency]
    elif step == "time":
        values = list(NAMED_SLOTS)
    elif step == "timezone":
        values = [z for z in (actor.default_timezone, "UTC") if z]
    elif step == "days":
        values = ["any", *(d.value for d in Weekday)]
    elif step == "prompt":
        values = ["skip"]
    return [Action(action_id=f"setup_{step}", label=v, value=v) for v in values]


def question(step: str, actor: Actor, note: str = "") -> Reply:
    number = STEPS.index(step) + 1
    text = f"{note}🧭 Set-up {number}/{len(STEPS)}: {QUESTIONS[step]} ('cancel' stops)"
    return Reply(text=text, actions=_choices(step, actor))


async def start(ctx: Context, actor: Actor) -> Reply:
    await ctx.sessions.put(actor.platform, actor.user_id, {"flow": "subscribe", "answers": {}})
    return question("frequency", actor)


def _parse(step: str, answer: str) -> Any:
    if step == "frequency":
        return Frequency.parse(answer).value
    if step == "time":
        return validate_time_of_day(answer)
    if step == "timezone":
        return validate_timezone(answer)
    if step == "days":
        if answer.strip().lower() in ("any", "every day", "all"):
            return []
        return [Weekday.parse(d).value for d in answer.replace(",", " ").split()]
    return None if answer.strip().lower() == "skip" else answer.strip()


async def answer(ctx: Context, actor: Actor, text: str) -> Reply | None:
    """Take the next answer of a running set-up; None when no set-up is running."""
    state = await ctx.sessions.get(actor.platform, actor.user_id)
    if not state or state.get("flow") != "subscribe":
        return None
    if text.strip().lower() == "cancel":
        await ctx.sessions.delete(actor.platform, actor.user_id)
        return Reply(text="Set-up cancelled; nothing was saved.")
    answers: dict[str, Any] = state["answers"]
    step = next(s for s in STEPS if s not in answers)
    try:
        answers[step] = _parse(step, text)
    except ValueError as error:
        return question(step, actor, note=f"⚠️ {error}\n")
    remaining = [s for s in STEPS if s not in answers]
    if answers.get("frequency") == Frequency.MONTHLY.value and "days" in remaining:
        answers["days"] = []
        remaining.remove("days")
    if remaining:
        await ctx.sessions.put(actor.platform, actor.user_id, state)
        return question(remaining[0], actor)
    await ctx.sessions.delete(actor.platform, actor.user_id)
    return await complete(ctx, actor, answers)


async def complete(ctx: Context, actor: Actor, answers: dict[str, Any]) -> Reply:
    """Create the profile from a full set of answers (also used by Slack and Discord forms)."""
    days = tuple(Weekday.parse(d) for d in answers.get("days") or ())
    command = c.Subscribe(
        frequency=Frequency.parse(answers["frequency"]),
        time_of_day=answers.get("time"),
        timezone=answers.get("timezone"),
        days=days or None,
    )
    reply = await subscribe(ctx, actor, command)
    prompt = answers.get("prompt")
    if prompt:
        added = await prompt_add(ctx, actor, c.PromptAdd(text=prompt))
        subscribed = reply.text.split("\nTell me what to look for")[0]  # it was just told
        return Reply(text=f"{subscribed}\n{added.text}", sections=added.sections)
    return reply
