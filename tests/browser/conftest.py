"""Headless Chromium (Debian's, driven by Playwright) against the real HTTP service.

The browser is the system one at /usr/bin/chromium (or CHROMIUM_PATH); Playwright never
downloads one. Without it every browser test is skipped with one plain reason."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.http.routes import build_routes
from bot.http.server import bound_port, make_app, start_http
from bot.runtime import Runtime, build_runtime
from tests.fixtures.runtime import test_settings

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
API_TOKEN = "browser-test-api-token"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def chromium_path() -> str | None:
    """CHROMIUM_PATH when set (so a machine without Chromium can be imitated), else
    Debian's /usr/bin/chromium; None when it is not there."""
    candidate = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    return candidate if Path(candidate).is_file() or shutil.which(candidate) else None


NO_BROWSER = "browser tests skipped: no Chromium found (install chromium or set CHROMIUM_PATH)"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(NO_BROWSER)
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("browser tests skipped: playwright is not installed (pip install -e .[test])")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class Site:
    runtime: Runtime
    base: str

    def local(self, link: str) -> str:
        """A link as digests print it (PUBLIC_BASE_URL), pointed at this test's server."""
        path = link.split("://", 1)[-1].partition("/")[2]
        return f"{self.base}/{path}"


@pytest_asyncio.fixture(loop_scope="session")
async def site(pg_url: str, redis_url: str, tmp_path: Path) -> AsyncIterator[Site]:
    """The wired runtime and its HTTP service on 127.0.0.1, port chosen by the system."""
    settings = test_settings(pg_url, redis_url, tmp_path, api_token=API_TOKEN)
    runtime = await build_runtime(settings, out=io.StringIO())
    runner = await start_http(make_app(*build_routes(runtime)), 0, host="127.0.0.1")
    try:
        yield Site(runtime, f"http://127.0.0.1:{bound_port(runner)}")
    finally:
        await runner.cleanup()
        await runtime.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Any) -> AsyncIterator[Any]:
    context = await browser.new_context(viewport=DESKTOP)
    try:
        yield await context.new_page()
    finally:
        await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def phone(browser: Any) -> AsyncIterator[Any]:
    context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        yield await context.new_page()
    finally:
        await context.close()


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
