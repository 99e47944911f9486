"""Render digests via editable, sandboxed Jinja2 templates; chat JSON and limits live here."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib import resources
from typing import Any

from jinja2 import Environment, Template, TemplateError, meta
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, Field

from core.models import ContentItem, Digest, DigestItem, Personalization, Style, Summarization, Tone
from core.ports import TemplateSource

FORMATS, ZWSP = ("console", "email", "slack", "discord"), "\u200b"
# Ends each item's text when a per-item template renders them all: a private-use character,
# as Jinja's lstrip_blocks would eat a control character (Python counts those as spaces).
_EACH_MARK = "\ue000"
SLACK_MAX_BLOCKS, SLACK_MAX_TEXT, SLACK_MAX_HEADER = 50, 3000, 150
DISCORD_MAX_EMBEDS, DISCORD_MAX_TITLE, DISCORD_MAX_DESCRIPTION = 10, 256, 4096
DISCORD_MAX_TOTAL, DISCORD_MAX_FOOTER = 6000, 300
DISCORD_MAX_ROWS = 5  # action rows per message; 4 buttons (two items) per row
FOOTER = "/digest settings to adjust · /digest unsubscribe to stop"
FEEDBACK = (("feedback_like", "👍"), ("feedback_dislike", "👎"))


class _KeysFirst(Environment):
    """`item.title` on a plain dict reads the key straight away. Jinja tries an attribute
    first, and on the dicts templates get each of those tries raised: a sixth of
    rendering. (A key now wins over a dict method of the same name.)"""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


class _KeysFirstSandbox(_KeysFirst, SandboxedEnvironment):
    pass


_sandbox = partial(_KeysFirstSandbox, trim_blocks=True, lstrip_blocks=True)
_trusted = partial(_KeysFirst, trim_blocks=True, lstrip_blocks=True)


_SLACK_BROADCAST = re.compile(r"@(here|channel|everyone)\b", re.IGNORECASE)
_DISCORD_MARKDOWN = re.compile(r"([\\*_~`|>\[\]()#])")
_DISCORD_MENTION = re.compile(r"@(?=[\w!&])")
_UNFINISHED_END = re.compile(r"(<[^>]*|&[#\w]*|\\)$")
_SAFE_URL = re.compile(r"(https?|mailto):[^\s<>|\"]+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def escape_slack(text: str) -> str:
    """Escape &, <, > (so <!channel>, <@U123> are inert) and defuse bare @here/@channel."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SLACK_BROADCAST.sub(f"@{ZWSP}\\1", text)


def escape_discord(text: str) -> str:
    """Escape markdown and put a zero-width space after every @ that could mention."""
    return _DISCORD_MENTION.sub(f"@{ZWSP}", _DISCORD_MARKDOWN.sub(r"\\\1", text))


def clip(text: str, limit: int) -> str:
    """Shorten to at most `limit` characters, ending in an ellipsis when cut."""
    if len(text) <= limit:
        return text
    # Never leave half a Slack link or entity, or a dangling markdown escape, before the "…".
    return _UNFINISHED_END.sub("", text[: limit - 1].rstrip()) + "…"


@dataclass(frozen=True)
class LinkBuilder:
    """Link hooks (click tracking, unsubscribe, settings); by default an item's own url."""

    item_url: Callable[[Digest, DigestItem], str] = lambda digest, item: item.item.url
    unsubscribe_url: Callable[[Digest], str | None] = lambda digest: None
    settings_url: Callable[[Digest], str | None] = lambda digest: None
    open_url: Callable[[Digest], str | None] = lambda digest: None  # email open pixel


class RenderedDigest(BaseModel):
    subject: str
    text: str
    html: str | None = None  # email only
    payload: dict[str, Any] = Field(default_factory=dict)  # {"blocks"} or {"embeds"}


def default_templates() -> dict[str, str]:
    """Every bundled template by name without `.j2` (e.g. `email.html`): seed data."""
    files = [f for f in (resources.files("core") / "templates").iterdir() if f.name.endswith(".j2")]
    return {f.name.removesuffix(".j2"): f.read_text(encoding="utf-8") for f in files}


def _digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _safe_url(url: str | None) -> str:
    # Only web/mail links, none with raw characters that could escape Slack's <url|text>.
    return url if url and _SAFE_URL.fullmatch(url) else ""


def _item_parts(item: ContentItem, esc: Callable[[str], str]) -> dict[str, Any]:
    """What a rendered item owes to the item alone (not to the digest or reader)."""
    scores = item.ai_scores.model_dump(exclude={"engagement_prediction"})
    named = [f"{k.title()}: {', '.join(v)}" for k, v in item.entities.model_dump().items() if v]
    sentences = [s for s in _SENTENCE_END.split(item.summary.strip()) if s]
    return {
        "title": esc(item.title),
        "source": esc(item.source),
        "published": f"{item.published_at:%Y-%m-%d}",
        "sentences": [esc(s) for s in sentences],
        "score_line": " · ".join(f"{k} {v:.2f}" for k, v in scores.items()),
        "entity_line": esc(" · ".join(named)),
    }


@lru_cache(maxsize=4096)
def _escaped(esc: Callable[[str], str], text: str) -> str:
    """esc(text), kept: the same few reason lines recur across a batch's digests."""
    return esc(text)


class _ItemParts:
    """_item_parts per (item, escaper), kept while the same item objects keep coming:
    a batch renders the same window items into thousands of digests."""

    LIMIT = 5_000  # entries; a batch renders far fewer distinct items

    def __init__(self) -> None:
        self._kept: dict[tuple[int, Callable[[str], str]], tuple[ContentItem, dict[str, Any]]] = {}

    def __call__(self, item: ContentItem, esc: Callable[[str], str]) -> dict[str, Any]:
        kept = self._kept.get((id(item), esc))
        if kept is not None and kept[0] is item:  # held below, so the id is still this item's
            return kept[1]
        if len(self._kept) >= self.LIMIT:
            self._kept.clear()
        parts = _item_parts(item, esc)
        self._kept[(id(item), esc)] = (item, parts)
        return parts


@dataclass(frozen=True)
class _Layout:
    """How every item of one digest is laid out, from the reader's personalisation."""

    keep: int | None  # sentences per item; None: all
    first_paragraph: bool  # mixed: the first item as a paragraph, the rest as bullets
    paragraphs: bool
    show_scores: bool
    show_entities: bool

    @classmethod
    def of(cls, p: Personalization) -> _Layout:
        return cls(
            keep={Style.CONCISE: 1, Style.BALANCED: 2}.get(p.style),
            first_paragraph=p.summarization is Summarization.MIXED,
            paragraphs=p.summarization is Summarization.PARAGRAPH,
            show_scores=p.style is Style.DETAILED or p.tone is Tone.TECHNICAL,
            show_entities=p.style is Style.DETAILED,
        )

    def view(
        self, index: int, entry: DigestItem, url: str | None, reason: str, parts: dict[str, Any]
    ) -> dict[str, Any]:
        paragraph = self.paragraphs or (self.first_paragraph and index == 0)
        return {
            **parts,
            "rank": entry.rank,
            "url": _safe_url(url),
            "sentences": parts["sentences"][: self.keep],
            "reason": reason,
            "score_line": f"score {entry.score:.2f} · {parts['score_line']}",
            "layout": "paragraph" if paragraph else "bullets",
            "show_scores": self.show_scores,
            "show_entities": self.show_entities,
        }


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SLACK_MAX_TEXT)}}


def slack_blocks(
    header: str, intro: str, sections: Sequence[tuple[str, str]], footer: str
) -> list[dict[str, Any]]:
    """Block Kit: header, intro, a section + 👍/👎 per (mrkdwn, feedback value), a footer."""
    room = (SLACK_MAX_BLOCKS - 4) // 2  # header, intro, "more" line and footer; 2 per item
    shown = sections if len(sections) <= room + 1 else sections[:room]
    title = {"type": "plain_text", "text": clip(header, SLACK_MAX_HEADER), "emoji": True}
    blocks: list[dict[str, Any]] = [{"type": "header", "text": title}, _section(intro)]
    for text, value in shown:
        buttons = [{"type": "button", "action_id": action, "value": value,
                    "text": {"type": "plain_text", "text": label, "emoji": True}}
                   for action, label in FEEDBACK]  # fmt: skip
        blocks += [_section(text), {"type": "actions", "elements": buttons}]
    if len(shown) < len(sections):
        blocks.append(_section(f"…and {len(sections) - len(shown)} more"))
    return [*blocks, {"type": "context", "elements": [_section(footer)["text"]]}]


def discord_embeds(
    header: str, intro: str, items: Sequence[tuple[str, str, str]], footer: str
) -> list[dict[str, Any]]:
    """Embeds: a header, then one per (title, url, description) within Discord's limits."""
    head = {"title": clip(header, DISCORD_MAX_TITLE), "description": clip(intro, 1000)}
    embeds: list[dict[str, Any]] = [head]
    budget = DISCORD_MAX_TOTAL - DISCORD_MAX_FOOTER - sum(map(len, head.values()))
    for title, url, description in items[: DISCORD_MAX_EMBEDS - 1]:
        title = clip(title, DISCORD_MAX_TITLE)
        room = min(DISCORD_MAX_DESCRIPTION, budget - len(title))
        if room < 80:  # too little left for a readable item
            break
        embeds.append({"title": title, "description": clip(description, room)})
        embeds[-1] |= {"url": url} if url else {}
        budget -= len(title) + len(embeds[-1]["description"])
    note = f"…and {len(items) - len(embeds) + 1} more · " if len(items) >= len(embeds) else ""
    embeds[-1]["footer"] = {"text": clip(note + footer, DISCORD_MAX_FOOTER)}
    return embeds


def discord_components(items: Sequence[tuple[int, str]]) -> list[dict[str, Any]]:
    """Action rows of 👍/👎 buttons per (rank, "publication:item"): two items a row, <= 5 rows.

    custom_id "digestbot:feedback:like:PUB:ITEM" is routed by the bot after any restart."""
    shown = items[: 2 * DISCORD_MAX_ROWS]
    buttons = [{"type": 2, "style": 2, "label": str(rank), "emoji": {"name": emoji},
                "custom_id": f"digestbot:{action.replace('_', ':')}:{value}"}
               for rank, value in shown for action, emoji in FEEDBACK]  # fmt: skip
    return [{"type": 1, "components": buttons[i : i + 4]} for i in range(0, len(buttons), 4)]


def _each_source(source: str) -> str:
    """A per-item template as one that renders every item, each ended by _EACH_MARK."""
    return f"{{% for item in items %}}{source}{_EACH_MARK}{{% endfor %}}"


def _compile(env: Environment, source: str) -> Template:
    template = env.from_string(source)
    # Its globals as a plain dict, not a ChainMap over the environment's: every render
    # copies them, and a ChainMap copies slowly. Our environments' globals never change.
    template.globals = dict(template.globals)
    return template


@dataclass(frozen=True)
class _Compiled:
    template: Template
    each: Template | None  # the template looped over `items`; None if that does not compile
    reads: frozenset[str]  # the context names it uses


# The templates each format renders after subject and intro (the empty note).
_BODY: dict[str, tuple[str, ...]] = {
    "console": ("console.txt",),
    "email": ("email.txt", "email.html"),
    "slack": ("slack_item.md",),
    "discord": ("discord_item.md",),
}


class DigestRenderer:
    """Renders digests with templates fetched through a TemplateSource."""

    def __init__(self, templates: TemplateSource, cache_seconds: float = 0.0) -> None:
        """`cache_seconds` > 0 keeps each template's source in memory that long, so
        rendering does no I/O; an edit then shows within that time."""
        self._source = templates
        self._envs = {auto: _sandbox(autoescape=auto) for auto in (True, False)}
        # The templates we ship are our own code: they skip the sandbox's per-access
        # checks (a third of rendering). Edited ones, anything else, stay sandboxed.
        self._trusted_envs = {auto: _trusted(autoescape=auto) for auto in (True, False)}
        self._shipped = {_digest(source) for source in default_templates().values()}
        self._compiled: dict[tuple[str, bool], _Compiled] = {}
        self._cache_seconds = cache_seconds
        self._cached: dict[str, tuple[float, _Compiled]] = {}  # name -> (expires, compiled)
        self._parts = _ItemParts()

    async def _template(self, name: str) -> _Compiled:
        cached = self._cached.get(name)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        source = await self._source.get_template(name)
        autoescape = name.endswith(".html")
        key = (_digest(source), autoescape)
        if key not in self._compiled:  # compile once per distinct source text
            env = (self._trusted_envs if key[0] in self._shipped else self._envs)[autoescape]
            try:
                each: Template | None = _compile(env, _each_source(source))
            except TemplateError:
                each = None
            reads = frozenset(meta.find_undeclared_variables(env.parse(source)))
            self._compiled[key] = _Compiled(_compile(env, source), each, reads)
        if self._cache_seconds > 0:
            self._cached[name] = (time.monotonic() + self._cache_seconds, self._compiled[key])
        return self._compiled[key]

    @staticmethod
    def _render_each(compiled: _Compiled, context: dict[str, Any]) -> list[str]:
        """A per-item template rendered for each of context["items"] as `item`: in one
        call, as Jinja's set-up per call cost as much as an item's text."""
        views = context["items"]
        if compiled.each is not None:
            pieces = compiled.each.render(context).split(_EACH_MARK)
            if len(pieces) == len(views) + 1:
                return [piece.strip() for piece in pieces[:-1]]
        # The mark turned up in an item's own text: render them one at a time.
        return [compiled.template.render({**context, "item": v}).strip() for v in views]

    async def render(
        self,
        digest: Digest,
        fmt: str,
        *,
        links: LinkBuilder | None = None,
        publication_id: int | None = None,
    ) -> RenderedDigest:
        """Render for a format; `publication_id` goes into feedback button values."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format '{fmt}' (choose {', '.join(FORMATS)})")
        esc = {"slack": escape_slack, "discord": escape_discord}.get(fmt, str)
        links = links or LinkBuilder()
        # Disabled personalisation renders with the defaults rather than the stored choices.
        p = digest.personalization if digest.personalization.enabled else Personalization()
        opening = "empty_note.txt" if digest.is_empty else "intro.txt"  # the note is one line
        body = () if fmt == "console" and digest.is_empty else _BODY[fmt]
        templates = {name: await self._template(name) for name in ("subject.txt", opening, *body)}
        reads = frozenset[str]().union(*(t.reads for t in templates.values()))

        def link(name: str, hook: Callable[[Digest], str | None]) -> str:
            # Signed only for templates that show it (chat templates show none of these).
            return _safe_url(hook(digest)) if name in reads else ""

        def render(name: str) -> str:
            return templates[name].template.render(ctx).strip()

        layout = _Layout.of(p)
        views = [
            layout.view(i, e, links.item_url(digest, e), _escaped(esc, "; ".join(e.reasons)),
                        self._parts(e.item, esc))
            for i, e in enumerate(digest.items)
        ]  # fmt: skip
        ctx: dict[str, Any] = {
            "recipient": esc(digest.recipient_name),
            "date": f"{digest.generated_at:%a %d %b %Y}",
            "considered": digest.considered,
            "personalization": p.model_dump(mode="json"),
            "items": views,
            "settings_url": link("settings_url", links.settings_url),
            "unsubscribe_url": link("unsubscribe_url", links.unsubscribe_url),
            # Builders without the hook (older LinkBuilder-shaped objects) get no pixel.
            "open_pixel_url": link("open_pixel_url", getattr(links, "open_url", lambda _: None)),
        }
        ctx["subject"] = subject = render("subject.txt")
        ctx["intro"] = intro = render(opening)
        if fmt == "console":
            text = intro if digest.is_empty else render("console.txt")
            return RenderedDigest(subject=subject, text=text)
        if fmt == "email":
            text, page = render("email.txt"), render("email.html")
            return RenderedDigest(subject=subject, text=text, html=page)
        texts = self._render_each(templates[f"{fmt}_item.md"], ctx)
        if fmt == "slack":
            values = [f"{publication_id or 0}:{entry.item.id or 0}" for entry in digest.items]
            blocks = slack_blocks(subject, intro, list(zip(texts, values, strict=True)), FOOTER)
            return RenderedDigest(subject=subject, text=intro, payload={"blocks": blocks})
        items = [(v["title"], v["url"], text) for v, text in zip(views, texts, strict=True)]
        embeds = discord_embeds(subject, intro, items, FOOTER)
        payload: dict[str, Any] = {"embeds": embeds}
        if publication_id is not None:  # buttons only for shown items of a recorded digest
            ranks = [(e.rank, f"{publication_id}:{e.item.id or 0}") for e in digest.items]
            payload["components"] = discord_components(ranks[: len(embeds) - 1])
        return RenderedDigest(subject=subject, text=intro, payload=payload)
