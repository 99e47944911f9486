"""Looking at digests: settings, status, preview, history, and sending one now."""

from __future__ import annotations

from core import commands as c
from core.actor import Actor
from core.context import Context
from core.handlers.profile import refined_section
from core.handlers.subscription import schedule_line
from core.models import Digest, Subscriber
from core.reply import Action, Reply, Section

OUTCOME_WORDS = {
    "digest": "a digest",
    "empty-note": "nothing cleared your bar, so you got a one-line note",
    "empty-silent": "nothing cleared your bar, so (as you asked) nothing was sent",
}


def profile_sections(subscriber: Subscriber) -> list[Section]:
    look = subscriber.ai_metadata.personalization
    alerts = subscriber.ai_metadata.alerts
    return [
        Section(
            title="Delivery",
            fields=[
                ("status", subscriber.status.value),
                ("schedule", schedule_line(subscriber)),
                ("via", subscriber.dispatch_type.value),
                ("email", subscriber.email or "(none)"),
            ],
        ),
        Section(
            title="Reading",
            fields=[
                ("style", look.style.value),
                ("tone", look.tone.value),
                ("format", look.summarization.value),
                ("alerts", f"on ≥ {alerts.min_score:.2f}" if alerts.enabled else "off"),
                ("quiet hours", alerts.quiet_hours or "(none)"),
            ],
        ),
        Section(
            title="Prompts",
            text="\n".join(f"{n}. {p}" for n, p in enumerate(subscriber.ai_metadata.prompts, 1))
            or "(none yet)",
        ),
        refined_section(subscriber.ai_metadata.refined_requests),
    ]


async def settings(ctx: Context, actor: Actor, _: c.ShowSettings) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    return Reply(text=f"⚙️ Settings for {subscriber.name}", sections=profile_sections(subscriber))


async def status(ctx: Context, actor: Actor, _: c.ShowStatus) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    lines = [f"Status: {subscriber.status.value}", f"Schedule: {schedule_line(subscriber)}"]
    if subscriber.paused_until:
        lines.append(f"Paused until {subscriber.paused_until:%Y-%m-%d}")
    history = await ctx.ledger.history(subscriber.id or 0, 1)
    if not history:
        lines.append("Last digest: none yet (try /digest preview or /digest now)")
    else:
        last = history[0]
        what = OUTCOME_WORDS.get(last.outcome, last.outcome)
        count = len(last.item_titles)
        states = ", ".join(sorted(set(last.delivery_states))) or "nothing to deliver"
        lines.append(
            f"Last digest: {last.created_at:%Y-%m-%d %H:%M} UTC: {what}"
            f" ({count} item{'s' * (count != 1)}; delivery: {states})"
        )
    return Reply(text="📊 " + "\n".join(lines))


def _digest_lines(digest: Digest) -> str:
    if not digest.items:
        return "Nothing clears your bar right now."
    return "\n".join(
        f"{d.rank}. {d.item.title} ({d.item.source}, score {d.score:.2f}): {'; '.join(d.reasons)}"
        for d in digest.items
    )


async def preview(ctx: Context, actor: Actor, _: c.Preview) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    digest = await ctx.pipeline.assemble(subscriber, "preview")
    misses = "\n".join(
        f"• {m.item.title} (score {m.score:.2f}): {m.why_left_out}" for m in digest.near_misses[:5]
    )
    return Reply(
        text=f"👀 Preview: {len(digest.items)} of {digest.considered} new items would be sent.",
        sections=[
            Section(title="Would be sent", text=_digest_lines(digest)),
            Section(title="Near misses", text=misses or "(none)"),
        ],
        actions=[Action(action_id="digest_now", label="Send it now", value="now")],
    )


async def send_now(ctx: Context, actor: Actor, _: c.SendNow) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    now = ctx.clock.now()
    published = await ctx.pipeline.publish(
        subscriber, f"manual:{now.isoformat()}", subscriber.next_due_at
    )
    if published.publication_id is not None:
        await ctx.dispatcher.deliver_publication(published.publication_id)
    count = len(published.digest.items)
    if published.outcome != "digest":
        return Reply(text=f"📭 {OUTCOME_WORDS[published.outcome].capitalize()}.")
    return Reply(
        text=f"📬 Sent your digest: {count} item{'s' * (count != 1)} "
        f"(of {published.digest.considered} considered)."
    )


async def history(ctx: Context, actor: Actor, cmd: c.History) -> Reply:
    subscriber = await ctx.subscriber_for(actor)
    rows = await ctx.ledger.history(subscriber.id or 0, cmd.limit)
    if not rows:
        return Reply(text="No digests yet.")
    sections = [
        Section(
            title=f"{row.created_at:%Y-%m-%d %H:%M} UTC · {OUTCOME_WORDS.get(row.outcome, '')}",
            text="\n".join(f"• {t}" for t in row.item_titles) or "(no items)",
        )
        for row in rows
    ]
    return Reply(text=f"🗂️ Your last {len(rows)} digest(s):", sections=sections)
