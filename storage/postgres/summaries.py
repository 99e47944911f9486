"""What `/digest history` shows about one past publication."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PublicationSummary:
    id: int
    created_at: datetime
    period_key: str
    outcome: str
    item_titles: list[str]
    delivery_states: list[str]

    @property
    def status(self) -> str:
        """One word when every delivery agrees ("sent"), else counts ("1 failed, 1 sent")."""
        counts = Counter(self.delivery_states)
        if not counts:
            return self.outcome
        if len(counts) == 1:
            return self.delivery_states[0]
        return ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
