"""One-command set-up: `python3 scripts/dev.py run` starts the bot, `... test` runs every check.

Needs only Python 3.11+ and a C compiler: it makes `.venv`, installs the project into it
(again only when pyproject.toml changes) and then runs the bot or the checks inside it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_venv(extras: str = "test") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs under any python3
        sys.exit(f"digestbot needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
        run([str(BIN / "python"), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / ".installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extras}]" if extras else "."
    print(f"Installing digestbot{f'[{extras}]' if extras else ''} into .venv ...", flush=True)
    run([str(BIN / "python"), "-m", "pip", "install", "-q", "-e", target], cwd=ROOT)
    stamp.write_text(digest)


def run(cmd: list[str], cwd: Path = ROOT) -> None:
    result = subprocess.run(cmd, cwd=cwd, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


NO_CHROMIUM = "browser tests skipped: no Chromium found (install chromium or set CHROMIUM_PATH)"


def chromium_found() -> bool:
    """The browser tests drive the system Chromium (CHROMIUM_PATH or /usr/bin/chromium)."""
    path = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    return Path(path).is_file() or shutil.which(path) is not None


def test(args: list[str]) -> None:
    ensure_venv()
    run([str(BIN / "ruff"), "check", "."])
    run([str(BIN / "ruff"), "format", "--check", "."])
    run([str(BIN / "lint-imports")])
    browser = chromium_found()
    if not browser:
        print(NO_CHROMIUM, flush=True)
    try:
        run([str(BIN / "python"), "-m", "pytest", *args])
    finally:
        if not browser:  # again at the end, where people look
            print(NO_CHROMIUM, flush=True)


def main() -> None:
    command, *args = sys.argv[1:] or ["run"]
    if command == "test":
        test(args)
    elif command == "run":
        ensure_venv()
        os.execv(str(BIN / "digestbot"), [str(BIN / "digestbot"), "run", *args])
    else:
        sys.exit("usage: python3 scripts/dev.py run [bot options] | test [pytest options]")


if __name__ == "__main__":
    main()
