"""Admin commands: mock data for the AI module, and the operator's figures."""

from __future__ import annotations

import random

from core import commands as c
from core.actor import Actor
from core.context import Context
from core.mockdata import mock_content, mock_subscribers
from core.reply import Reply, Section


async def seed(ctx: Context, actor: Actor, cmd: c.AdminSeed) -> Reply:
    seed_value = cmd.seed if cmd.seed is not None else random.SystemRandom().randrange(10**6)
    now = ctx.clock.now()
    people = mock_subscribers(cmd.subscribers, seed_value)
    items = mock_content(cmd.content, seed_value, now)
    stored, new_items = await ctx.admin.load_mock(people, items)
    text = (
        f"🌱 Seeded {len(stored)} subscribers and {new_items} new content items "
        f"(seed {seed_value})."
    )
    if cmd.dispatch:
        sent = empty = 0
        for subscriber in stored:
            published = await ctx.pipeline.publish(
                subscriber, f"seed:{seed_value}:{now.isoformat()}", subscriber.next_due_at
            )
            if published.publication_id is None:
                continue
            await ctx.dispatcher.deliver_publication(published.publication_id)
            sent += published.outcome == "digest"
            empty += published.outcome != "digest"
        text += f"\n📦 Dispatched a batch: {sent} digests, {empty} with nothing above the bar."
    return Reply(text=text)


async def stats(ctx: Context, actor: Actor, _: c.AdminStats) -> Reply:
    figures = await ctx.admin.stats(ctx.clock.now())
    sections = [
        Section(title=title.replace("_", " ").capitalize(), fields=_fields(value))
        for title, value in figures.items()
    ]
    return Reply(text="📈 digestbot stats", sections=sections)


RECONCILE_SHOWN = 20


async def reconcile(ctx: Context, actor: Actor, cmd: c.AdminReconcile) -> Reply:
    if cmd.outbox_id is None or cmd.outcome is None:
        rows = await ctx.admin.awaiting_reconcile(RECONCILE_SHOWN)
        if not rows:
            return Reply(text="✅ No delivery awaits reconciliation.")
        sections = [
            Section(
                title=f"Outbox {r['id']}: {r['destination']} to {r['address']}",
                fields=[
                    ("publication", str(r["publication_id"])),
                    ("attempts", str(r["attempts"])),
                    ("why", str(r["last_error"] or "outcome unknown")),
                ],
            )
            for r in rows
        ]
        return Reply(
            text=(
                f"🔎 {len(rows)} deliver{'y' if len(rows) == 1 else 'ies'} with an unknown "
                "outcome (oldest first). Check the destination, then "
                "/digest admin reconcile ID sent (it arrived) or ID retry (send it again)."
            ),
            sections=sections,
        )
    settled = await ctx.admin.reconcile(cmd.outbox_id, cmd.outcome, ctx.clock.now())
    if not settled:
        return Reply(
            text=f"⚠️ No delivery {cmd.outbox_id} awaits reconciliation: "
            "/digest admin reconcile lists those that do."
        )
    done = "marked sent" if cmd.outcome == "sent" else "queued to be sent again"
    return Reply(text=f"✅ Delivery {cmd.outbox_id} {done}.")


def _fields(value: object) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [(str(k), str(v)) for k, v in value.items()] or [("(none)", "")]
    return [("value", str(value))]
