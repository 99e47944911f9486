"""The console bot: slash commands on stdin, answers and digests on stdout."""

from __future__ import annotations

import asyncio
import getpass
import sys
import threading
from collections.abc import AsyncIterator
from typing import TextIO

from core.actor import Actor
from core.reply import Action, Reply
from core.service import CommandService

# What a numbered choice turns into, for actions that are not set-up answers.
ACTION_COMMANDS = {"digest_now": "/digest now"}


class ConsoleBot:
    def __init__(
        self,
        service: CommandService,
        user_id: str,
        *,
        stdin: TextIO | None = None,
        out: TextIO | None = None,
    ) -> None:
        self.service = service
        self.stdin = stdin or sys.stdin
        self.out = out or sys.stdout
        self.actor = Actor(
            platform="console", user_id=user_id, display_name=_display_name(), is_admin=True
        )
        self.choices: list[Action] = []

    async def run(self) -> None:
        """Answer line by line until end of input."""
        interactive = self.stdin.isatty()
        if interactive:
            self._print("digestbot console: type /digest for help, Ctrl-D to quit.")
        lines = _lines(self.stdin)
        while True:
            if interactive:
                self._print("> ", end="")
            line = await anext(lines, "")
            if not line:
                break
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            reply = await self.answer(text)
            self._print(reply.as_text() + "\n")

    async def answer(self, text: str) -> Reply:
        chosen = self._choice(text)
        if chosen is not None:
            text = ACTION_COMMANDS.get(chosen.action_id, chosen.value)
        reply = await self.service.handle(self.actor, text)
        self.choices = reply.actions
        return reply

    def _choice(self, text: str) -> Action | None:
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            return self.choices[int(text) - 1]
        return None

    def _print(self, text: str, end: str = "\n") -> None:
        print(text, end=end, file=self.out, flush=True)


async def _lines(stdin: TextIO) -> AsyncIterator[str]:
    """stdin's lines, then EOF as "". Read by a daemon thread rather than asyncio.to_thread:
    asyncio.run waits for its executor's threads at exit, so a read blocked on an open
    terminal or pipe would keep the process alive after Ctrl-C or SIGTERM."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def hand_over(line: str) -> bool:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, line)
        except RuntimeError:  # the loop has closed: nobody is reading any more
            return False
        return True

    def read() -> None:
        for line in iter(stdin.readline, ""):
            if not hand_over(line):
                return
        hand_over("")

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    while line := await queue.get():
        yield line


def _display_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "console user"
