"""The guided set-up behind a bare /subscribe: selects and buttons, then a modal.

The answers live in core's session (Redis, with a TTL), never in the process: the selects
and buttons are DynamicItems routed by custom_id, so they keep working after a restart, and
a set-up whose session expired says so and removes its components."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.discord.bridge import actor_for, answer, safely
from bot.discord.deps import DiscordDeps
from bot.discord.replies import NO_PINGS, reply_parts
from core import commands as c
from core import flow
from core.models import NAMED_SLOTS, Frequency, Weekday
from core.reply import Reply
from core.usage import Bad, parse_zone

log = logging.getLogger(__name__)
SETUP = "digestbot:setup"
DEFAULTS = {"frequency": Frequency.DAILY.value, "time": "morning", "days": []}
HOURS = [f"{h:02d}:00" for h in range(5, 24) if f"{h:02d}:00" not in NAMED_SLOTS.values()]
INTRO = "🧭 **Set-up**: pick how often, when and on which days, then press **Continue**."
EXPIRED = "⌛ This set-up expired; nothing was saved. Run /subscribe to start again."
CANCELLED = "Set-up cancelled; nothing was saved."
MODAL_SECONDS = 900  # RedisSessionStore's TTL


def deps_of(interaction: discord.Interaction) -> DiscordDeps:
    return interaction.client.deps  # type: ignore[attr-defined]  # DigestBot carries them


def _options(step: str, answers: dict[str, Any]) -> list[discord.SelectOption]:
    chosen = answers.get(step)
    if step == "frequency":
        values = [(f.value, f.value) for f in Frequency]
    elif step == "time":
        values = [(f"{n} ({t})", n) for n, t in NAMED_SLOTS.items()] + [(h, h) for h in HOURS]
    else:
        values = [(d.value, d.value) for d in Weekday]
        chosen = chosen or []
    picked = chosen if isinstance(chosen, list) else [chosen]
    return [discord.SelectOption(label=n, value=v, default=v in picked) for n, v in values]


class SetupSelect(
    discord.ui.DynamicItem[discord.ui.Select], template=rf"{SETUP}:(?P<step>frequency|time|days)"
):
    def __init__(self, step: str, answers: dict[str, Any] | None = None) -> None:
        multi = step == "days"
        select: discord.ui.Select = discord.ui.Select(
            custom_id=f"{SETUP}:{step}",
            options=_options(step, answers or DEFAULTS),
            placeholder="Any day" if multi else step.title(),
            min_values=0 if multi else 1,
            max_values=len(Weekday) if multi else 1,
        )
        super().__init__(select, row={"frequency": 0, "time": 1, "days": 2}.get(step, 0))
        self.step = step

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> SetupSelect:
        return cls(match["step"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()  # acknowledge at once; Redis comes after
        await safely(interaction, self._choose(interaction))

    async def _choose(self, interaction: discord.Interaction) -> None:
        deps, user = deps_of(interaction), str(interaction.user.id)
        state = await deps.ctx.sessions.get("discord", user)
        if not state or state.get("flow") != "subscribe":
            await interaction.edit_original_response(content=EXPIRED, embeds=[], view=None)
            return
        values = self.item.values
        state["answers"][self.step] = values if self.step == "days" else values[0]
        await deps.ctx.sessions.put("discord", user, state)
        await interaction.edit_original_response(content=INTRO, view=setup_view(state["answers"]))


class SetupButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"{SETUP}:(?P<act>go|no)"):
    def __init__(self, act: str) -> None:
        go = act == "go"
        button: discord.ui.Button = discord.ui.Button(
            custom_id=f"{SETUP}:{act}",
            label="Continue…" if go else "Cancel",
            style=discord.ButtonStyle.primary if go else discord.ButtonStyle.secondary,
        )
        super().__init__(button, row=3)
        self.act = act

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> SetupButton:
        return cls(match["act"])

    async def callback(self, interaction: discord.Interaction) -> None:
        if self.act == "go":  # a modal must be the first answer; it is checked on submit
            await interaction.response.send_modal(DetailsModal())
            return
        await interaction.response.defer()
        await safely(interaction, self._cancel(interaction))

    async def _cancel(self, interaction: discord.Interaction) -> None:
        await deps_of(interaction).ctx.sessions.delete("discord", str(interaction.user.id))
        await interaction.edit_original_response(content=CANCELLED, embeds=[], view=None)


def setup_view(answers: dict[str, Any]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for step in ("frequency", "time", "days"):
        view.add_item(SetupSelect(step, {**DEFAULTS, **answers}))
    return view.add_item(SetupButton("go")).add_item(SetupButton("no"))


class DetailsModal(discord.ui.Modal, title="Digest set-up"):
    timezone: discord.ui.TextInput = discord.ui.TextInput(
        label="Timezone (IANA name, e.g. Europe/London)", custom_id="timezone", default="UTC",
        max_length=64,
    )  # fmt: skip
    prompt: discord.ui.TextInput = discord.ui.TextInput(
        label="What should I look for? (optional)", custom_id="prompt", required=False,
        style=discord.TextStyle.paragraph, max_length=500,
    )  # fmt: skip

    def __init__(self) -> None:
        # Forgotten once the session would have expired anyway, so unsent modals never pile up.
        super().__init__(timeout=MODAL_SECONDS)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()  # completing writes PostgreSQL: acknowledge first
        await safely(interaction, self._finish(interaction))

    async def _finish(self, interaction: discord.Interaction) -> None:
        deps, actor = deps_of(interaction), actor_for(interaction, deps_of(interaction))
        state = await deps.ctx.sessions.get("discord", actor.user_id)
        if not state or state.get("flow") != "subscribe":
            await interaction.edit_original_response(content=EXPIRED, embeds=[], view=None)
            return
        try:
            zone = parse_zone(self.timezone.value)
        except Bad as bad:  # the set-up stays open: press Continue again
            hint = f" Did you mean {', '.join(bad.suggestions)}?" if bad.suggestions else ""
            await answer(interaction, Reply.error(bad.message + hint + " Press Continue again."))
            return
        answers = {**DEFAULTS, **state["answers"], "timezone": zone}
        answers["prompt"] = self.prompt.value.strip() or None
        reply = await complete(deps, actor, answers)
        if not reply.is_error:
            await deps.ctx.sessions.delete("discord", actor.user_id)
        await interaction.edit_original_response(**reply_parts(reply), view=None)


async def complete(deps: DiscordDeps, actor: Any, answers: dict[str, Any]) -> Reply:
    try:
        return await flow.complete(deps.ctx, actor, answers)
    except (ValueError, Bad) as error:
        return Reply.error(str(error))
    except Exception:  # never crash the bot; the session stays, so they can retry
        log.exception("discord set-up failed")
        return Reply.error("something went wrong on my side; nothing was saved. Try again.")


async def start(interaction: discord.Interaction, deps: DiscordDeps) -> None:
    """Bare /subscribe: core decides (set-up, or welcome back); we show its components."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    reply = await deps.service.execute(actor_for(interaction, deps), c.Subscribe())
    if not any(a.action_id.startswith("setup_") for a in reply.actions):
        await answer(interaction, reply)  # a returning subscriber, or an error
        return
    view = setup_view(DEFAULTS)
    await interaction.followup.send(INTRO, view=view, ephemeral=True, allowed_mentions=NO_PINGS)
