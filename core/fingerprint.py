"""Title fingerprints: the same story from two sources gets the same fingerprint."""

from __future__ import annotations

import hashlib
import re

# Words that differ between outlets' headlines without changing the story.
STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "by", "for", "from", "in", "into"}
    | {"is", "it", "of", "on", "or", "the", "to", "via", "with"}
)
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)


def fingerprint(title: str) -> str:
    """Lowercase, strip punctuation, drop stopwords, sort the unique tokens, hash.

    Word order and repeats are ignored, so "Attention is all you need" and
    "All you need: attention!" share a fingerprint."""
    tokens = _PUNCTUATION.sub(" ", title.lower()).split()
    kept = sorted({token for token in tokens if token not in STOPWORDS})
    return hashlib.sha1(" ".join(kept).encode("utf-8")).hexdigest()[:16]
