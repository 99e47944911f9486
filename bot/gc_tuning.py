"""Garbage-collector settings for a long-running digestbot process.

A worker holds hundreds of thousands of long-lived objects (libraries, the parsed content
window) and allocates many short-lived ones per digest; with CPython's defaults the full
collections that rescan the long-lived heap cost a worker about a tenth of its
throughput (bench/pipeline.py). Objects are still freed by reference counting as usual;
this only makes cycle detection run less often and skip what existed at start-up."""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000  # CPython's default is 700 allocations between young collections


def settle_after_startup() -> None:
    """Call once the process is wired up: start-up objects leave the collector's scans."""
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 10, 10)
