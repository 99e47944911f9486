"""The console bot: slash commands on stdin, answers and digests on stdout."""

from __future__ import annotations

import asyncio
import getpass
import sys
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
        while True:
            if interactive:
                self._print("> ", end="")
            line = await asyncio.to_thread(self.stdin.readline)
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


def _display_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "console user"
