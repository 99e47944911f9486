"""Garbage-collector settings for a long-running digestbot process.

A worker holds hundreds of thousands of long-lived objects (libraries, the parsed content
window) and allocates many short-lived ones per digest; with CPython's defaults the full
collections that rescan the long-lived heap cost a worker about a tenth of its
throughput (bench/pipeline.py). Objects are still freed by reference counting as usual;
this only makes cycle detection run less often and skip what existed at start-up."""

from __future__ import annotations

import gc

# CPython's default is 700 allocations (net of frees) between young collections. A batch
# of 500 digests holds 50,000-100,000 tracked objects alive until it is written, almost
# none of them in cycles: below that, young collections ran ten times a batch and
# promoted it all to be scanned again, a tenth of a worker's CPU (2.0 s of 19 s for
# 19,000 digests; 0.16 s at this threshold, with the same peak memory).
YOUNG_THRESHOLD = 200_000


def settle_after_startup() -> None:
    """Call once the process is wired up: start-up objects leave the collector's scans."""
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 10, 10)
