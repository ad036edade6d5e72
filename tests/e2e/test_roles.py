"""Roles end to end: one-time invitation links, /staff with one-tap revoke, /audit."""

from __future__ import annotations

import re

import pytest

from bot.storage import roles as roles_repo
from tests.conftest import ADMIN_ID

LINK = re.compile(r"start=inv-([A-Za-z0-9_-]+)")
NOT_STAFF = "Sorry, this is only for station staff."


async def invite(bot, admin, command: str) -> str:
    """The administrator creates an invitation; returns the token of the link they receive."""
    await admin.send(command)
    reply = await admin.wait_for("Invitation created")
    match = LINK.search(reply.plain)
    assert match, reply.plain
    return match.group(1)


async def roles_of(bot, user_id: int) -> list[roles_repo.Role]:
    async with bot.services.db.read() as conn:
        return await roles_repo.active_roles(conn, user_id)


async def test_invite_link_works_once_then_is_refused(bot) -> None:
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    token = await invite(bot, admin, "/invite staff GOHIGH 1")

    wang = bot.emu.user(301, "Shan", language_code="en")
    await wang.send(f"/start inv-{token}")
    welcome = await wang.wait_for("Welcome to the team")
    assert "tier 1" in welcome.plain and "JA Gohigh" in welcome.plain
    [role] = await roles_of(bot, wang.id)
    assert (role.role, role.tier) == ("staff", 1) and role.building_id is not None

    # The administrators hear who joined, through the outbox.
    await bot.flush()
    notice = await admin.wait_for("New team member")
    assert "Shan" in notice.plain and "tier 1" in notice.plain

    # Single use: a second person (or the same one) is refused, and gains nothing.
    intruder = bot.emu.user(302, "Mallory", language_code="en")
    await intruder.send(f"/start inv-{token}")
    await intruder.wait_for("already been used")
    assert await roles_of(bot, intruder.id) == []
    # A forged or truncated token is refused too.
    await intruder.send(f"/start inv-{token[:-3]}xyz")
    await intruder.wait_for("not valid")
    assert await roles_of(bot, intruder.id) == []

    # Only the hash of the token is stored.
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT token_hash FROM invitations")
        stored = [r[0] for r in await cur.fetchall()]
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64


async def test_expired_invitation_is_refused(bot) -> None:
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    token = await invite(bot, admin, "/invite organiser hospital-guide")
    await bot.advance(hours=49)  # the default validity is 48 hours
    late = bot.emu.user(303, "Late", language_code="fr")
    await late.send(f"/start inv-{token}")
    await late.wait_for("expiré")
    assert await roles_of(bot, late.id) == []


async def test_revoked_staff_member_is_refused_at_the_next_press(bot) -> None:
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    target = bot.emu.user(310, "Target", language_code="en")
    await bot.make_staff(target, tier=1)  # district-wide tier 1: first on the list
    for n in range(9):  # enough roles for the list to have a second page (a "Next" button)
        await bot.make_staff(bot.emu.user(320 + n, f"Colleague{n}", language_code="en"), tier=2)

    await target.send("/staff")
    listing = await target.wait_for("Staff and roles (10)")
    assert "Next ▶" in listing.buttons
    assert not any("Revoke" in b for b in listing.buttons)  # staff see the list; only admins revoke

    await admin.send("/staff")
    await admin.wait_for("Staff and roles (10)")
    answer = await admin.press("✖ Revoke: Target")
    assert answer is not None and "Revoked" in (answer.text or "")
    await admin.wait_for("Staff and roles (9)")
    assert await roles_of(bot, target.id) == []

    # The revoked member presses the button they were shown while still staff: refused.
    answer = await target.press("Next ▶", message=listing)
    assert answer is not None and answer.show_alert and answer.text == NOT_STAFF
    await target.send("/staff")
    await target.wait_for(NOT_STAFF)
    await bot.flush()  # they were told, in their language, through the outbox
    assert any("was withdrawn" in m.plain for m in target.inbox)

    # A stale revoke of the same role changes nothing and says so.
    answer = await admin.press("✖ Revoke: Colleague0")
    assert answer is not None and "Revoked" in (answer.text or "")

    # Both grants and revokes are in the audit log, which only administrators see.
    await admin.send("/audit")
    log = await admin.wait_for("Audit log")
    assert log.plain.count("role.revoke") == 2
    await target.send("/audit")
    await target.wait_for("only the station's administrators")


async def test_only_administrators_invite_and_bad_arguments_are_explained(bot) -> None:
    staff = bot.emu.user(330, "Staffer", language_code="en")
    await bot.make_staff(staff, tier=2)
    await staff.send("/invite staff GOHIGH 1")
    await staff.wait_for("only the station's administrators")

    admin = bot.emu.user(ADMIN_ID, "Admin", language_code="en")
    for command, expected in [
        ("/invite", "How to invite"),
        ("/invite staff NOWHERE 1", "no building with the code “NOWHERE”"),
        ("/invite staff district 7", "from 1 to 4"),
        ("/invite organiser <b>bad key</b>", "How to invite"),
        ("/invite organiser <script>", "project key"),
    ]:
        await admin.send(command)
        await admin.wait_for(expected)
    async with bot.services.db.read() as conn:
        cur = await conn.execute("SELECT COUNT(*) FROM invitations")
        assert (await cur.fetchone())[0] == 0
    assert bot.emu.error_log == []


@pytest.mark.parametrize("language, expected", [("zh", "邀请已创建"), ("fr", "Invitation créée")])
async def test_invitation_answers_in_the_administrators_language(bot, language: str, expected: str) -> None:
    admin = bot.emu.user(ADMIN_ID, "Admin", language_code=language)
    await admin.send("/invite staff district 2")
    await admin.wait_for(expected)
