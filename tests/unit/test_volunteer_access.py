"""Volunteering's rules in the permission policy: who runs which project's shifts, who speaks for
a project, whose attendance one may export, who may hold places for a team."""

from __future__ import annotations

from bot.services.access import (
    Access,
    attendance_projects,
    may_claim_team,
    may_export_attendance,
    may_open_organiser_desk,
    may_run_shifts,
    organises,
)
from bot.storage.roles import Role
from bot.storage.shifts import Project

WORKER = Access(1, False, (), ())
ORGANISER = Access(2, False, (), ("hospital-guide",))
STAFF = Access(3, False, (Role(1, 3, "staff", 7, 1, None),), ())
ADMIN = Access(4, True, (), ())


def project(key: str) -> Project:
    three = {"zh": key, "en": key, "fr": key}
    return Project(
        id=1, key=key, kind="regular", title=three, description=three, requirements=three, place=three,
        address="", latitude=None, longitude=None, radius_m=300, building_id=None, organiser_user_id=None,
        capacity=8, reminders="", slot="early", weeks_ahead=4, checkin_code="c0de", active=True,
    )  # fmt: skip


HOSPITAL, TUTORING = project("hospital-guide"), project("smartphone-elderly")


def test_only_a_projects_organisers_and_administrators_speak_for_it() -> None:
    assert organises(ORGANISER, HOSPITAL) and organises(ADMIN, TUTORING)
    assert not organises(ORGANISER, TUTORING)  # another project's shift
    assert not organises(STAFF, HOSPITAL)  # staff help at the desk, but do not cancel or write
    assert not organises(WORKER, HOSPITAL)


def test_staff_help_run_every_projects_shifts_on_the_day() -> None:
    assert may_run_shifts(STAFF, HOSPITAL) and may_run_shifts(STAFF, TUTORING)
    assert may_run_shifts(ORGANISER, HOSPITAL) and not may_run_shifts(ORGANISER, TUTORING)
    assert not may_run_shifts(WORKER, HOSPITAL)
    assert may_open_organiser_desk(STAFF) and may_open_organiser_desk(ORGANISER)
    assert not may_open_organiser_desk(WORKER)


def test_attendance_exports_cover_the_organisers_own_projects() -> None:
    assert may_export_attendance(ORGANISER) and may_export_attendance(ADMIN)
    assert not may_export_attendance(STAFF) and not may_export_attendance(WORKER)
    assert attendance_projects(ORGANISER) == ["hospital-guide"]
    assert attendance_projects(ADMIN) is None  # every project


def test_only_a_linked_liaison_holds_places_for_a_team() -> None:
    assert may_claim_team(["acme"])
    assert not may_claim_team([])
