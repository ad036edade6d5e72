"""The capacity rules under real concurrency, through the volunteer service and a real database:
50 simultaneous sign-ups for 8 places, and a refused projects file that changes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.domain.projects_yaml import ProjectFileError
from bot.services import build_services
from bot.settings import Settings
from bot.storage import shifts as repo
from bot.storage.db import Database

START = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
PROJECTS = Path(__file__).resolve().parents[2] / "bot" / "data" / "projects.yaml"


@pytest.fixture
async def services(tmp_path: Path):
    db = Database(tmp_path / "v.sqlite3")
    await db.open()
    await db.migrate()
    s = build_services(
        Settings.from_mapping({"BOT_DB_PATH": str(tmp_path / "v.sqlite3")}),
        ManualClock(START, frozen=True),
        db,
    )
    await s.volunteer.imports.import_projects(PROJECTS.read_text(encoding="utf-8"))
    for uid in range(100, 150):
        await s.users.seen(uid, f"P{uid}", None, "zh")
    yield s
    await db.close()


async def first_hospital_shift(services) -> repo.Shift:
    (project,) = [p for p in await services.volunteer.browse.projects() if p.key == "hospital-guide"]
    _, cards, _ = await services.volunteer.browse.project_page(100, project.id)
    return cards[0].shift


async def test_fifty_concurrent_sign_ups_for_eight_places(services) -> None:
    shift = await first_hospital_shift(services)
    results = await asyncio.gather(
        *(services.volunteer.signups.sign_up(uid, shift.id) for uid in range(100, 150))
    )
    assert [r.status for r in results] == ["confirmed"] * 8 + ["waitlisted"] * 42
    assert [r.position for r in results[8:]] == list(range(1, 43))
    async with services.db.read() as conn:
        counts = await repo.counts(conn, shift.id)
    assert (counts.confirmed, counts.waiting) == (8, 42)


async def test_cancellation_and_take_race_never_gives_a_place_twice(services) -> None:
    shift = await first_hospital_shift(services)
    for uid in range(100, 110):
        await services.volunteer.signups.sign_up(uid, shift.id)
    # 100 leaves: 108 is offered the place. 108 takes it while 110 (a newcomer) presses.
    await services.volunteer.signups.cancel(100, shift.id)
    outcome = await asyncio.gather(
        services.volunteer.signups.take(108, shift.id),
        services.volunteer.signups.sign_up(110, shift.id),
        return_exceptions=True,
    )
    assert outcome[0].status == "confirmed" and outcome[1].status == "waitlisted"
    async with services.db.read() as conn:
        counts = await repo.counts(conn, shift.id)
    assert counts.confirmed == 8


@pytest.mark.parametrize(
    "change",
    [
        ("capacity: 8\n    # The desk", "capacity: 0\n    # The desk"),
        ('        end: "07:00"', '        end: "05:00"'),
        (
            "    schedules:\n      - days: weekdays",
            '    shifts:\n      - {date: 2026-11-01, start: "06:00", end: "07:00"}\n    schedules:\n      - days: weekdays',
        ),
        ("projects:\n", "projects:\n  - key: [\n"),
    ],
)
async def test_a_refused_file_changes_nothing(services, change: tuple[str, str]) -> None:
    text = PROJECTS.read_text(encoding="utf-8")
    assert change[0] in text
    async with services.db.read() as conn:
        before = await repo.shifts_between(conn, START, datetime(2027, 1, 1, tzinfo=UTC))
    with pytest.raises(ProjectFileError) as error:
        await services.volunteer.imports.import_projects(
            text.replace(change[0], change[1], 1).replace("key: hospital-guide", "key: hospital-guide-2")
        )
    assert all(p.startswith("line ") for p in error.value.problems)
    async with services.db.read() as conn:
        after = await repo.shifts_between(conn, START, datetime(2027, 1, 1, tzinfo=UTC))
        assert await repo.project_by_key(conn, "hospital-guide-2") is None
    assert before == after


async def test_figures_for_the_stats_feature(services) -> None:
    shift = await first_hospital_shift(services)
    for uid in range(100, 103):
        await services.volunteer.signups.sign_up(uid, shift.id)
    services.clock.set(shift.starts_at)
    # A location within the desk's radius proves presence (domain/checkin): the hour is credited.
    await services.volunteer.checkin.with_location(100, 31.2167, 121.4437)
    services.clock.set(shift.ends_at)
    figures = await services.volunteer.attendance.figures(START, datetime(2027, 1, 1, tzinfo=UTC))
    assert figures["signups"] == 3 and figures["hours_served"] == 1.0
    assert figures["no_shows"] == 2 and figures["attendance_rate"] == pytest.approx(1 / 3, abs=0.001)


async def test_empty_places_offered_once_to_matching_volunteers_outside_quiet_hours(services) -> None:
    from bot.storage import outbox

    shift = await first_hospital_shift(services)  # Tuesday 06:00, 8 free places
    await services.volunteer.browse.set_availability(120, ["early"])
    await services.volunteer.browse.set_availability(121, ["lunch"])  # not a match
    await services.volunteer.signups.sign_up(122, shift.id)
    await services.volunteer.browse.set_availability(122, ["early"])  # already on it
    services.clock.set(shift.starts_at - timedelta(hours=23))  # 07:00 Monday: within 24 h
    assert (await services.volunteer.ticks.tick())["asked"] == 1
    assert (await services.volunteer.ticks.tick())["asked"] == 0  # once
    async with services.db.read() as conn:
        due = await outbox.due(conn, services.clock.now())
        asked = await repo.asked(conn, shift.id)
    assert asked == [120]
    assert [r.chat_id for r in due if r.kind == "vol_fill"] == [120]


async def test_fill_request_in_quiet_hours_waits_or_is_not_sent(services) -> None:
    from bot.storage import outbox

    (project,) = [p for p in await services.volunteer.browse.projects() if p.key == "smartphone-elderly"]
    _, cards, _ = await services.volunteer.browse.project_page(100, project.id)
    shift = cards[0].shift  # Tuesday 12:00
    await services.volunteer.browse.set_availability(130, ["lunch"])
    services.clock.set(shift.starts_at - timedelta(hours=13))  # 23:00 Monday in Shanghai
    assert (await services.volunteer.ticks.tick())["asked"] == 1
    async with services.db.read() as conn:
        assert [r for r in await outbox.due(conn, services.clock.now()) if r.kind == "vol_fill"] == []
        morning = await outbox.due(conn, shift.starts_at - timedelta(hours=6))  # 06:00 Tuesday
    assert [r.chat_id for r in morning if r.kind == "vol_fill"] == [130]


async def test_team_claim_holds_places_members_join_and_the_rest_is_released(services) -> None:
    from bot.storage import enterprises as enterprises_repo
    from bot.storage.db import ts

    async with services.db.tx() as conn:
        eid = await enterprises_repo.insert(conn, key="eisai", name="卫材", building_id=None, now=ts(START))
        await enterprises_repo.set_liaison(conn, eid, 140, ts(START))
    (project,) = [p for p in await services.volunteer.browse.projects() if p.key == "hospital-guide"]
    shift = (await services.volunteer.browse.project_page(100, project.id))[1][1].shift  # Wednesday 06:00
    view = await services.volunteer.teams.claim(140, shift.id, 5)
    (held,) = view.shifts
    team = held.team
    assert held.card.free == 3
    assert (await services.volunteer.teams.join(141, view.claim.code.lower())).status == "confirmed"
    for uid in (100, 101, 102):
        assert (await services.volunteer.signups.sign_up(uid, shift.id)).status == "confirmed"
    assert (await services.volunteer.signups.sign_up(103, shift.id)).status == "waitlisted"  # 4 still held
    with pytest.raises(Exception) as refused:
        await services.volunteer.teams.claim(103, shift.id, 1)  # not a liaison
    assert "liaison" in str(getattr(refused.value, "message", ""))
    services.clock.set(team.release_at)
    assert (await services.volunteer.ticks.tick())["released"] == 1
    async with services.db.read() as conn:
        signup = await repo.signup(conn, shift.id, 103)
    assert signup.status == "offered"  # the released places go to the waitlist first
