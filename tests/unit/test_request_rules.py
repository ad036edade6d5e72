"""The requests rules of the permission policy, without a database: who may work, read, rate a request."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.access import (
    Access,
    is_requester,
    may_bind_staff_chat,
    may_handle_request,
    may_look_up_requests,
    sees_request,
)
from bot.storage.requests import RequestRow
from bot.storage.roles import Role

NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
GOHIGH, PARK_PLACE = 7, 8


def staff(tier: int | None, building: int | None) -> Role:
    return Role(1, 5, "staff", building, tier, None)


def request(*, tier: int, building: int | None = GOHIGH, requester: int = 501) -> RequestRow:
    return RequestRow(
        id=1,
        reference="JA-2026-000001",
        requester_id=requester,
        category="tax",
        enterprise_id=None,
        enterprise_name=None,
        building_id=building,
        description="Invoice",
        attachment_kind=None,
        attachment_ref=None,
        attachment_name=None,
        never_hold=False,
        status="new",
        tier=tier,
        tier_started_at=NOW,
        claimed_by=None,
        claimed_at=None,
        respond_by=None,
        resolve_by=None,
        warn_at=None,
        paused_at=None,
        question=None,
        asked_by=None,
        reminders=0,
        not_solved=0,
        resolution=None,
        resolved_by=None,
        resolved_at=None,
        closed_at=None,
        rating=None,
        rating_comment=None,
        rated_at=None,
        created_at=NOW,
        updated_at=NOW,
    )


BUILDING_TIER1 = Access(5, False, (staff(1, GOHIGH),), ())
OTHER_BUILDING = Access(6, False, (staff(1, PARK_PLACE),), ())
DISTRICT_TIER2 = Access(7, False, (staff(2, None),), ())
ADMIN = Access(8, True, (), ())
WORKER = Access(501, False, (), ())


def test_staff_handle_requests_of_their_building_at_their_tier_or_below() -> None:
    assert may_handle_request(BUILDING_TIER1, request(tier=1))
    assert not may_handle_request(BUILDING_TIER1, request(tier=2))  # passed up: the platform's now
    assert not may_handle_request(OTHER_BUILDING, request(tier=1))
    assert may_handle_request(DISTRICT_TIER2, request(tier=1, building=PARK_PLACE))
    assert may_handle_request(DISTRICT_TIER2, request(tier=2, building=None))
    assert not may_handle_request(DISTRICT_TIER2, request(tier=3))
    assert may_handle_request(Access(9, False, (staff(None, GOHIGH),), ()), request(tier=1))  # no tier: 1
    assert may_handle_request(ADMIN, request(tier=4))
    assert not may_handle_request(WORKER, request(tier=1, requester=WORKER.user_id))


def test_staff_look_up_only_the_requests_of_the_buildings_they_cover() -> None:
    assert may_look_up_requests(OTHER_BUILDING) and not may_look_up_requests(WORKER)
    assert sees_request(BUILDING_TIER1, request(tier=3))  # any tier of their building
    assert not sees_request(OTHER_BUILDING, request(tier=1))
    assert sees_request(DISTRICT_TIER2, request(tier=1)) and sees_request(ADMIN, request(tier=1))
    assert not sees_request(WORKER, request(tier=1, requester=WORKER.user_id))


def test_requesters_act_on_their_own_requests_and_only_administrators_bind_chats() -> None:
    assert is_requester(501, request(tier=1, requester=501))
    assert not is_requester(502, request(tier=1, requester=501))
    assert may_bind_staff_chat(ADMIN)
    assert not may_bind_staff_chat(DISTRICT_TIER2) and not may_bind_staff_chat(WORKER)


def test_an_expected_date_is_who_then_when() -> None:
    from datetime import date

    from bot.domain.requests import parse_expected

    today = date(2026, 11, 23)
    assert parse_expected("Tax bureau 2026-12-05", today) == ("Tax bureau", date(2026, 12, 5))
    assert parse_expected("税务局 12-05", today) == ("税务局", date(2026, 12, 5))
    assert parse_expected("Landlord 01-05", today) == ("Landlord", date(2027, 1, 5))  # next January
    assert parse_expected("Tax bureau 3", today) == ("Tax bureau", 3)  # working days, for the calendar
    for bad in ("Tax bureau", "2026-12-05", "Tax 02-30", "Tax 2025-01-01", "Tax 0", "<b> 13-40"):
        assert parse_expected(bad, today) is None, bad
