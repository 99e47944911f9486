"""Bytes of a feed -> entries. The XML is checked by defusedxml first (well-formed, no
entity declarations, no external references), so feedparser only ever sees documents that
cannot expand into a billion laughs or reach out to the network."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeXML
import feedparser
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from core.scoring import FeedEntry
from core.sources import arxiv_ids_in, normalise_url
from scheduler.feeds import FeedRejected

MAX_ENTRIES = 200
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html|<html)", re.IGNORECASE)


@dataclass
class ParsedFeed:
    title: str
    format: str  # rss20 | atom10 | arxiv | ... (feedparser's version names)
    entries: list[FeedEntry] = field(default_factory=list)
    skipped: int = 0  # entries without a usable http(s) link


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """Markup stripped, entities decoded, whitespace collapsed."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def check_xml(body: bytes) -> None:
    """Reject what is not a safe, well-formed XML document, saying why."""
    if not body.strip():
        raise FeedRejected("empty response (no feed)")
    if _HTML_START.match(body[:1024]):
        raise FeedRejected("this address serves an HTML page, not a feed (use its RSS/Atom link)")
    try:
        SafeXML.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden:
        raise FeedRejected(
            "refused: the XML declares entities (entity expansion, e.g. a billion laughs)"
        ) from None
    except (ExternalReferenceForbidden, DTDForbidden):
        raise FeedRejected("refused: the XML references external documents") from None
    except ParseError as error:
        raise FeedRejected(f"malformed XML: {error}") from None


def parse_feed(body: bytes, url: str) -> ParsedFeed:
    """Entries of an RSS 2.0, Atom 1.0 or arXiv API feed; FeedRejected when it is not one."""
    check_xml(body)
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": url})
    if not parsed.version:
        raise FeedRejected("not an RSS or Atom feed")
    is_arxiv = "arxiv" in parsed.get("namespaces", {}) or "arxiv.org/api" in parsed.feed.get(
        "id", ""
    )
    for entry in parsed.entries:
        if "arxiv.org/api/errors" in entry.get("id", ""):
            raise FeedRejected(f"arXiv API error: {plain_text(entry.get('summary', ''))[:200]}")
    feed = ParsedFeed(
        title=plain_text(parsed.feed.get("title", ""))[:200],
        format="arxiv" if is_arxiv else parsed.version,
    )
    for raw in parsed.entries[:MAX_ENTRIES]:
        entry = _entry(raw, is_arxiv)
        if entry is None:
            feed.skipped += 1
        else:
            feed.entries.append(entry)
    return feed


def _entry(raw: Any, is_arxiv: bool) -> FeedEntry | None:
    link = raw.get("link") or (raw.get("id") if str(raw.get("id", "")).startswith("http") else "")
    if not link or not link.lower().startswith(("http://", "https://")):
        return None
    summary = plain_text(raw.get("summary") or (raw.get("content") or [{}])[0].get("value", ""))
    title = plain_text(raw.get("title", "")) or summary[:120] or link
    when = raw.get("published_parsed") or raw.get("updated_parsed")
    cited = " ".join(str(l.get("href", "")) for l in raw.get("links", []))  # noqa: E741
    return FeedEntry(
        title=title,
        url=normalise_url(link),
        summary=summary,
        published_at=datetime(*when[:6], tzinfo=UTC) if when else None,
        authors=[a["name"] for a in raw.get("authors", []) if a.get("name")],
        arxiv_ids=arxiv_ids_in(link, cited, summary, raw.get("summary", "")),
        content_type="paper" if is_arxiv else "article",
    )
