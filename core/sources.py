"""Content sources: what `/digest source add` accepts, canonical URLs, and source health.

Pure: the feed fetcher and parser live in scheduler.feeds; this module only decides what
a source is, where its items point, and how its health reads to a person."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from core.topics import SOURCES

DEFAULT_CREDIBILITY = 0.5
ARXIV_PAGE_SIZE = 50
# arXiv archives; subject classes follow a dot (cs.CL, astro-ph.CO) or are absent (hep-th).
ARXIV_ARCHIVES = frozenset(
    "cs math stat physics astro-ph cond-mat gr-qc hep-ex hep-lat hep-ph hep-th math-ph "
    "nlin nucl-ex nucl-th quant-ph q-bio q-fin econ eess".split()
)
_LOWER_CLASSES = frozenset({"physics", "cond-mat"})  # physics.optics, cond-mat.mes-hall
_ARXIV_FIELDS = re.compile(r"\b(?:ti|au|abs|co|jr|cat|rn|id|all):", re.IGNORECASE)
_ARXIV_QUERY_CHARS = re.compile(r"^[\w\s.,:\-\"'()+*]{1,200}$")
_ARXIV_ID = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arxiv:\s*)(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE
)
_TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|source)$", re.I)
# Hosts whose standing core.topics.SOURCES already rates.
_KNOWN_HOSTS = {
    "arxiv.org": "arXiv",
    "export.arxiv.org": "arXiv",
    "nature.com": "Nature",
    "science.org": "Science",
    "aclanthology.org": "ACL Anthology",
    "ieeexplore.ieee.org": "IEEE Xplore",
    "biorxiv.org": "bioRxiv",
    "research.google": "Google Research Blog",
    "blog.research.google": "Google Research Blog",
    "openai.com": "OpenAI Blog",
    "thegradient.pub": "The Gradient",
    "distill.pub": "Distill",
}


class SourceKind(StrEnum):
    FEED = "feed"  # RSS 2.0 or Atom 1.0, told apart when parsed
    ARXIV = "arxiv"


@dataclass(frozen=True)
class SourceSpec:
    kind: SourceKind
    url: str  # the feed URL, or `arxiv:QUERY` (resolved against ARXIV_API_URL at fetch time)
    default_name: str
    credibility: float = DEFAULT_CREDIBILITY


@dataclass
class SourceInfo:
    id: int
    name: str
    kind: SourceKind
    url: str
    owner_key: str | None  # None: shared by the whole workspace
    added_by: str
    credibility: float = DEFAULT_CREDIBILITY
    status: str = "active"  # active | paused
    paused_reason: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_fetch_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    items_added: int = 0

    @property
    def shared(self) -> bool:
        return self.owner_key is None


def owner_key(platform: str, user_id: str) -> str:
    return f"{platform}:{user_id}"


def parse_arxiv_query(text: str) -> tuple[str, str]:
    """`cs.CL`, `cs.CL,cs.LG` or free words -> (arXiv search_query, a readable label)."""
    raw = text.strip().strip('"').strip()
    if not raw or not _ARXIV_QUERY_CHARS.match(raw):
        raise ValueError(
            f"bad arXiv query '{text[:40]}' (use a category such as arxiv:cs.CL, or words "
            'such as arxiv:"diffusion models")'
        )
    parts = [p.strip() for p in raw.split(",")]
    categories = [_category(p) for p in parts]
    if all(categories):
        return " OR ".join(f"cat:{c}" for c in categories), ", ".join(map(str, categories))
    if _ARXIV_FIELDS.search(raw):  # already arXiv query syntax (ti:, au:, cat:, ...)
        return raw, raw
    words = re.findall(r"[\w\-]+", raw)
    return " AND ".join(f"all:{w}" for w in words), " ".join(words)


def _category(text: str) -> str | None:
    archive, _, subject = text.partition(".")
    archive = archive.lower()
    if archive not in ARXIV_ARCHIVES or (subject and not re.fullmatch(r"[A-Za-z\-]+", subject)):
        return None
    if not subject:
        return archive
    return f"{archive}.{subject.lower() if archive in _LOWER_CLASSES else subject.upper()}"


def parse_source(text: str) -> SourceSpec:
    """What `/digest source add` was given: an http(s) feed URL or `arxiv:QUERY`."""
    word = text.strip()
    if word.lower().startswith("arxiv:"):
        _, label = parse_arxiv_query(word[6:])
        canonical = f"arxiv:{label.replace(', ', ',')}"  # arxiv:cs.cl -> arxiv:cs.CL
        return SourceSpec(SourceKind.ARXIV, canonical, f"arXiv {label}", SOURCES["arXiv"])
    parts = urlsplit(word)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"bad source '{word[:40]}' (use an http(s) feed URL or arxiv:CATEGORY)")
    host = parts.hostname.lower().removeprefix("www.")
    path = parts.path.strip("/").split("/")[0]
    generic = not path or "." in path or path in ("feed", "feeds", "rss", "atom")
    name = host if generic else f"{host}/{path}"
    return SourceSpec(SourceKind.FEED, word, name[:100], credibility_for_host(host))


def credibility_for_host(host: str) -> float:
    """A known publisher's standing from core.topics.SOURCES, else the neutral default."""
    host = host.lower().removeprefix("www.")
    for known, name in _KNOWN_HOSTS.items():
        if host == known or host.endswith("." + known):
            return SOURCES[name]
    return DEFAULT_CREDIBILITY


def arxiv_api_url(base_url: str, source_url: str, max_results: int = ARXIV_PAGE_SIZE) -> str:
    """The arXiv API query URL for an `arxiv:QUERY` source, newest submissions first."""
    query, _ = parse_arxiv_query(source_url.removeprefix("arxiv:"))
    params = urlencode(
        {
            "search_query": query,
            "sortBy": "submittedDate",
            "sortOrder": "descending",
            "start": 0,
            "max_results": max_results,
        },
        quote_via=quote,
    )
    return f"{base_url.rstrip('?')}?{params}"


def arxiv_ids_in(*texts: str) -> list[str]:
    """arXiv identifiers (without version) mentioned in the texts, first seen first."""
    found: list[str] = []
    for text in texts:
        for match in _ARXIV_ID.finditer(text or ""):
            if match.group(1) not in found:
                found.append(match.group(1))
    return found


def normalise_url(url: str) -> str:
    """One spelling per page: lowercase host, no default port, fragment or tracking
    parameters, sorted query, no trailing slash; arXiv pages become https://arxiv.org/abs/ID."""
    ids = arxiv_ids_in(url)
    if ids and "arxiv.org/" in url.lower():
        return f"https://arxiv.org/abs/{ids[0]}"
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _TRACKING.match(k))  # fmt: skip
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit((scheme, host, path, urlencode(query), ""))


@dataclass(frozen=True)
class Failure:
    """What one failed fetch does to a source: when to try again, and whether to pause."""

    retry_at: datetime
    pause_reason: str | None


def after_failure(
    reason: str,
    failures: int,
    now: datetime,
    *,
    poll: timedelta,
    max_failures: int,
    permanent: bool = False,
    retry_after: float | None = None,
) -> Failure:
    """`failures` counts this one. Back off exponentially (capped at a day); pause after
    `max_failures` in a row, or at once when the feed says it is gone for good."""
    backoff = min(poll * 2 ** max(0, failures - 1), timedelta(days=1))
    if retry_after:
        backoff = max(backoff, timedelta(seconds=min(retry_after, 86_400)))
    pause = None
    if permanent:
        pause = f"paused: the feed is gone for good ({reason})"
    elif failures >= max_failures:
        pause = f"paused after {failures} failed fetches in a row; last error: {reason}"
    return Failure(retry_at=now + backoff, pause_reason=pause)


def _ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = max(0, int((now - moment).total_seconds()))
    for unit, size in (("d", 86_400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


def describe_health(info: SourceInfo, now: datetime) -> str:
    """One line a person can act on: fetched when, how many items, or why it is paused."""
    if info.status == "paused":
        return f"⏸️ {info.paused_reason or 'paused'} — re-add the URL to resume it"
    fetched = f"last fetched {_ago(info.last_fetch_at, now)}, {info.items_added} items"
    if info.consecutive_failures:
        return (
            f"⚠️ {info.consecutive_failures} failed fetch(es) in a row ({fetched}); "
            f"last error: {info.last_error}"
        )
    if info.last_fetch_at is None:
        return "🕒 waiting for its first fetch"
    return f"✅ ok, {fetched}"
