"""The district-scale benchmarks run end to end at a tiny size, so their code cannot rot unseen.

Goals are not asserted here (speed belongs to `make bench`, on a quiet machine); what is asserted
is what a reader of the table relies on: every scenario produces its rows, the fan-out delivers
each reminder exactly once, every update of the mixed workload is answered by our bot, and the
tick plans were actually explained.
"""

from __future__ import annotations

import pytest

from bench import district as districts
from bench import erasure, fanout, rush, startup, throughput, ticks, webapp
from bench.__main__ import summary

pytestmark = pytest.mark.serial  # measures real time: run alone (see pyproject, make test)

TINY = 0.005  # 150 workers, 1,000 requests, 100 shifts: builds in about a second


def _rows_ok(rows: list[dict]) -> dict[str, dict]:
    for row in rows:
        assert set(row) >= {"scenario", "metric", "value", "unit", "goal", "met"}, row
    return {row["metric"]: row for row in rows}


@pytest.mark.slow
async def test_district_is_built_once_and_described() -> None:
    built = await districts.ensure(TINY)
    again = await districts.ensure(TINY)
    assert again.cached and again.path == built.path
    assert len(built.buildings) == 38
    assert built.claimable and built.future_shifts and built.staff_chats


@pytest.mark.slow
async def test_ticks_are_timed_and_explained() -> None:
    rows = _rows_ok(await ticks.run(True, scale=TINY, rounds=2))
    assert any(m.startswith("escalation tick") and "slowest" in m for m in rows)
    assert any(m.startswith("reminders tick") for m in rows)
    assert (districts.RESULTS / f"tick_plans-s{TINY:g}.txt").read_text(encoding="utf-8").count("SEARCH") > 3


@pytest.mark.slow
async def test_fanout_delivers_each_reminder_once() -> None:
    rows = _rows_ok(await fanout.run(True, recipients=150, scale=TINY))
    assert rows["duplicates"]["value"] == 0
    assert rows["lost (marked sent, never arrived; or given up)"]["value"] == 0
    assert rows["not yet delivered when the budget ended (queued, not lost)"]["value"] == 0
    assert rows["429 received"]["value"] == 0


@pytest.mark.slow
async def test_rush_answers_everyone_while_the_fanout_goes_on() -> None:
    size = rush.Size(people=20, reminders=300, alone=2.0, window=3.0)
    rows = _rows_ok(await rush.run(True, size=size, district_scale=TINY, think=(0.1, 0.3)))
    assert rows["updates left unanswered"]["value"] == 0
    assert rows["reminders lost (sent but never arrived, or given up)"]["value"] == 0
    assert rows["reminders delivered twice"]["value"] == 0
    assert rows["sender during the rush, delivered/s"]["value"] > 0
    delivered = rows["reminders delivered"]["value"]
    assert delivered + rows["reminders not yet delivered when the run ended (not lost)"]["value"] == 300


def test_the_summary_names_the_goals_not_met() -> None:
    rows = [
        {"scenario": "rush", "metric": "latency p99", "met": True},
        {"scenario": "fanout", "metric": "ratio to the enforced limit", "met": False},
        {"scenario": "fanout", "metric": "wall time", "met": None},
    ]
    assert summary(rows) == "goals: 1 met, 1 not met (fanout: ratio to the enforced limit)"
    assert summary(rows[:1]) == "goals: 1 met, 0 not met"


@pytest.mark.slow
async def test_throughput_answers_every_update_of_both_bots() -> None:
    rows = _rows_ok(await throughput.run(True, updates=30, scale=TINY))
    assert rows["ours: updates left unanswered"]["value"] == 0
    assert rows["ours: updates/s end to end"]["value"] > 0
    assert rows["bare PTB: updates/s (one sendMessage each)"]["value"] > 0


@pytest.mark.slow
async def test_startup_answers_the_first_update() -> None:
    rows = _rows_ok(await startup.run(True, scale=TINY, repeats=1))
    assert next(iter(rows.values()))["value"] > 0


@pytest.mark.slow
async def test_the_mini_app_board_is_timed_over_http() -> None:
    rows = _rows_ok(await webapp.run(True, scale=TINY, samples=3))
    assert rows["district board (38 buildings): median"]["value"] > 0
    assert any(m.startswith("district board filtered to red: p95") for m in rows)


async def test_volunteering_paths_are_timed() -> None:
    from bench import volunteering

    rows = _rows_ok(await volunteering.run(True, size=(40, 320)))
    assert rows["Bot API errors"]["value"] == 0
    assert any(m.startswith("any /volunteer answer, p95") for m in rows)


@pytest.mark.slow
async def test_erasure_is_timed_and_erases_the_busiest_requester() -> None:
    [row] = _rows_ok(await erasure.run(True, scale=TINY)).values()
    assert row["value"] > 0 and "/forgetme of a requester with" in row["metric"]
