"""core.render: every output shape, personalisation, escaping and platform limits."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Template
from jinja2.exceptions import SecurityError

from core.models import (
    AIScores,
    ContentItem,
    Digest,
    DigestItem,
    Entities,
    Personalization,
    Style,
    Summarization,
)
from core.render import DigestRenderer, LinkBuilder, default_templates, escape_discord, escape_slack

NOW = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
SENTENCES = ("First finding is strong.", "Second finding is subtle.", "Third finding is a caveat.")
TEXT = " ".join(SENTENCES)
ENTITIES = Entities(topics=["robotics"], people=["Grace Hopper"])
PINGS = "<!channel> <!here> @here @everyone <@&123> <@U123>"


class Templates:
    """A TemplateSource twin serving the bundled templates (editable per test)."""

    def __init__(self) -> None:
        self.sources = default_templates()

    async def get_template(self, name: str) -> str:
        return self.sources[name]


def paper(i: int, title: str, summary: str) -> DigestItem:
    url, scores = f"https://example.org/p/{i}", AIScores(relevance=0.812)
    item = ContentItem(id=i, title=title, summary=summary, url=url, source="arXiv",
                       published_at=NOW, ai_scores=scores, entities=ENTITIES)  # fmt: skip
    return DigestItem(item=item, score=0.9, rank=i, reasons=["matches topic robotics"])


def digest(n: int = 3, title: str = "Paper", summary: str = TEXT, **personal: Any) -> Digest:
    name, p = personal.pop("name", "Ada"), Personalization(**personal)
    items = [paper(i, f"{title} {i}", summary) for i in range(1, n + 1)]
    return Digest(subscriber_id=7, recipient_name=name, generated_at=NOW, period_key="2024-05-06",
                  items=items, considered=40, personalization=p)  # fmt: skip


async def texts(r: DigestRenderer, fmt: str, key: str, values: tuple[str, ...]) -> dict[str, str]:
    """The rendered text for each value of one personalisation setting."""
    return {v: (await r.render(digest(**{key: v}), fmt)).text for v in values}


@pytest.fixture
def templates() -> Templates:
    return Templates()


@pytest.fixture
def renderer(templates: Templates) -> DigestRenderer:
    return DigestRenderer(templates)


def texts_of(node: Any) -> list[str]:
    """Every "text" string anywhere in a Block Kit structure."""
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [t for value in node.values() for t in texts_of(value)]
    if isinstance(node, list):
        return [t for value in node for t in texts_of(value)]
    return []


async def test_every_format_renders_three_items(renderer: DigestRenderer) -> None:
    d = digest()
    console, email = await renderer.render(d, "console"), await renderer.render(d, "email")
    slack = await renderer.render(d, "slack", publication_id=42)
    discord = await renderer.render(d, "discord")
    for i in (1, 2, 3):
        assert f"Paper {i}" in console.text and f"Paper {i}" in email.text
        assert f'href="https://example.org/p/{i}"' in (email.html or "")
    assert "3 new items" in email.subject and email.html and "<!DOCTYPE html>" in email.html
    blocks = slack.payload["blocks"]
    assert blocks[0]["type"] == "header" and blocks[-1]["type"] == "context"
    assert "<https://example.org/p/1|Paper 1>" in blocks[2]["text"]["text"]
    buttons = [b for block in blocks if block["type"] == "actions" for b in block["elements"]]
    assert [b["action_id"] for b in buttons[:2]] == ["feedback_like", "feedback_dislike"]
    assert [b["value"] for b in buttons[::2]] == ["42:1", "42:2", "42:3"]
    embeds = discord.payload["embeds"]
    assert [e.get("url") for e in embeds[1:]] == [f"https://example.org/p/{i}" for i in (1, 2, 3)]


@pytest.mark.parametrize("fmt", ["console", "email"])
async def test_personalisation_visibly_changes_the_text(renderer: DigestRenderer, fmt: str) -> None:
    style = await texts(renderer, fmt, "style", ("concise", "balanced", "detailed"))
    assert SENTENCES[0] in style["concise"] and SENTENCES[1] not in style["concise"]
    assert SENTENCES[1] in style["balanced"] and SENTENCES[2] not in style["balanced"]
    assert SENTENCES[2] in style["detailed"] and "relevance 0.81" in style["detailed"]
    assert "Grace Hopper" in style["detailed"] and "Grace Hopper" not in style["balanced"]
    tone = await texts(renderer, fmt, "tone", ("formal", "casual", "technical"))
    assert "Dear Ada" in tone["formal"] and "Hey Ada" in tone["casual"]
    assert "relevance 0.81" in tone["technical"] and "relevance 0.81" not in tone["casual"]
    layout = await texts(renderer, fmt, "summarization", ("bullet-points", "paragraph", "mixed"))
    assert layout["bullet-points"].count(f"• {SENTENCES[0]}") == 3
    assert "•" not in layout["paragraph"] and " ".join(SENTENCES[:2]) in layout["paragraph"]
    assert layout["mixed"].count(f"• {SENTENCES[0]}") == 2  # first item as prose, then bullets
    assert all(len(set(out.values())) == 3 for out in (style, tone, layout))
    off = await renderer.render(digest(style="concise", tone="casual", enabled=False), fmt)
    assert off.text == (await renderer.render(digest(), fmt)).text  # disabled: the defaults


async def test_email_html_escapes_content(renderer: DigestRenderer) -> None:
    out = await renderer.render(digest(title="<script>x</script>", name="<b>Eve</b>"), "email")
    assert out.html and "&lt;script&gt;x&lt;/script&gt; 1" in out.html
    assert "<script>" not in out.html and "<b>Eve</b>" not in out.html
    assert "<script>x</script> 1" in out.text  # the plain-text part stays plain


async def test_links_hooks_and_unsafe_urls(renderer: DigestRenderer) -> None:
    links = LinkBuilder(
        item_url=lambda d, item: f"https://t.example/c/{item.item.id}",
        unsubscribe_url=lambda d: "https://t.example/u/7",
        settings_url=lambda d: "javascript:alert(1)",
    )
    out = await renderer.render(digest(), "email", links=links)
    assert out.html and 'href="https://t.example/c/2"' in out.html
    assert "https://t.example/u/7" in out.text and "javascript:" not in out.html + out.text
    bad = digest()
    bad.items[0].item.url = "javascript:alert(1)"
    assert "javascript:" not in json.dumps((await renderer.render(bad, "slack")).payload)


async def test_links_are_signed_only_for_templates_that_show_them(
    renderer: DigestRenderer, templates: Templates
) -> None:
    made: Counter[str] = Counter()

    def hook(name: str) -> Any:
        return lambda d: made.update([name]) or f"https://t.example/{name}"

    links = LinkBuilder(unsubscribe_url=hook("unsubscribe"), settings_url=hook("settings"),
                        open_url=hook("open"))  # fmt: skip
    await renderer.render(digest(), "slack", links=links)
    await renderer.render(digest(), "discord", links=links)
    assert made == Counter()  # chat templates show none of them
    out = await renderer.render(digest(), "email", links=links)
    assert made == Counter(unsubscribe=1, settings=1, open=1)
    assert "https://t.example/open" in (out.html or "")
    templates.sources["slack_item.md"] = "{{ item.title }} · {{ settings_url }}"
    out = await renderer.render(digest(), "slack", links=links)
    assert "https://t.example/settings" in json.dumps(out.payload) and made["settings"] == 2


async def test_slack_limits_for_sixty_items(renderer: DigestRenderer) -> None:
    d = digest(60, style="detailed")
    d.items[0].item.summary = "Long sentence & more. " * 400
    blocks = (await renderer.render(d, "slack")).payload["blocks"]
    assert len(blocks) <= 50
    assert all(len(text) <= 3000 for text in texts_of(blocks))
    assert blocks[2]["text"]["text"].endswith("…") and len(blocks[0]["text"]["text"]) <= 150
    shown = sum(block["type"] == "actions" for block in blocks)
    assert f"and {60 - shown} more" in blocks[-2]["text"]["text"]


async def test_discord_limits_for_thirty_items(renderer: DigestRenderer) -> None:
    d = digest(30, style="detailed", title="T" * 300, summary="A long finding here. " * 300)
    embeds = (await renderer.render(d, "discord")).payload["embeds"]
    assert 2 <= len(embeds) <= 10
    assert all(len(e["title"]) <= 256 and len(e["description"]) <= 4096 for e in embeds)
    total = sum(len(e["title"]) + len(e["description"]) for e in embeds)
    assert total + len(embeds[-1]["footer"]["text"]) <= 6000
    assert f"and {30 - (len(embeds) - 1)} more" in embeds[-1]["footer"]["text"]


@pytest.mark.parametrize("fmt", ["slack", "discord"])
async def test_mentions_in_content_ping_nobody(renderer: DigestRenderer, fmt: str) -> None:
    d = digest(title=PINGS, summary=f"{PINGS}. Also <@U999>.", name="@everyone")
    d.items[0].reasons, d.items[1].item.url = [PINGS], "https://x.org/<!channel>"
    out = await renderer.render(d, fmt)
    sent = json.dumps(out.payload, ensure_ascii=False) + out.text
    for ping in ("<!channel>", "<!here>", "@here", "@everyone", "@channel", "<@&123>", "<@U"):
        assert ping not in sent
    slack = escape_slack("a & <b> <!here> @channel")
    assert slack == "a &amp; &lt;b&gt; &lt;!here&gt; @\u200bchannel"
    assert escape_discord("*bold* _it_ [x](y) @here <@&1>") == (
        "\\*bold\\* \\_it\\_ \\[x\\]\\(y\\) @\u200bhere <@\u200b&1\\>"
    )


async def test_empty_digest_renders_the_note(renderer: DigestRenderer) -> None:
    d = digest(0)
    console = await renderer.render(d, "console")
    assert "\n" not in console.text and "nothing new" in console.text
    slack = (await renderer.render(d, "slack")).payload["blocks"]
    assert console.text in texts_of(slack)
    assert not any(block["type"] == "actions" for block in slack)
    email = await renderer.render(d, "email")
    assert console.text in email.text and email.html and "nothing new" in email.html
    assert (await renderer.render(d, "discord")).payload["embeds"][0]["description"] == console.text


def test_default_templates_returns_every_template() -> None:
    folder = Path(__file__).parents[2] / "core" / "templates"
    templates = default_templates()
    assert set(templates) == {p.name.removesuffix(".j2") for p in folder.glob("*.j2")}
    assert {"email.html", "slack_item.md", "empty_note.txt"} < set(templates)
    assert all(templates.values())


async def test_edited_templates_apply_and_stay_sandboxed(
    renderer: DigestRenderer, templates: Templates
) -> None:
    templates.sources["console.txt"] = "EDITED {{ items | length }}"
    assert (await renderer.render(digest(), "console")).text == "EDITED 3"
    templates.sources["console.txt"] = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    with pytest.raises(SecurityError):
        await renderer.render(digest(), "console")
    with pytest.raises(ValueError, match="unknown format"):
        await renderer.render(digest(), "fax")


async def test_shipped_templates_render_the_same_outside_the_sandbox(
    renderer: DigestRenderer, templates: Templates
) -> None:
    sandboxed = DigestRenderer(templates)
    sandboxed._shipped = set()  # every template sandboxed, as an edited one would be
    for fmt in ("console", "email", "slack", "discord"):
        for style in Style:
            d = digest()
            d.personalization.style = style
            fast = await renderer.render(d, fmt, publication_id=7)
            assert fast == await sandboxed.render(d, fmt, publication_id=7), (fmt, style)


@pytest.mark.parametrize("fmt", ["slack", "discord"])
async def test_items_rendered_in_one_call_match_one_at_a_time(
    templates: Templates, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_call = DigestRenderer(templates)
    calls = Counter[str]()
    real_render = Template.render
    monkeypatch.setattr(Template, "render", lambda t, *a, **k: calls.update(["render"])
                        or real_render(t, *a, **k))  # fmt: skip
    await one_call.render(digest(4), fmt, publication_id=3)
    assert calls["render"] == 3  # subject, intro and all four items at once
    monkeypatch.undo()
    monkeypatch.setattr("core.render._each_source", lambda source: "{% for %}")  # no loop form
    one_at_a_time = DigestRenderer(templates)
    for style in Style:
        for summarization in Summarization:
            d = digest(4, style=style, summarization=summarization)
            both = [await r.render(d, fmt, publication_id=3) for r in (one_call, one_at_a_time)]
            assert both[0] == both[1], (style, summarization)
            assert "Paper 4" in json.dumps(both[0].payload)
    # An item whose own text holds the mark that separates items still renders right.
    d = digest(3, title="Paper \ue000 part")
    both = [await r.render(d, fmt, publication_id=3) for r in (one_call, one_at_a_time)]
    assert both[0] == both[1] and "part 2" in json.dumps(both[0].payload)


async def test_edited_templates_may_read_items_as_keys_or_attributes(
    renderer: DigestRenderer, templates: Templates
) -> None:
    templates.sources["slack_item.md"] = "{{ item['title'] }}|{{ item.rank }}|{{ item.nope }}."
    templates.sources["intro.txt"] = "{{ personalization['tone'] }} {{ personalization.style }}"
    rendered = await renderer.render(digest(2), "slack")
    assert {"Paper 1|1|.", "Paper 2|2|."} <= set(texts_of(rendered.payload))
    assert rendered.text == "formal balanced"
