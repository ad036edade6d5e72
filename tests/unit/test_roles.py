"""Roles without Telegram: who may do what, invitations in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.services import build_services
from bot.services.access import Access, NotAllowed
from bot.services.base import InvalidInput
from bot.settings import Settings
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.db import Database
from bot.storage.roles import Role

ADMIN = 9001
NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


def staff(tier: int, building: int | None) -> Role:
    return Role(1, 5, "staff", building, tier, None)


def test_requirements_raise_not_allowed_with_the_right_message() -> None:
    worker = Access(9, False, (), ())
    organiser = Access(10, False, (), ("hospital-guide",))
    with pytest.raises(NotAllowed, match="station staff"):
        worker.require_staff()
    with pytest.raises(NotAllowed, match="administrators"):
        Access(5, False, (staff(2, None),), ()).require_admin()
    assert organiser.require_organiser("hospital-guide") is organiser
    with pytest.raises(NotAllowed):
        organiser.require_organiser("elderly-phones")
    assert organiser.organises("hospital-guide") and not organiser.is_staff


@pytest.fixture
async def services(tmp_path: Path):
    settings = Settings.from_mapping(
        {"BOT_DB_PATH": str(tmp_path / "bot.sqlite3"), "BOT_ADMIN_IDS": str(ADMIN)}
    )
    clock = ManualClock(NOW, frozen=True)
    services = build_services(settings, clock, Database(settings.db_path))
    await services.db.open()
    await services.db.migrate()
    async with services.db.tx() as conn:
        for user_id, name in ((ADMIN, "Admin"), (501, "Wang Shan"), (502, "Mallory")):
            await users_repo.upsert_seen(conn, user_id, name, None, "en", NOW)
    yield services
    await services.db.close()


async def test_invitation_is_single_use_and_expires(services) -> None:
    roles = services.roles
    created = await roles.invite(ADMIN, ["staff", "parkpl", "1"])
    assert created.view.building is not None and created.view.building.code == "PARKPL"
    joined = await roles.accept(501, created.token)
    assert not joined.already_had
    assert (await services.access.of(501)).covers_building(created.view.building.id)
    with pytest.raises(InvalidInput, match="invite_used"):
        await roles.accept(502, created.token)

    late = await roles.invite(ADMIN, ["organiser", "Hospital-Guide"])
    services.clock.advance(timedelta(hours=48))
    with pytest.raises(InvalidInput, match="invite_expired"):
        await roles.accept(502, late.token)
    assert not (await services.access.of(502)).is_organiser

    withdrawn = await roles.invite(ADMIN, ["admin"])
    assert await roles.cancel_invitation(ADMIN, withdrawn.invitation.id)
    with pytest.raises(InvalidInput, match="invite_revoked"):
        await roles.accept(502, withdrawn.token)
    with pytest.raises(InvalidInput, match="invite_unknown"):
        await roles.accept(502, "short")


async def test_only_administrators_invite_revoke_and_read_the_audit_log(services) -> None:
    roles = services.roles
    async with services.db.tx() as conn:
        role_id = await roles_repo.grant(conn, 501, "staff", NOW, tier=2)
    with pytest.raises(NotAllowed):
        await roles.invite(501, ["staff", "district", "2"])
    with pytest.raises(NotAllowed):
        await roles.revoke(501, role_id)
    with pytest.raises(NotAllowed):
        await roles.audit_page(501)
    with pytest.raises(NotAllowed):
        await roles.staff_page(502)
    assert (await roles.staff_page(501)).can_revoke is False

    revoked = await roles.revoke(ADMIN, role_id)
    assert revoked.name == "Wang Shan"
    with pytest.raises(InvalidInput, match="role_gone"):
        await roles.revoke(ADMIN, role_id)
    with pytest.raises(NotAllowed):  # the revoked member's very next action
        await roles.staff_page(501)
    page = await roles.audit_page(ADMIN)
    assert [e.action for e in page.entries] == ["role.revoke"]
    assert page.entries[0].subject == "user:501" and "Wang" not in page.entries[0].detail


async def test_invite_arguments_are_validated(services) -> None:
    for args, code in [
        ([], "invite_usage"),
        (["staff", "GOHIGH"], "invite_usage"),
        (["staff", "NOWHERE", "1"], "unknown_building"),
        (["staff", "district", "5"], "bad_tier"),
        (["staff", "district", "-1"], "bad_tier"),
        (["organiser", "bad key!"], "bad_project"),
        (["owner"], "invite_usage"),
    ]:
        with pytest.raises(InvalidInput) as problem:
            await services.roles.invite(ADMIN, args)
        assert problem.value.code == code, args


async def test_admins_hear_who_joined_in_their_language(services) -> None:
    async with services.db.tx() as conn:
        await users_repo.update(conn, ADMIN, NOW, language="fr")
        await roles_repo.grant(conn, 502, "admin", NOW)  # an appointed administrator
    created = await services.roles.invite(ADMIN, ["staff", "district", "3"])
    await services.roles.accept(501, created.token)
    async with services.db.read() as conn:
        cur = await conn.execute("SELECT chat_id, text FROM outbox WHERE kind = 'admin' ORDER BY chat_id")
        rows = [tuple(r) for r in await cur.fetchall()]
    assert [r[0] for r in rows] == [502, ADMIN]
    assert "Nouveau membre" in rows[1][1] and "Wang Shan" in rows[1][1]
    assert "New team member" in rows[0][1]
