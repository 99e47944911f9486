"""The walking skeleton end to end: a real `digestbot run` process driven through stdin."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

import asyncpg
import pytest

from core.models import AIMetadata
from core.ranking import score_item
from storage.postgres.content import content_from_row
from tests.e2e.conftest import ROOT

SEEDED = "/digest admin seed --subscribers 8 --content 60 --seed 11"


async def _sent_items(pg_url: str) -> tuple[AIMetadata, list[list[dict]]]:
    conn = await asyncpg.connect(pg_url)
    try:
        row = await conn.fetchrow(
            "SELECT id, ai_metadata::text AS meta FROM publishing_subscribers "
            "WHERE platform = 'console'"
        )
        meta = AIMetadata.model_validate_json(row["meta"])
        pubs = await conn.fetch(
            "SELECT id FROM publishing_publications WHERE subscriber_id = $1 ORDER BY id", row["id"]
        )
        batches = []
        for pub in pubs:
            items = await conn.fetch(
                "SELECT c.id, c.title, c.summary, c.url, c.source, c.content_type, "
                "c.published_at, c.ai_scores::text AS ai_scores, c.entities::text AS entities, "
                "c.fingerprint FROM publishing_publication_items i "
                "JOIN content_items c ON c.id = i.content_id WHERE i.publication_id = $1",
                pub["id"],
            )
            batches.append([dict(item) for item in items])
        return meta, batches
    finally:
        await conn.close()


async def test_subscribe_refine_seed_preview_send_and_restart(run_bot, pg_url: str) -> None:
    first = run_bot(
        "/subscribe daily at 08:00 tz Europe/London",
        "/digest frequency weekly on tue at 07:30",
        "/digest timezone America/New_York",
        '/digest prompt add "Find latest research on NLP and language models"',
        SEEDED,
        "/digest refine threshold 0.4",
        "/digest preview",
        "/digest now",
        "/digest history",
        "/digest now",
        "/digest status",
    )
    out = first.stdout
    assert first.returncode == 0, first.stderr
    assert "Subscribed: daily at 08:00 Europe/London" in out
    assert "weekly on Tuesday at 07:30 America/New_York" in out
    assert "natural language processing" in out  # the refined topic is shown back
    assert "Seeded 8 subscribers and 60 new content items" in out
    assert "Preview:" in out and "Near misses" in out
    assert "📬 Sent your digest" in out
    assert "https://example.org/papers/" in out and "/t/c/" not in out  # plain links in a terminal
    assert "Traceback" not in first.stderr

    meta, batches = await _sent_items(pg_url)
    assert "natural language processing" in meta.refined_requests.topics
    sent = [item for batch in batches for item in batch]
    assert sent, "the first digest should hold matching items"
    for raw in sent:
        raw["ai_scores"] = __import__("json").loads(raw["ai_scores"])
        raw["entities"] = __import__("json").loads(raw["entities"])
        scored = score_item(content_from_row(raw), meta)
        assert scored.left_out is None, (raw["title"], scored.left_out)
        assert scored.score >= 0.4
    ids = [item["id"] for item in sent]
    assert len(ids) == len(set(ids)), "an item went out twice"

    second = run_bot("/digest settings", "/digest prompt list")
    assert second.returncode == 0, second.stderr
    assert "Find latest research on NLP and language models" in second.stdout
    assert "America/New_York" in second.stdout


def test_bad_input_is_answered_and_nothing_is_half_stored(run_bot) -> None:
    long_prompt = "x" * 10_000
    result = run_bot(
        "/digest status",
        "/subscribe daily",
        "/digest frobnicate",
        "/digest timezone Mars/Olympus_Mons",
        "/digest refine threshold 1.5",
        f'/digest prompt add "{long_prompt}"',
        '/digest prompt add "\'; DROP TABLE publishing_subscribers; --"',
        '/digest prompt add "*bold* _it_ <!channel> @here `code`"',
        "/subscribe fortnighty",
        "/digest prompt list",
        "/digest settings",
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "not subscribed yet" in out
    assert "unknown subcommand 'frobnicate'" in out
    assert "Mars/Olympus_Mons" in out
    assert "1.5" in out and "outside 0..1" in out
    assert "10000 characters" in out
    assert "fortnighty" in out
    assert out.count("Usage:") >= 5
    # The prompts that were accepted are stored verbatim; the oversized one is not stored.
    assert "1. '; DROP TABLE publishing_subscribers; --" in out
    assert "2. *bold* _it_ <!channel> @here `code`" in out
    assert "3." not in out.split("Your prompts:")[1].split("What I look for")[0]
    assert "relevance threshold: 0.50" in out  # the rejected 1.5 changed nothing
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
async def test_the_console_bot_stops_cleanly_while_waiting_for_input(
    bot_env: dict[str, str], tmp_path: Path, stop: signal.Signals
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--no-http", env=bot_env, cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        # Ctrl-C as a terminal sends it, even when this suite runs in the background.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"/digest status\n")  # stdin stays open: the next read blocks
    await process.stdin.drain()
    answer = await asyncio.wait_for(process.stdout.readline(), 60)
    assert answer.strip(), "the console never answered"
    process.send_signal(stop)
    try:
        await asyncio.wait_for(process.wait(), 20)
    finally:
        if process.returncode is None:
            process.kill()
    assert process.returncode == 0


def test_ctrl_c_on_a_terminal_stops_the_console_bot_at_its_prompt(
    bot_env: dict[str, str], tmp_path: Path
) -> None:
    """The quick start's console on a real terminal: Ctrl-C at the first prompt exits."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the bot, with the pseudo-terminal as stdin and stdout
        os.chdir(tmp_path)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # as a shell's foreground job has it
        os.execve(sys.executable, [sys.executable, "-m", "bot.cli", "run", "--no-http"],
                  {**bot_env, "PYTHONPATH": str(ROOT)})  # fmt: skip
    seen = b""
    try:
        deadline = time.monotonic() + 60
        while b"> " not in seen and time.monotonic() < deadline:
            if select.select([terminal], [], [], 0.5)[0]:
                seen += os.read(terminal, 4096)
        assert b"> " in seen, seen.decode(errors="replace")
        os.kill(pid, signal.SIGINT)  # what Ctrl-C sends
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                assert os.waitstatus_to_exitcode(status) == 0
                return
            if select.select([terminal], [], [], 0.2)[0]:
                with contextlib.suppress(OSError):
                    seen += os.read(terminal, 4096)
        pytest.fail(f"still running 20 s after Ctrl-C: {seen.decode(errors='replace')[-500:]}")
    finally:
        with contextlib.suppress(ChildProcessError, ProcessLookupError):
            if os.waitpid(pid, os.WNOHANG)[0] == 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        os.close(terminal)
