"""A long-lived `digestbot run` for end-to-end tests: stdin stays open, so the test can
type commands while the bot keeps running, and stdout/stderr are read as they come."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class LiveBot:
    def __init__(self, env: dict[str, str], cwd: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env={**env, "PYTHONPATH": str(ROOT)},
            cwd=cwd,  # no .env from the checkout leaks in
        )
        self._out: list[str] = []
        self._err: list[str] = []
        self._changed = threading.Condition()
        for stream, sink in ((self.proc.stdout, self._out), (self.proc.stderr, self._err)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()

    def _pump(self, stream: object, sink: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            with self._changed:
                sink.append(line)
                self._changed.notify_all()

    @property
    def stdout(self) -> str:
        with self._changed:
            return "".join(self._out)

    @property
    def stderr(self) -> str:
        with self._changed:
            return "".join(self._err)

    def send(self, line: str) -> int:
        """Type one line; returns the stdout position to wait from."""
        mark = len(self.stdout)
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return mark

    def wait_for(
        self, pattern: str, *, since: int = 0, stream: str = "out", timeout: float = 60
    ) -> re.Match[str]:
        """The first match of `pattern` in stdout (or stderr) after position `since`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                text = "".join(self._out if stream == "out" else self._err)[since:]
                found = re.search(pattern, text)
                if found:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise AssertionError(
                        f"{pattern!r} not seen (exit {self.proc.poll()}).\n"
                        f"stdout:\n{text[-3000:]}\nstderr:\n{''.join(self._err)[-3000:]}"
                    )
                self._changed.wait(min(left, 0.5))

    def ask(self, line: str, answer: str, timeout: float = 60) -> str:
        """Type a command and wait for the answer; returns what was printed since."""
        mark = self.send(line)
        self.wait_for(answer, since=mark, timeout=timeout)
        return self.stdout[mark:]

    def stop(self) -> int:
        """End of input: the console bot finishes and the process exits."""
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        return self.proc.returncode
