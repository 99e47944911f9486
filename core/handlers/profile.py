"""What a subscriber wants to read, and how their digest reads."""

from __future__ import annotations

from core import commands as c
from core.actor import Actor
from core.context import Context
from core.learning import explain
from core.models import MAX_PROMPTS, RefinedRequests, Subscriber
from core.ranking import (
    DISLIKE_PENALTY,
    FAVOURITE_BOOST,
    KEYWORD_MATCH,
    SOURCE_BOOST,
    STYLE_LIMITS,
    score_item,
)
from core.reply import Reply, Section
from core.scoring import FORMULA_LINES

SAMPLE_POOL = 300


def _terms(values: list[str]) -> str:
    return ", ".join(values) if values else "(none)"


def refined_section(wants: RefinedRequests) -> Section:
    return Section(
        title="What I look for",
        fields=[
            ("topics", _terms(wants.topics)),
            ("keywords", _terms(wants.keywords)),
            ("excluded", _terms(wants.excluded_keywords)),
            ("relevance threshold", f"{wants.relevance_threshold:.2f}"),
            ("novelty minimum", f"{wants.novelty_score_min:.2f}"),
        ],
    )


async def _samples(ctx: Context, subscriber: Subscriber) -> Section:
    items = await ctx.content.recent(SAMPLE_POOL)
    scored = [score_item(item, subscriber.ai_metadata) for item in items]
    matching = sorted((s for s in scored if s.left_out is None), key=lambda s: -s.score)[:3]
    if not matching:
        return Section(
            title="Sample matches",
            text="Nothing in the library matches yet (try /digest admin seed for mock data).",
        )
    lines = [f"• {s.item.title} ({s.item.source}, score {s.score:.2f})" for s in matching]
    return Section(title="Sample matches", text="\n".join(lines))


async def prompt_add(ctx: Context, actor: Actor, cmd: c.PromptAdd) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    meta = subscriber.ai_metadata
    if len(meta.prompts) >= MAX_PROMPTS:
        return Reply.error(
            f"you already have {MAX_PROMPTS} prompts; remove one first.", "/digest prompt remove N"
        )
    meta.prompts.append(cmd.text)
    meta.refined_requests = await ctx.refiner.refine(cmd.text, meta.refined_requests)
    saved = await ctx.subscribers.save(subscriber)
    return Reply(
        text=f"📝 Prompt {len(meta.prompts)} added. Here is how I read it:",
        sections=[refined_section(saved.ai_metadata.refined_requests), await _samples(ctx, saved)],
    )


async def prompt_list(ctx: Context, actor: Actor, _: c.PromptList) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    prompts = subscriber.ai_metadata.prompts
    if not prompts:
        return Reply(text='You have no prompts yet. Add one: /digest prompt add "..."')
    lines = "\n".join(f"{n}. {p}" for n, p in enumerate(prompts, 1))
    return Reply(
        text=f"Your prompts:\n{lines}",
        sections=[refined_section(subscriber.ai_metadata.refined_requests)],
    )


async def prompt_remove(ctx: Context, actor: Actor, cmd: c.PromptRemove) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    prompts = subscriber.ai_metadata.prompts
    if not 1 <= cmd.index <= len(prompts):
        return Reply.error(
            f"there is no prompt {cmd.index}; you have {len(prompts)}.", "/digest prompt remove N"
        )
    removed = prompts.pop(cmd.index - 1)
    # Rebuild topics from the remaining prompts, keeping the hand-made exclusions and bars.
    old = subscriber.ai_metadata.refined_requests
    wants = RefinedRequests(
        excluded_keywords=old.excluded_keywords,
        relevance_threshold=old.relevance_threshold,
        novelty_score_min=old.novelty_score_min,
    )
    for prompt in prompts:
        wants = await ctx.refiner.refine(prompt, wants)
    subscriber.ai_metadata.refined_requests = wants
    await ctx.subscribers.save(subscriber)
    return Reply(text=f"🗑️ Removed prompt “{removed}”.", sections=[refined_section(wants)])


def _edit(values: list[str], add: tuple[str, ...], remove: tuple[str, ...]) -> list[str]:
    dropped = {r.lower() for r in remove}
    kept = [v for v in values if v.lower() not in dropped]
    for term in add:
        if term.lower() not in {v.lower() for v in kept}:
            kept.append(term)
    return kept


async def refine(ctx: Context, actor: Actor, cmd: c.Refine) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    wants = subscriber.ai_metadata.refined_requests
    attr = {"topics": "topics", "keywords": "keywords", "exclude": "excluded_keywords"}[cmd.field]
    setattr(wants, attr, _edit(getattr(wants, attr), cmd.add, cmd.remove))
    saved = await ctx.subscribers.save(subscriber)
    return Reply(
        text=f"🎯 Updated {cmd.field}.",
        sections=[refined_section(saved.ai_metadata.refined_requests), await _samples(ctx, saved)],
    )


async def set_threshold(ctx: Context, actor: Actor, cmd: c.SetThreshold) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    wants = subscriber.ai_metadata.refined_requests
    if cmd.kind == "threshold":
        wants.relevance_threshold = cmd.value
        label = "Relevance threshold"
    else:
        wants.novelty_score_min = cmd.value
        label = "Novelty minimum"
    await ctx.subscribers.save(subscriber)
    return Reply(text=f"🎚️ {label} set to {cmd.value:.2f}.")


async def personalise(ctx: Context, actor: Actor, cmd: c.Command) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    look = subscriber.ai_metadata.personalization
    match cmd:
        case c.SetStyle(style=style):
            look.style = style
            text = f"Style: {style.value} (up to {STYLE_LIMITS[style]} items)."
        case c.SetTone(tone=tone):
            look.tone = tone
            text = f"Tone: {tone.value}."
        case c.SetFormat(summarization=form):
            look.summarization = form
            text = f"Format: {form.value}."
        case _:
            raise TypeError(cmd)
    await ctx.subscribers.save(subscriber)
    return Reply(text=f"🎨 {text} Try /digest preview to see it.")


async def why(ctx: Context, actor: Actor, _: c.Why) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    meta = subscriber.ai_metadata
    w = meta.personalization.ai_scoring_weight
    history = meta.learned_preferences.engagement_history
    lines = [
        f"• A match on one of your topics counts 1.0; a keyword-only match {KEYWORD_MATCH}.",
        f"• Your score = {1 - w:.2f} × match + {w:.2f} × the item's overall AI score.",
        f"• Favourite topics (+{FAVOURITE_BOOST}): {_terms(history.favorite_topics)}.",
        f"• Topics you 👎 ({DISLIKE_PENALTY}): {_terms(history.disliked_topics)}.",
        f"• Preferred sources (+{SOURCE_BOOST}): "
        f"{_terms(meta.learned_preferences.preferred_sources)}.",
        f"• Items under {meta.refined_requests.relevance_threshold:.2f}, or less novel than "
        f"{meta.refined_requests.novelty_score_min:.2f}, or mentioning an excluded keyword "
        "are left out.",
        f"• Your {meta.personalization.style.value} style keeps the top "
        f"{STYLE_LIMITS[meta.personalization.style]}.",
        f"• Opens {history.avg_open_rate:.0%} and clicks {history.avg_click_rate:.0%} of your "
        "digests are reported; clicks and 👍/👎 teach the ranking, opens alone never do.",
        *explain(history),
        *FORMULA_LINES,
    ]
    return Reply(text="🧮 How I rank items for you:\n" + "\n".join(lines))


async def alerts(ctx: Context, actor: Actor, cmd: c.Command) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    settings = subscriber.ai_metadata.alerts
    match cmd:
        case c.SetAlerts(enabled=enabled, min_score=min_score):
            settings.enabled = enabled
            if min_score is not None:
                settings.min_score = min_score
            text = (
                f"🔔 Alerts on for items scoring {settings.min_score:.2f} or more "
                f"(at most {settings.max_per_day} a day)."
                if enabled
                else "🔕 Alerts off."
            )
        case c.SetQuietHours(start=start, end=end):
            settings.quiet_hours = f"{start}-{end}" if start and end else None
            text = f"🌙 Quiet hours {settings.quiet_hours}." if start else "🌙 Quiet hours off."
        case _:
            raise TypeError(cmd)
    await ctx.subscribers.save(subscriber)
    return Reply(text=text)
