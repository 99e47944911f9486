"""`digestbot`: the entry point that reads settings and wires and starts the processes."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from bot.console.bot import ConsoleBot
from bot.http.routes import build_routes
from bot.http.server import bound_port, make_app, start_http
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings, describe_error
from core import commands as c
from core.actor import Actor
from scheduler.jobs import build_scheduler

log = logging.getLogger("digestbot")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="digestbot", description=__doc__)
    sub = root.add_subparsers(dest="command")
    run = sub.add_parser("run", help="the bot (console when no platform token is set)")
    run.add_argument("--no-scheduler", action="store_true", help="do not run scheduled jobs")
    run.add_argument("--no-http", action="store_true", help="do not start the HTTP service")
    sub.add_parser("serve", help="only the HTTP service")
    sub.add_parser("worker", help="scheduled digests and delivery, no chat connection")
    seed = sub.add_parser("seed", help="load mock subscribers and content")
    seed.add_argument("--subscribers", type=int, default=10)
    seed.add_argument("--content", type=int, default=20)
    seed.add_argument("--seed", type=int, default=None)
    seed.add_argument("--dispatch", action="store_true", help="also send one digest each")
    return root


async def _with_runtime(settings: Settings, work: Callable[[Runtime], Awaitable[None]]) -> None:
    try:
        runtime = await build_runtime(settings)
    except (OSError, ConnectionError) as error:
        sys.exit(f"digestbot: cannot reach PostgreSQL or Redis: {error}")
    try:
        await work(runtime)
    finally:
        await runtime.close()


async def _serve_http(runtime: Runtime) -> None:
    app = make_app(*build_routes(runtime))
    try:
        runner = await start_http(app, runtime.settings.http_port)
    except OSError as error:
        print(f"HTTP service not started on port {runtime.settings.http_port}: {error.strerror}")
        return
    runtime.exit_stack.push_async_callback(runner.cleanup)
    log.info("HTTP service on port %s", bound_port(runner))


def _start_scheduler(runtime: Runtime) -> None:
    scheduler = build_scheduler(runtime.tick, runtime.delivery, runtime.housekeeping)
    scheduler.start()
    runtime.exit_stack.callback(scheduler.shutdown, wait=False)


async def run_bot(runtime: Runtime, args: argparse.Namespace) -> None:
    if not args.no_http:
        await _serve_http(runtime)
    if runtime.settings.run_scheduler and not args.no_scheduler:
        _start_scheduler(runtime)
    await ConsoleBot(runtime.service, runtime.settings.console_user).run()


async def worker(runtime: Runtime) -> None:
    _start_scheduler(runtime)
    print(f"digestbot worker {runtime.worker_id} running; Ctrl-C stops it.", flush=True)
    await asyncio.Event().wait()


async def serve(runtime: Runtime) -> None:
    await _serve_http(runtime)
    await asyncio.Event().wait()


async def seed(runtime: Runtime, args: argparse.Namespace) -> None:
    command = c.AdminSeed(
        subscribers=args.subscribers, content=args.content, seed=args.seed, dispatch=args.dispatch
    )
    actor = Actor(platform="console", user_id="admin-cli", display_name="admin", is_admin=True)
    reply = await runtime.service.execute(actor, command)
    print(reply.as_text())


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        sys.exit(describe_error(error))
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    command = args.command or "run"
    if command == "run":
        if not hasattr(args, "no_http"):
            args = parser().parse_args(["run"])
        work: Callable[[Runtime], Awaitable[None]] = lambda rt: run_bot(rt, args)  # noqa: E731
    elif command == "serve":
        work = serve
    elif command == "worker":
        work = worker
    else:
        work = lambda rt: seed(rt, args)  # noqa: E731
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_with_runtime(settings, work))


if __name__ == "__main__":
    main()
