"""`digestbot serve` runs the HTTP service on its own, with /health answering."""

from __future__ import annotations

import asyncio
import re
import sys

import aiohttp


async def test_serve_answers_health(bot_env: dict[str, str]) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "serve",
        env=bot_env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        port = re.search(r"listening on port (\d+)", line)
        assert port, line
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port.group(1)}/health") as response,
        ):
            assert response.status == 200
            assert (await response.json())["status"] == "ok"
    finally:
        proc.terminate()  # SIGTERM: a clean shutdown, bounded here
        try:
            await asyncio.wait_for(proc.wait(), 30)
        finally:
            if proc.returncode is None:
                proc.kill()
    assert proc.returncode == 0
