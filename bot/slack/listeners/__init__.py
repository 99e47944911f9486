"""Bolt listeners, one module per kind, each with `register(app, services)`."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import actions, commands, events, views
from bot.slack.services import SlackServices


def register_all(app: AsyncApp, services: SlackServices) -> None:
    for module in (commands, actions, views, events):
        module.register(app, services)
