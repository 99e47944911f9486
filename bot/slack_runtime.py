"""The one Slack bot of a running process, built from its Runtime on first use.

Outside bot/slack on purpose: bot.slack must not import the runtime (which imports the
console), so the Slack, Discord and console adapters stay independent."""

from __future__ import annotations

from aiohttp import web

from bot.runtime import Runtime
from bot.slack.runner import SlackBot, build_slack

KEY = "slack"


def slack_bot(runtime: Runtime) -> SlackBot | None:
    """The process's Slack bot (HTTP routes and Socket Mode share it); None when off."""
    if KEY not in runtime.extras:
        runtime.extras[KEY] = build_slack(
            runtime.settings, runtime.service, runtime.redis, runtime.pool
        )
    bot: SlackBot | None = runtime.extras[KEY]
    return bot


def slack_route_tables(runtime: Runtime) -> list[web.RouteTableDef]:
    """/slack/events (+ OAuth install routes) when Slack is on; nothing otherwise."""
    bot = slack_bot(runtime)
    return [bot.routes()] if bot is not None else []
