"""Turn core's neutral Reply into Block Kit, escaping every piece of text it carries."""

from __future__ import annotations

from typing import Any

from core.render import SLACK_MAX_TEXT, clip, escape_slack
from core.reply import Action, Reply, Section

MAX_BLOCKS = 50  # messages and modals; the Home tab allows 100
MAX_BUTTONS = 25  # elements per actions block
MAX_BUTTON_TEXT = 75
ACTION_SEPARATOR = "#"  # action_id "setup_time#2": Slack wants unique ids per message


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SLACK_MAX_TEXT)}}


def section_text(section: Section) -> str:
    """One Section as mrkdwn: a bold title, its text and `name: value` lines, all escaped."""
    lines = [f"*{escape_slack(section.title)}*"] if section.title else []
    if section.text:
        lines.append(escape_slack(section.text))
    lines += [f"• {escape_slack(name)}: {escape_slack(value)}" for name, value in section.fields]
    return "\n".join(lines)


def button(action: Action, number: int) -> dict[str, Any]:
    label = clip(action.label, MAX_BUTTON_TEXT)
    return {
        "type": "button",
        "action_id": f"{action.action_id}{ACTION_SEPARATOR}{number}",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "value": action.value[:2000],
    }


def base_action_id(action_id: str) -> str:
    """The action id core chose, without the suffix that made it unique."""
    return action_id.split(ACTION_SEPARATOR, 1)[0]


def reply_blocks(reply: Reply, max_blocks: int = MAX_BLOCKS) -> list[dict[str, Any]]:
    """Block Kit for a Reply: its text, one section per Section, then its buttons."""
    blocks = [mrkdwn(escape_slack(reply.text))]
    buttons = [button(a, n) for n, a in enumerate(reply.actions)]
    rows = [buttons[i : i + MAX_BUTTONS] for i in range(0, len(buttons), MAX_BUTTONS)]
    room = max_blocks - 1 - len(rows)
    sections = [section_text(s) for s in reply.sections if s.title or s.text or s.fields]
    if len(sections) > room:
        # Keep the first ones and say how many more there were, within the block limit.
        hidden = len(sections) - room + 1
        sections = [*sections[: room - 1], f"…and {hidden} more"]
    blocks += [mrkdwn(text) for text in sections]
    blocks += [{"type": "actions", "elements": row} for row in rows]
    return blocks


def reply_message(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for respond()/chat.postMessage: text (the fallback) and blocks."""
    return {
        "text": clip(escape_slack(reply.as_text()), SLACK_MAX_TEXT),
        "blocks": reply_blocks(reply),
    }
