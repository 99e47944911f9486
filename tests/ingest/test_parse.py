"""Parsing fixture feeds shaped like real ones, and rejecting hostile or broken XML."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scheduler.feeds import FeedRejected
from scheduler.feeds.parse import parse_feed, plain_text
from tests.fakes.feeds_server import fixture


def test_rss_blog_entries_are_normalised() -> None:
    feed = parse_feed(fixture("blog_rss.xml"), "https://lab.example.org/feed.xml")
    assert (feed.format, feed.title, feed.skipped) == ("rss20", "Lab Notes", 0)
    first, second, third = feed.entries
    # Tracking parameters and trailing slashes are gone: one spelling per page.
    assert first.url == "https://lab.example.org/posts/neural-decoders"
    assert third.url == "https://lab.example.org/posts/robot-grasping"
    assert first.authors == ["Ada Example"]
    assert first.published_at == datetime(2025, 1, 15, 9, tzinfo=UTC)
    assert first.arxiv_id == "2501.00002"  # the one paper it links to
    assert "<p>" not in first.summary and "&amp;" not in second.summary
    assert all(e.content_type == "article" for e in feed.entries)


def test_atom_entries_use_published_or_updated_and_content() -> None:
    feed = parse_feed(fixture("atom.xml"), "https://physics.example.net/atom.xml")
    assert feed.format == "atom10"
    magic, monsoon = feed.entries
    assert magic.title == "Magic state distillation gets cheaper"
    assert monsoon.published_at == datetime(2025, 1, 14, 8, 30, tzinfo=UTC)
    assert monsoon.summary.startswith("Twelve regional climate model ensembles")


def test_arxiv_api_entries_are_papers_with_canonical_urls() -> None:
    feed = parse_feed(fixture("arxiv.xml"), "http://127.0.0.1/api/query")
    assert feed.format == "arxiv"
    urls = [e.url for e in feed.entries]
    assert urls == [f"https://arxiv.org/abs/2501.0000{n}" for n in (1, 2, 3)]
    assert (
        feed.entries[0].title
        == "Low-Overhead Quantum Error Correction with Bivariate Bicycle Codes"
    )
    assert feed.entries[0].authors == ["Alice Quantum", "Bob Qubit"]
    assert {e.content_type for e in feed.entries} == {"paper"}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (fixture("billion_laughs.xml"), "declares entities"),
        (fixture("malformed.xml"), "malformed XML: mismatched tag: line 8"),
        (fixture("arxiv_error.xml"), "arXiv API error: incorrect id format for bad"),
        (b"<!DOCTYPE html><html><body>Blog</body></html>", "HTML page, not a feed"),
        (b"   ", "empty response"),
        (b"<?xml version='1.0'?><note><to>x</to></note>", "not an RSS or Atom feed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
            b"<rss version='2.0'><channel><title>&ext;</title></channel></rss>",
            "declares entities",
        ),
    ],
    ids=["billion-laughs", "malformed", "arxiv-error", "html", "empty", "not-a-feed", "xxe"],
)
def test_hostile_or_broken_documents_are_rejected_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(FeedRejected, match=reason):
        parse_feed(body, "https://example.org/feed")


def test_entries_without_a_web_link_are_skipped_not_fatal() -> None:
    body = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
        b"<item><title>No link</title></item>"
        b"<item><title>Script</title><link>javascript:alert(1)</link></item>"
        b"<item><title>Good</title><link>https://example.org/good</link></item>"
        b"</channel></rss>"
    )
    feed = parse_feed(body, "https://example.org/feed")
    assert [e.title for e in feed.entries] == ["Good"] and feed.skipped == 2


def test_plain_text_strips_markup_and_decodes_entities() -> None:
    assert plain_text("<p>A &amp; B<br/>  <b>C</b></p>") == "A & B C"
