"""Periods, the report schedule, tolerant reading of feature figures, CSV rows and the chart."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.charts import TrendPoint, trend_png
from bot.services.stats.figures import Figures, enterprise_figures, request_figures, volunteer_figures
from bot.services.stats.periods import month_period, next_report_at, parse_month, week_of
from bot.services.stats.reports import _cell, figure_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_week_is_monday_to_monday_in_shanghai_time() -> None:
    # Sunday 29 Nov 23:30 Shanghai is 15:30 UTC: still ISO week 48.
    week = week_of(datetime(2026, 11, 29, 15, 30, tzinfo=UTC), SHANGHAI)
    assert week.label == "2026-W48"
    assert week.start == datetime(2026, 11, 23, tzinfo=SHANGHAI)
    assert week.end == datetime(2026, 11, 30, tzinfo=SHANGHAI)
    # Monday 30 Nov 00:30 Shanghai is still Sunday in UTC, but the next week here.
    assert week_of(datetime(2026, 11, 29, 16, 30, tzinfo=UTC), SHANGHAI).label == "2026-W49"


def test_month_periods_and_parsing() -> None:
    december = month_period(2026, 12, SHANGHAI)
    assert (december.start, december.end) == (
        datetime(2026, 12, 1, tzinfo=SHANGHAI),
        datetime(2027, 1, 1, tzinfo=SHANGHAI),
    )
    assert parse_month(" 2026-11 ") == (2026, 11)
    for bad in ("2026-13", "2026-1", "11-2026", "", "2026-00", "1999-12"):
        with pytest.raises(ValueError):
            parse_month(bad)


def test_next_report_is_the_next_monday_0900_strictly_after_now() -> None:
    monday_0930 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    assert next_report_at(monday_0930, SHANGHAI) == datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
    monday_0900 = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert next_report_at(monday_0900, SHANGHAI) == datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)
    monday_0859 = datetime(2026, 11, 30, 0, 59, tzinfo=UTC)
    assert next_report_at(monday_0859, SHANGHAI) == datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


def test_feature_figures_are_read_tolerantly() -> None:
    r = request_figures(
        {
            "opened": 5,
            "resolved": 2,
            "resolution_hours": {
                1: {"n": 2, "median": 3.5, "p90": 7.0},
                "2": {"n": 0, "median": None, "p90": None},
            },
            "breaches": {1: 1, 3: 2},
            "satisfaction": 4.5,
            "ratings": 2,
        }
    )
    assert (r.opened, r.resolved, r.satisfaction) == (5, 2, 4.5)
    assert [(t.tier, t.resolved, t.median_hours, t.breaches) for t in r.tiers] == [
        (1, 2, 3.5, 1),
        (2, 0, None, 0),
        (3, 0, None, 2),
        (4, 0, None, 0),
    ]
    e = enterprise_figures(
        {"by_colour": {"red": 2, "green": 8}, "visit_coverage": {"visited": 5, "percent": 50.0}}
    )
    assert e.total == 10 and dict(e.colours)["red"] == 2 and e.coverage_percent == 50.0
    v = volunteer_figures({"signups": 12, "ended": 8, "attended": 6, "hours": 9.25})
    assert (v.attendance_percent, v.no_shows, v.hours) == (75.0, 2, 9.2)
    v = volunteer_figures({"signups": 4, "attendance_rate": 0.75, "hours_served": 3.0, "no_shows": 1})
    assert (v.signups, v.attendance_percent, v.no_shows, v.hours) == (4, 75.0, 1, 3.0)
    nothing_ended = volunteer_figures({"signups": 2, "attendance_rate": 0.0, "no_shows": 0})
    assert nothing_ended.attendance_percent is None


def test_csv_rows_cover_every_section_and_defuse_formulas() -> None:
    figures = Figures(
        period=month_period(2026, 11, SHANGHAI),
        requests=request_figures({"opened": 1}),
        volunteer=volunteer_figures({"signups": 3}),
        misses=[('=HYPERLINK("x")', 4)],
        trend=[TrendPoint("11-23", 1, 0)],
    )
    keys = [row[0] for row in figure_rows(figures)]
    assert "requests.opened" in keys and "volunteer.signups" in keys and "trend.opened" in keys
    assert "enterprises.total" not in keys  # a feature that gave nothing is left out, not zeroed
    assert _cell('=HYPERLINK("x")').startswith("'") and _cell("tax refund") == "tax refund"


@pytest.mark.parametrize(
    "points", [[], [TrendPoint("W48", 0, 0)], [TrendPoint(f"{d:02d}", d * 7, d * 5) for d in range(1, 31)]]
)
def test_trend_chart_is_a_valid_png(points: list[TrendPoint]) -> None:
    data = trend_png(points)
    picture = Image.open(io.BytesIO(data))
    picture.verify()
    assert picture.format == "PNG" and picture.size == (900, 480)
