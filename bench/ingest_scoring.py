"""How fast new feed entries are parsed, scored and checked for near-duplicates (the CPU
part of ingestion), against a window of recent items. Prints figures; asserts nothing.

    .venv/bin/python -m bench.ingest_scoring [--entries 2000] [--recent 300]"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime

from core.scoring import FeedEntry, near_duplicate, recent_of, to_item
from core.topics import TOPICS
from scheduler.feeds.parse import parse_feed

WORDS = [w for synonyms in TOPICS.values() for s in synonyms for w in s.split()] + list(
    "model data method result study system learning network analysis approach".split()
)


def entry(rng: random.Random, n: int) -> FeedEntry:
    title = " ".join(rng.choices(WORDS, k=8)).capitalize()
    summary = " ".join(rng.choices(WORDS, k=120))
    return FeedEntry(title=title, url=f"https://example.org/{n}", summary=summary,
                     published_at=datetime.now(UTC), authors=["A. Author"])  # fmt: skip


def rss(entries: list[FeedEntry]) -> bytes:
    items = "".join(
        f"<item><title>{e.title}</title><link>{e.url}</link>"
        f"<description>{e.summary}</description></item>"
        for e in entries
    )
    head = "<?xml version='1.0'?><rss version='2.0'><channel><title>B</title>"
    return f"{head}{items}</channel></rss>".encode()


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--entries", type=int, default=2000)
    args.add_argument("--recent", type=int, default=300)
    opts = args.parse_args()
    rng = random.Random(7)
    recent = [recent_of(n, e.title, e.summary) for n, e in enumerate(
        entry(rng, n) for n in range(opts.recent))]  # fmt: skip
    fresh = [entry(rng, 10_000 + n) for n in range(opts.entries)]
    now = datetime.now(UTC)

    body = rss(fresh[:200])
    started = time.perf_counter()
    parse_feed(body, "https://example.org/feed")
    parse_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    for item in fresh:
        to_item(item, "Blog", 0.5, recent, now)
        near_duplicate(item, recent)
    per_item_ms = (time.perf_counter() - started) * 1000 / len(fresh)
    print(f"parse a 200-entry RSS feed ({len(body) / 1000:.0f} kB): {parse_ms:.1f} ms")
    print(f"score + near-duplicate check against {opts.recent} recent items: "
          f"{per_item_ms:.2f} ms per entry ({1000 / per_item_ms:.0f} entries/s)")  # fmt: skip


if __name__ == "__main__":
    main()
