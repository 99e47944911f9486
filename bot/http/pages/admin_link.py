"""`digestbot admin-link`: print a signed, expiring link to the admin dashboard."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import TextIO

from bot.links import ADMIN_LIFETIME
from bot.runtime import Runtime

MAX_HOURS = 24 * 30


def add_admin_link_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    command = sub.add_parser("admin-link", help="print a signed link to the admin dashboard")
    command.add_argument(
        "--hours",
        type=float,
        default=ADMIN_LIFETIME.total_seconds() / 3600,
        help=f"how long the link works (default %(default)g, at most {MAX_HOURS})",
    )


async def print_admin_link(runtime: Runtime, hours: float, out: TextIO = sys.stdout) -> None:
    """Print the link; anyone holding it sees the dashboard until it expires."""
    if not 0 < hours <= MAX_HOURS:
        print(f"digestbot: --hours must be between 0 and {MAX_HOURS}", file=sys.stderr)
        return
    print(runtime.links.admin_link(runtime.ctx.clock.now(), timedelta(hours=hours)), file=out)
