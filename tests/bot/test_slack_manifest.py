"""slack/manifest.yml declares what the code listens to and asks for."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.slack.listeners.commands import COMMANDS
from bot.slack.oauth import BOT_SCOPES

MANIFEST = Path(__file__).resolve().parents[2] / "slack" / "manifest.yml"


def test_the_manifest_matches_the_app() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    features, settings = manifest["features"], manifest["settings"]

    assert [c["command"] for c in features["slash_commands"]] == list(COMMANDS)
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert features["app_home"]["home_tab_enabled"] is True
    assert {"app_home_opened", "message.im"} <= set(settings["event_subscriptions"]["bot_events"])
    assert settings["interactivity"]["is_enabled"] is True
    urls = [c["url"] for c in features["slash_commands"]]
    urls += [settings["interactivity"]["request_url"],
             settings["event_subscriptions"]["request_url"]]  # fmt: skip
    assert all(url.endswith("/slack/events") for url in urls)
    redirect = manifest["oauth_config"]["redirect_urls"][0]
    assert redirect.endswith("/slack/oauth_redirect")
