"""The district-scale benchmarks run end to end at a tiny size, so their code cannot rot unseen.

Goals are not asserted here (speed belongs to `make bench`, on a quiet machine); what is asserted
is what a reader of the table relies on: every scenario produces its rows, the fan-out delivers
each reminder exactly once, every update of the mixed workload is answered by our bot, and the
tick plans were actually explained.
"""

from __future__ import annotations

import pytest

from bench import district as districts
from bench import erasure, fanout, startup, throughput, ticks, webapp

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
    assert rows["losses (not delivered or not marked sent)"]["value"] == 0
    assert rows["429 received"]["value"] == 0


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
