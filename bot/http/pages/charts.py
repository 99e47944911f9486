"""Bar-chart geometry for server-rendered inline SVG: no JavaScript, no chart library.

Pure functions from per-day counts to positioned bars, axis ticks and a text summary;
the template only draws what is computed here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 26, 12, 32
MAX_X_LABELS = 6
# Dark enough for 4.5:1 against white, and told apart by the legend's words too.
PALETTE = ("#1d4ed8", "#b91c1c", "#047857", "#6d28d9")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    label: str  # the bar's tooltip: "14 May: 3 opens"


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    series: list[str]
    colors: list[str]
    bars: list[Bar]
    y_ticks: list[tuple[float, int]]  # (y position, value)
    x_labels: list[tuple[float, str]]  # (x centre, label)
    rows: list[tuple[str, list[int]]]  # the data table under the chart
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM


def day_range(end: date, days: int) -> list[date]:
    """The `days` calendar days ending with `end`, oldest first."""
    return [end - timedelta(days=n) for n in range(days - 1, -1, -1)]


def nice_ceiling(value: int) -> int:
    """A round axis maximum at or above `value` (1, 2, 5 times a power of ten)."""
    if value <= 4:
        return 4
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def bar_chart(
    chart_id: str,
    title: str,
    days: list[date],
    series: list[tuple[str, str]],  # (key in the counts, label)
    counts: dict[date, dict[str, int]],
    colors: tuple[str, ...] = PALETTE,
) -> Chart:
    """Grouped bars, one group per day and one bar per series."""
    values = [[counts.get(day, {}).get(key, 0) for key, _ in series] for day in days]
    top = nice_ceiling(max((v for row in values for v in row), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(days), 1)
    bar_w = slot * 0.8 / max(len(series), 1)
    bars = []
    for i, (day, row) in enumerate(zip(days, values, strict=True)):
        for s, value in enumerate(row):
            height = plot_h * value / top
            x = LEFT + i * slot + slot * 0.1 + s * bar_w
            label = f"{day:%d %b}: {value} {series[s][1].lower()}"
            bars.append(
                Bar(
                    round(x, 2),
                    round(TOP + plot_h - height, 2),
                    round(bar_w, 2),
                    round(height, 2),
                    s,
                    label,
                )
            )
    steps = 4 if top % 4 == 0 else 5  # nice_ceiling's maxima divide by one of them
    ticks = [
        (round(TOP + plot_h - plot_h * k / steps, 2), top * k // steps) for k in range(steps + 1)
    ]
    every = max(1, math.ceil(len(days) / MAX_X_LABELS))
    x_labels = [
        (round(LEFT + i * slot + slot / 2, 2), f"{day:%d %b}")
        for i, day in enumerate(days)
        if (len(days) - 1 - i) % every == 0
    ]
    return Chart(
        id=chart_id,
        title=title,
        description=describe(days, series, values),
        series=[label for _, label in series],
        colors=[colors[i % len(colors)] for i in range(len(series))],
        bars=bars,
        y_ticks=ticks,
        x_labels=x_labels,
        rows=[(f"{day:%a %d %b %Y}", row) for day, row in zip(days, values, strict=True)],
    )


def describe(days: list[date], series: list[tuple[str, str]], values: list[list[int]]) -> str:
    """One sentence a screen reader can use instead of the picture."""
    if not days:
        return "No days to show."
    span = f"{days[0]:%d %b} to {days[-1]:%d %b %Y}"
    parts = []
    for s, (_, label) in enumerate(series):
        column = [row[s] for row in values]
        total = sum(column)
        if total:
            peak = max(range(len(days)), key=lambda i: column[i])
            parts.append(f"{total} {label.lower()}, most on {days[peak]:%d %b} ({column[peak]})")
        else:
            parts.append(f"no {label.lower()}")
    return f"{span}: " + "; ".join(parts) + "."
