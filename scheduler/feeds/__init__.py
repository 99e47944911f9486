"""Fetching and parsing RSS 2.0, Atom 1.0 and arXiv API feeds, defensively."""

from __future__ import annotations


class FeedRejected(Exception):
    """A fetch or parse that failed, with the reason recorded in the source's health."""

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent  # the feed is gone for good (410): pause at once
        self.retry_after = retry_after  # the server asked us to wait (429/503)
