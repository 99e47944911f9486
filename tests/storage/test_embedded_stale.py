"""An embedded server left running by a deleted checkout is recognised as stale."""

from __future__ import annotations

import os
from pathlib import Path

from storage.embedded import stale_server


def _server(tmp_path: Path, pid: int, binary: str) -> tuple[Path, Path]:
    data, proc = tmp_path / "pg", tmp_path / "proc"
    data.mkdir()
    (data / "postmaster.pid").write_text(f"{pid}\n{data}\n")
    (proc / str(pid)).mkdir(parents=True)
    os.symlink(binary, proc / str(pid) / "exe")
    return data, proc


def test_a_server_whose_binary_was_deleted_is_stale(tmp_path: Path) -> None:
    data, proc = _server(tmp_path, 4242, "/gone/.venv/pgserver/bin/postgres (deleted)")
    assert stale_server(data, proc) == 4242


def test_a_live_server_or_none_at_all_is_not(tmp_path: Path) -> None:
    data, proc = _server(tmp_path, 4243, "/venv/pgserver/bin/postgres")
    assert stale_server(data, proc) is None
    assert stale_server(tmp_path / "nothing-here", proc) is None
    (data / "postmaster.pid").write_text("4244\n")  # a pid that no longer runs
    assert stale_server(data, proc) is None
