"""Server-side chart geometry: bars in proportion, round axes, words for screen readers."""

from __future__ import annotations

from datetime import date

from bot.http.pages.charts import BOTTOM, HEIGHT, bar_chart, day_range, nice_ceiling

DAYS = day_range(date(2024, 5, 31), 7)


def test_day_range_ends_on_the_last_day() -> None:
    assert DAYS[0] == date(2024, 5, 25) and DAYS[-1] == date(2024, 5, 31) and len(DAYS) == 7


def test_axis_maximum_is_round() -> None:
    assert [nice_ceiling(v) for v in (0, 3, 7, 11, 20, 21, 480, 501)] == [
        4, 4, 10, 20, 20, 50, 500, 1000,
    ]  # fmt: skip


def test_bars_stand_on_the_baseline_in_proportion_to_their_counts() -> None:
    counts = {date(2024, 5, 30): {"like": 8, "dislike": 2}, date(2024, 5, 31): {"like": 4}}
    chart = bar_chart("f", "Feedback", DAYS, [("like", "Likes"), ("dislike", "Dislikes")], counts)
    assert len(chart.bars) == 14  # two series a day
    heights = {(b.label, b.series): b.height for b in chart.bars if b.height}
    assert heights[("30 May: 8 likes", 0)] == 4 * heights[("30 May: 2 dislikes", 1)]
    assert heights[("30 May: 8 likes", 0)] == 2 * heights[("31 May: 4 likes", 0)]
    assert all(round(b.y + b.height, 1) == HEIGHT - BOTTOM for b in chart.bars)
    assert [value for _, value in chart.y_ticks] == [0, 2, 4, 6, 8, 10]
    assert chart.rows[-1] == ("Fri 31 May 2024", [4, 0])
    assert chart.description == (
        "25 May to 31 May 2024: 12 likes, most on 30 May (8); 2 dislikes, most on 30 May (2)."
    )


def test_an_empty_chart_still_draws_an_axis_and_says_so() -> None:
    chart = bar_chart("o", "Opens", day_range(date(2024, 5, 31), 90), [("open", "Opens")], {})
    assert all(bar.height == 0 for bar in chart.bars)
    assert chart.description.endswith(": no opens.")
    assert len(chart.x_labels) <= 6 and chart.x_labels[-1][1] == "31 May"
