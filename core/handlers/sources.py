"""`/digest source add|list|remove`: feed and arXiv sources. Admins manage the shared
sources; anyone may add their own, whose items go to them alone."""

from __future__ import annotations

from core import commands as c
from core.actor import Actor
from core.context import Context
from core.ports import SourceRegistry
from core.reply import Reply
from core.sources import SourceKind, describe_health, owner_key, parse_source

MAX_OWN_SOURCES = 20


def _registry(ctx: Context) -> SourceRegistry:
    if ctx.sources is None:
        raise ValueError("sources are not set up in this deployment.")
    return ctx.sources


async def add(ctx: Context, actor: Actor, cmd: c.SourceAdd) -> Reply:
    registry = _registry(ctx)
    spec = parse_source(cmd.url)
    me = owner_key(actor.platform, actor.user_id)
    existing = await registry.find_url(me, spec.url)
    if existing is not None:
        if existing.status == "paused" and (existing.owner_key == me or actor.is_admin):
            await registry.resume(existing.id, ctx.clock.now())
            return Reply(
                text=f"▶️ “{existing.name}” was {existing.paused_reason or 'paused'}. "
                "It is active again and will be fetched within a few minutes."
            )
        scope = "a shared source" if existing.shared else "your source"
        return Reply.error(f"that is already {scope} “{existing.name}”.", "/digest source list")
    if not actor.is_admin and await registry.count_owned(me) >= MAX_OWN_SOURCES:
        return Reply.error(
            f"you already have {MAX_OWN_SOURCES} sources of your own; remove one first.",
            "/digest source remove NAME",
        )
    name = (cmd.name or spec.default_name).strip()
    if await registry.find(me, name) is not None:
        return Reply.error(
            f"there is already a source named “{name}”; pick another name.",
            "/digest source add URL as NAME",
        )
    # Admins add for everyone; anyone else adds for themselves.
    info = await registry.add(spec, name, None if actor.is_admin else me, me)
    kind = "arXiv query" if info.kind is SourceKind.ARXIV else "feed"
    scope = "shared with everyone" if info.shared else "yours: its items go only to you"
    return Reply(
        text=f"📡 Added {kind} “{info.name}” ({scope}). Its first fetch is within a few "
        "minutes; /digest source list shows how it is doing."
    )


async def list_sources(ctx: Context, actor: Actor, _: c.SourceList) -> Reply:
    sources = await _registry(ctx).visible_to(owner_key(actor.platform, actor.user_id))
    if not sources:
        return Reply(
            text="No sources yet. Add one: /digest source add https://example.org/feed.xml "
            "or /digest source add arxiv:cs.CL"
        )
    now = ctx.clock.now()
    lines = [
        f"• {s.name} ({'shared' if s.shared else 'yours'}) {s.url}\n    {describe_health(s, now)}"
        for s in sources
    ]
    return Reply(text="📡 Sources:\n" + "\n".join(lines))


async def remove(ctx: Context, actor: Actor, cmd: c.SourceRemove) -> Reply:
    registry = _registry(ctx)
    found = await registry.find(owner_key(actor.platform, actor.user_id), cmd.name)
    if found is None:
        return Reply.error(f"there is no source named “{cmd.name}”.", "/digest source list")
    if found.shared and not actor.is_admin:
        return Reply.error(f"“{found.name}” is a shared source; only admins can remove it.")
    await registry.remove(found.id)
    return Reply(text=f"🗑️ Removed source “{found.name}”; the items it brought stay.")
