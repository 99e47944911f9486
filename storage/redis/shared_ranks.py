"""Full-text ranks shared by the worker processes, so each distinct phrase is ranked by
PostgreSQL once per content window rather than once per worker.

Keys name the window (a hash of the ranked items' ids and versions) and the phrase;
values are the ranked ids and ranks, packed. A worker claims a few phrases at a time
(SET NX with a short expiry) before ranking them, so workers split the work; anything
lost (Redis down, a claimer that died) is simply ranked again locally."""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import AsyncIterator, Sequence

import numpy as np
import numpy.typing as npt
from redis.asyncio import Redis
from redis.exceptions import RedisError

Ids, Ranks = npt.NDArray[np.int64], npt.NDArray[np.float64]
RANKS_TTL_SECONDS = 3600
CLAIM_TTL_SECONDS = 60
FETCH_CHUNK = 32  # values are tens of kilobytes each


KEY_PATTERN = "cache:ranks:*"  # every shared rank and claim


def _key(kind: str, window: str, phrase: str) -> str:
    return f"cache:ranks:{kind}:{window}:{hashlib.sha256(phrase.encode()).hexdigest()[:32]}"


def pack(ids: Ids, ranks: Ranks) -> str:
    # Ranks are PostgreSQL `real`s: float32 holds them exactly.
    raw = ids.astype("<i8").tobytes() + ranks.astype("<f4").tobytes()
    return base64.b64encode(raw).decode("ascii")


def unpack(text: str) -> tuple[Ids, Ranks]:
    raw = base64.b64decode(text)
    count = len(raw) // 12
    ids = np.frombuffer(raw[: 8 * count], dtype="<i8").astype(np.int64)
    ranks = np.frombuffer(raw[8 * count :], dtype="<f4").astype(np.float64)
    return ids, ranks


@contextlib.asynccontextmanager
async def _unavailable_as_oserror() -> AsyncIterator[None]:
    """Redis failures as the OSError the RankSharing port promises."""
    try:
        yield
    except RedisError as error:
        raise OSError(f"redis: {error}") from error


class SharedRanks:
    def __init__(self, redis: Redis, worker_id: str) -> None:
        self._redis = redis
        self._worker = worker_id

    async def fetch(self, window: str, phrases: Sequence[str]) -> dict[str, tuple[Ids, Ranks]]:
        """The ranks some worker stored for these phrases over this window."""
        found: dict[str, tuple[Ids, Ranks]] = {}
        for start in range(0, len(phrases), FETCH_CHUNK):  # a few packed values at a time
            chunk = phrases[start : start + FETCH_CHUNK]
            async with _unavailable_as_oserror():
                values = await self._redis.mget([_key("r", window, q) for q in chunk])
            found |= {q: unpack(v) for q, v in zip(chunk, values, strict=True) if v is not None}
        return found

    async def claim(self, window: str, phrases: Sequence[str]) -> list[str]:
        """Those of the phrases no other worker is ranking; they are now this worker's."""
        async with _unavailable_as_oserror(), self._redis.pipeline(transaction=False) as pipe:
            for phrase in phrases:
                pipe.set(_key("c", window, phrase), self._worker, nx=True, ex=CLAIM_TTL_SECONDS)
            taken = await pipe.execute()
        return [p for p, ok in zip(phrases, taken, strict=True) if ok]

    async def store(self, window: str, ranked: dict[str, tuple[Ids, Ranks]]) -> None:
        async with _unavailable_as_oserror(), self._redis.pipeline(transaction=False) as pipe:
            for phrase, (ids, ranks) in ranked.items():
                pipe.set(_key("r", window, phrase), pack(ids, ranks), ex=RANKS_TTL_SECONDS)
            await pipe.execute()
