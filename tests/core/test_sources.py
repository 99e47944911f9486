"""core.sources: what `/digest source add` accepts, canonical URLs and source health."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from core.sources import (
    SourceInfo,
    SourceKind,
    after_failure,
    arxiv_api_url,
    arxiv_ids_in,
    describe_health,
    normalise_url,
    parse_arxiv_query,
    parse_source,
)

NOW = datetime(2025, 1, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "url", "name", "credibility"),
    [
        ("arxiv:cs.cl", "arxiv:cs.CL", "arXiv cs.CL", 0.7),
        ("arxiv:cs.CL,stat.ml", "arxiv:cs.CL,stat.ML", "arXiv cs.CL, stat.ML", 0.7),
        ("arxiv:hep-th", "arxiv:hep-th", "arXiv hep-th", 0.7),
        ("arxiv:diffusion models", "arxiv:diffusion models", "arXiv diffusion models", 0.7),
        (
            "https://www.nature.com/nature.rss",
            "https://www.nature.com/nature.rss",
            "nature.com",
            0.95,
        ),
        (
            "https://lab.example.org/blog/feed",
            "https://lab.example.org/blog/feed",
            "lab.example.org/blog",
            0.5,
        ),
    ],
)
def test_parse_source(text: str, url: str, name: str, credibility: float) -> None:
    spec = parse_source(text)
    assert (spec.url, spec.default_name, spec.credibility) == (url, name, credibility)
    assert spec.kind is (SourceKind.ARXIV if text.startswith("arxiv:") else SourceKind.FEED)


@pytest.mark.parametrize("text", ["ftp://x.org/feed", "arxiv:", "arxiv:a;b", "example.org"])
def test_parse_source_rejects_bad_input_clearly(text: str) -> None:
    with pytest.raises(ValueError, match="bad (source|arXiv query)"):
        parse_source(text)


def test_arxiv_queries_map_to_the_api_newest_first() -> None:
    assert parse_arxiv_query("cs.CL")[0] == "cat:cs.CL"
    assert parse_arxiv_query("large language models")[0] == (
        "all:large AND all:language AND all:models"
    )
    assert parse_arxiv_query("au:hinton AND ti:capsules")[0] == "au:hinton AND ti:capsules"
    url = arxiv_api_url("http://127.0.0.1:9/api/query", "arxiv:cs.CL,cs.LG", max_results=25)
    parts = urlsplit(url)
    assert parts.path == "/api/query"
    assert parse_qs(parts.query) == {
        "search_query": ["cat:cs.CL OR cat:cs.LG"],
        "sortBy": ["submittedDate"],
        "sortOrder": ["descending"],
        "start": ["0"],
        "max_results": ["25"],
    }


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        (
            "HTTPS://Example.ORG:443/a/b/?utm_source=x&b=2&a=1#top",
            "https://example.org/a/b?a=1&b=2",
        ),
        ("http://example.org:8080/", "http://example.org:8080/"),
        ("http://arxiv.org/pdf/2501.00001v3", "https://arxiv.org/abs/2501.00001"),
        ("https://export.arxiv.org/abs/2501.00001v1", "https://arxiv.org/abs/2501.00001"),
    ],
)
def test_normalise_url(url: str, normal: str) -> None:
    assert normalise_url(url) == normal


def test_arxiv_ids_in_texts() -> None:
    text = "see arXiv:2501.00002 and https://arxiv.org/abs/2401.12345v2, again arxiv:2501.00002"
    assert arxiv_ids_in(text) == ["2501.00002", "2401.12345"]


def test_failures_back_off_then_pause_with_the_reason() -> None:
    poll = timedelta(hours=1)
    first = after_failure("HTTP 500", 1, NOW, poll=poll, max_failures=3)
    third = after_failure("HTTP 500", 3, NOW, poll=poll, max_failures=3)
    assert first.retry_at == NOW + poll and first.pause_reason is None
    assert third.pause_reason == "paused after 3 failed fetches in a row; last error: HTTP 500"
    capped = after_failure("x", 30, NOW, poll=poll, max_failures=99)
    assert capped.retry_at == NOW + timedelta(days=1)
    gone = after_failure("HTTP 410 Gone", 1, NOW, poll=poll, max_failures=5, permanent=True)
    assert "gone for good" in (gone.pause_reason or "")
    waited = after_failure("HTTP 429", 1, NOW, poll=poll, max_failures=5, retry_after=7200)
    assert waited.retry_at == NOW + timedelta(hours=2)


def test_describe_health() -> None:
    info = SourceInfo(1, "Lab", SourceKind.FEED, "https://x", None, "console:me")
    assert describe_health(info, NOW) == "🕒 waiting for its first fetch"
    info.last_fetch_at, info.items_added = NOW - timedelta(minutes=5), 3
    assert describe_health(info, NOW) == "✅ ok, last fetched 5 min ago, 3 items"
    info.consecutive_failures, info.last_error = 2, "timed out after 20 s"
    assert "2 failed fetch(es) in a row" in describe_health(info, NOW)
    info.status, info.paused_reason = "paused", "paused after 5 failed fetches in a row"
    assert describe_health(info, NOW).startswith("⏸️ paused after 5 failed fetches")
