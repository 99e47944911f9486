"""INTERACTION_CREATE payloads as Discord sends them (API v10), for the fake gateway."""

from __future__ import annotations

import itertools
from typing import Any

from tests.fakes.discord_api import APPLICATION

SLASH, COMPONENT, AUTOCOMPLETE, MODAL = 2, 3, 4, 5
OPTION_TYPES = {str: 3, int: 4, bool: 5, float: 10}
MANAGE_GUILD, ALL_TEXT = 1 << 5, (1 << 10) | (1 << 11) | (1 << 14)
_ids = itertools.count(1_300_000_000_000_000_000)


def user(user_id: str = "4242", name: str = "ada") -> dict[str, Any]:
    return {"id": user_id, "username": name, "global_name": name, "discriminator": "0",
            "avatar": None}  # fmt: skip


def _base(kind: int, who: str, guild: str | None, channel: str | None, perms: int) -> dict:
    token = f"tok-{next(_ids)}"
    data: dict[str, Any] = {
        "id": str(next(_ids)), "application_id": APPLICATION["id"], "type": kind,
        "token": token, "version": 1, "locale": "en-GB", "entitlements": [],
        "app_permissions": str(ALL_TEXT), "attachment_size_limit": 8_388_608,
    }  # fmt: skip
    if guild is None:  # a DM with the bot
        channel = channel or f"9{who}"
        data |= {"user": user(who), "context": 1, "authorizing_integration_owners": {"1": who}}
        data |= {"channel_id": channel, "channel": {"id": channel, "type": 1}}
        return data
    channel = channel or "555"
    member = {"user": user(who), "roles": [], "permissions": str(perms | ALL_TEXT), "flags": 0,
              "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False, "mute": False}  # fmt: skip
    data |= {"guild_id": guild, "member": member, "context": 0, "guild_locale": "en-GB"}
    data |= {"authorizing_integration_owners": {"0": guild}, "channel_id": channel}
    text_channel = {"id": channel, "type": 0, "name": "research", "guild_id": guild,
                    "position": 0, "permission_overwrites": [], "nsfw": False, "flags": 0,
                    "parent_id": None, "topic": None, "rate_limit_per_user": 0,
                    "last_message_id": None, "permissions": member["permissions"]}  # fmt: skip
    data |= {"channel": text_channel}
    return data


def _options(values: dict[str, Any], focused: str | None) -> list[dict[str, Any]]:
    options = []
    for name, value in values.items():
        options.append({"name": name, "type": OPTION_TYPES[type(value)], "value": value})
        options[-1] |= {"focused": True} if name == focused else {}
    return options


def slash(path: str, /, *, user_id: str = "4242", guild: str | None = None,
          channel: str | None = None, perms: int = 0, focused: str | None = None,
          **values: Any) -> dict[str, Any]:  # fmt: skip
    """`slash("digest prompt add", text="...")`: the command path, then its options."""
    name, *subs = path.split()
    options = _options(values, focused)
    for depth, sub in reversed(list(enumerate(subs))):  # innermost subcommand first
        kind = 1 if depth == len(subs) - 1 else 2  # SUB_COMMAND, SUB_COMMAND_GROUP
        options = [{"name": sub, "type": kind, "options": options}]
    kind = AUTOCOMPLETE if focused else SLASH
    data = {"id": "7", "name": name, "type": 1, "options": options}
    return _base(kind, user_id, guild, channel, perms) | {"data": data}


def component(message: dict[str, Any], custom_id: str, values: list[str] | None = None,
              *, user_id: str = "4242", guild: str | None = None) -> dict[str, Any]:  # fmt: skip
    """A button press (values None) or a select choice on `message` (as the fake stored it)."""
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": 2}
    if values is not None:
        data = {"custom_id": custom_id, "component_type": 3, "values": values}
    base = _base(COMPONENT, user_id, guild, message["channel_id"], 0)
    return base | {"data": data, "message": message}


def modal_submit(message: dict[str, Any], custom_id: str, *, user_id: str = "4242",
                 **fields: str) -> dict[str, Any]:  # fmt: skip
    """A submitted modal, opened from a component on `message`: its text inputs' values."""
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
            for key, value in fields.items()]  # fmt: skip
    base = _base(MODAL, user_id, None, message["channel_id"], 0)
    return base | {"data": {"custom_id": custom_id, "components": rows}, "message": message}
