"""The figures' chart geometry: axis tops people can read, bars in proportion, segments that add up."""

from __future__ import annotations

import pytest

from bot.charts import TrendPoint
from bot.webapp import charts


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (101, 200), (480, 500)]
)
def test_the_axis_top_is_a_round_number(value: int, top: int) -> None:
    assert charts.nice_ceiling(value) == top


def test_bars_are_in_proportion_and_inside_the_plot() -> None:
    chart = charts.trend([TrendPoint("W47", 10, 5), TrendPoint("W48", 0, 20)])
    heights = {(b.kind, b.value): b.height for b in chart.bars}
    assert heights[("opened", 10)] == pytest.approx(heights[("resolved", 20)] / 2, abs=0.1)
    assert heights[("opened", 0)] == 0
    for bar in chart.bars:
        assert chart.left <= bar.x and bar.x + bar.width <= chart.width
        assert bar.y + bar.height == pytest.approx(chart.bottom, abs=0.1)
    assert [t.value for t in chart.ticks] == [0, 10, 20]
    assert [label.text for label in chart.labels] == ["W47", "W48"]


def test_an_empty_trend_draws_an_empty_frame() -> None:
    chart = charts.trend([])
    assert chart.bars == [] and [t.value for t in chart.ticks] == [0, 0, 1]


def test_stacked_segments_cover_the_whole_bar_in_order() -> None:
    segments = charts.stacked({"green": 2, "blue": 0, "red": 6})
    assert [(s.key, s.x, s.width) for s in segments] == [("green", 0.0, 25.0), ("red", 25.0, 75.0)]
    assert charts.stacked({"green": 0}) == []
