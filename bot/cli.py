"""`digestbot`: the entry point that reads settings and wires and starts the processes."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from bot.console.alerts import AlertWatch
from bot.console.bot import ConsoleBot
from bot.discord.cli import add_discord_parser, discord_command
from bot.discord_runtime import run_discord
from bot.engagement_wiring import alert_listeners, run_listeners
from bot.gc_tuning import settle_after_startup
from bot.http.pages.admin_link import add_admin_link_parser, print_admin_link
from bot.http.routes import build_routes
from bot.http.server import bound_port, make_app, start_http
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings, describe_error, is_configured
from bot.slack_runtime import slack_bot
from bot.workers import intervals
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
    add_admin_link_parser(sub)
    add_discord_parser(sub)
    seed = sub.add_parser("seed", help="load mock subscribers and content")
    seed.add_argument("--subscribers", type=int, default=10)
    seed.add_argument("--content", type=int, default=20)
    seed.add_argument("--seed", type=int, default=None)
    seed.add_argument("--dispatch", action="store_true", help="also send one digest each")
    return root


def _stop_on_sigterm() -> None:
    """`docker stop` and process managers send SIGTERM: stop as Ctrl-C does, through the
    runtime's clean shutdown, rather than dying mid-write. It also stops a process whose
    SIGINT is ignored (started in the background by a non-interactive shell)."""
    main = asyncio.current_task()
    if main is None:
        return
    with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows; not main thread
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)


async def _with_runtime(settings: Settings, work: Callable[[Runtime], Awaitable[None]]) -> None:
    _stop_on_sigterm()
    try:
        runtime = await build_runtime(settings)
    except (OSError, ConnectionError) as error:
        sys.exit(f"digestbot: cannot reach PostgreSQL or Redis: {error}")
    settle_after_startup()
    try:
        await work(runtime)
    finally:
        await runtime.close()


async def _serve_http(runtime: Runtime) -> int | None:
    """Start the HTTP service; returns its port, or None when the port is taken."""
    app = make_app(*build_routes(runtime))
    try:
        runner = await start_http(app, runtime.settings.http_port)
    except OSError as error:
        print(f"HTTP service not started on port {runtime.settings.http_port}: {error.strerror}")
        return None
    runtime.exit_stack.push_async_callback(runner.cleanup)
    log.info("HTTP service on port %s", bound_port(runner))
    return bound_port(runner)


def _start_scheduler(runtime: Runtime) -> None:
    scheduler = build_scheduler(
        runtime.tick,
        runtime.delivery,
        runtime.housekeeping,
        intervals(runtime.settings),
        ingest=runtime.ingest,
        rollup=runtime.engagement.rollup if runtime.engagement else None,
        alert_scan=runtime.engagement.scanner if runtime.engagement else None,
    )
    scheduler.start()
    runtime.exit_stack.callback(scheduler.shutdown, wait=False)


async def run_bot(runtime: Runtime, args: argparse.Namespace) -> None:
    if not args.no_http:
        await _serve_http(runtime)
    if runtime.settings.run_scheduler and not args.no_scheduler:
        _start_scheduler(runtime)
    if is_configured(runtime.settings.discord_bot_token):  # Discord (beside Slack if set)
        slack = slack_bot(runtime)
        await _listen_for_alerts(runtime, console=False)
        extra = [slack.run(sys.stdout, http_running=not args.no_http)] if slack else []
        await asyncio.gather(run_discord(runtime), *extra)
        return
    slack = slack_bot(runtime)
    await _listen_for_alerts(runtime, console=slack is None)
    if slack is not None:  # a Slack token: Slack instead of the console
        await slack.run(sys.stdout, http_running=not args.no_http)
        return
    if runtime.alerts is not None:  # the console user is its admin: show operator alerts
        await runtime.exit_stack.enter_async_context(AlertWatch(runtime.alerts))
    await ConsoleBot(runtime.service, runtime.settings.console_user).run()


async def _listen_for_alerts(runtime: Runtime, *, console: bool) -> None:
    # Every bot process delivers the alerts it can reach; only a console shows console ones.
    if runtime.engagement is not None:
        user = runtime.settings.console_user if console else None
        listeners = alert_listeners(runtime.engagement, runtime.delivery.deliverers,
                                    runtime.worker_id, runtime.ctx.clock,
                                    runtime.settings.admin_user_ids, user)  # fmt: skip
        await run_listeners(listeners, runtime.exit_stack)


async def worker(runtime: Runtime) -> None:
    _start_scheduler(runtime)
    await _listen_for_alerts(runtime, console=False)
    print(f"digestbot worker {runtime.worker_id} running; Ctrl-C stops it.", flush=True)
    await asyncio.Event().wait()


async def serve(runtime: Runtime) -> None:
    port = await _serve_http(runtime)
    print(f"HTTP service listening on port {port}; Ctrl-C stops it.", flush=True)
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
    if command == "discord":  # register slash commands, print the invite: no database needed
        sys.exit(discord_command(settings, args, sys.stdout))
    if command == "run":
        if not hasattr(args, "no_http"):
            args = parser().parse_args(["run"])
        work: Callable[[Runtime], Awaitable[None]] = lambda rt: run_bot(rt, args)  # noqa: E731
    elif command == "serve":
        work = serve
    elif command == "admin-link":
        work = lambda rt: print_admin_link(rt, args.hours)  # noqa: E731
    elif command == "worker":
        work = worker
    else:
        work = lambda rt: seed(rt, args)  # noqa: E731
    with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C, SIGTERM
        asyncio.run(_with_runtime(settings, work))


if __name__ == "__main__":
    main()
