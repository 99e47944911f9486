"""👍/👎 on a digest item: count it as engagement and show it on the message in place."""

from __future__ import annotations

import copy
import re
from typing import Any

from redis.asyncio import Redis

from core.render import FEEDBACK

KINDS = {"feedback_like": "like", "feedback_dislike": "dislike"}
LABELS = dict(FEEDBACK)  # action_id -> emoji
_VALUE = re.compile(r"^(\d{1,18}):(\d{1,18})$")
VOTES_TTL_SECONDS = 90 * 24 * 3600


def parse_value(value: str) -> tuple[int, int] | None:
    """(publication_id, item_id) from a button value "12:345"; None when malformed."""
    match = _VALUE.match(value or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def votes_key(publication_id: int, item_id: int) -> str:
    return f"slack:votes:{publication_id}:{item_id}"


async def tally(
    redis: Redis, publication_id: int, item_id: int, user_id: str, kind: str
) -> dict[str, int]:
    """Remember this member's latest vote on the item; returns votes per kind."""
    key = votes_key(publication_id, item_id)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, user_id, kind).expire(key, VOTES_TTL_SECONDS).hvals(key)
        *_, votes = await pipe.execute()
    counts = {"like": 0, "dislike": 0}
    for vote in votes:
        counts[vote] = counts.get(vote, 0) + 1
    return counts


def updated_blocks(
    blocks: list[dict[str, Any]], value: str, chosen: str, counts: dict[str, int], shared: bool
) -> list[dict[str, Any]] | None:
    """The message's blocks with this item's buttons showing the vote; None if not found.

    In a DM the chosen button is highlighted; in a channel both show the members' counts."""
    result = copy.deepcopy(blocks)
    found = False
    for block in result:
        if block.get("type") != "actions":
            continue
        for element in block.get("elements", []):
            action_id = element.get("action_id")
            if element.get("value") != value or action_id not in KINDS:
                continue
            found = True
            emoji, kind = LABELS[action_id], KINDS[action_id]
            label = f"{emoji} {counts.get(kind, 0)}" if shared else emoji
            if not shared and action_id == chosen:
                label = f"{emoji} Noted, thanks"
            element["text"] = {"type": "plain_text", "text": label, "emoji": True}
            element.pop("style", None)
            if action_id == chosen and not shared:
                element["style"] = "primary"
    return result if found else None
