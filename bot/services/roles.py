# i18n-domain: admin
"""Roles: one-time invitations, the staff list, revoking a role, and the audit log view.

Every method checks the actor's access inside its own transaction (at the moment of the action),
writes what it changed to the audit log, and queues any notification through the outbox in that
same transaction.
"""

from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from bot.domain.escalation import TOP_TIER
from bot.services.access import NOT_ADMIN, NOT_STAFF, ensure, may_manage_invitations, may_see_staff_chats
from bot.services.base import InvalidInput, UseCases
from bot.storage import buildings as buildings_repo
from bot.storage import invitations as invitations_repo
from bot.storage import outbox as outbox_repo
from bot.storage import roles as roles_repo
from bot.storage import users as users_repo
from bot.storage.buildings import Building
from bot.storage.invitations import Invitation
from bot.storage.roles import AuditEntry, Role, RoleHolder

DISTRICT_WORDS = ("district", "all", "全区", "街道")
PROJECT_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,60}$")
STAFF_PAGE = 8
AUDIT_PAGE = 15


@dataclass(frozen=True)
class RoleView:
    """A role as people read it: kind, tier, building (None = district), project."""

    role: str
    tier: int | None
    building: Building | None
    scope: str | None


@dataclass(frozen=True)
class CreatedInvitation:
    token: str
    invitation: Invitation
    view: RoleView


@dataclass(frozen=True)
class Joined:
    view: RoleView
    already_had: bool


@dataclass(frozen=True)
class StaffLine:
    role_id: int
    user_id: int
    name: str
    view: RoleView


@dataclass(frozen=True)
class StaffPage:
    lines: list[StaffLine]
    page: int
    pages: int
    total: int
    can_revoke: bool


@dataclass(frozen=True)
class Revoked:
    name: str
    view: RoleView


@dataclass(frozen=True)
class InvitationLine:
    """An invitation nobody has used yet, for /invites (with its Withdraw button)."""

    id: int
    view: RoleView
    created_by: str
    expires_at: datetime


@dataclass(frozen=True)
class TierBinding:
    """Where one tier's cards go: the district's chat, buildings' own chats, and who has none."""

    tier: int
    district: str | None  # the title of the district-wide chat of this tier
    buildings: list[tuple[Building, str]]  # buildings with their own chat of this tier
    uncovered: list[Building]  # buildings whose cards of this tier have no chat of this tier at all
    fallback: str | None  # where those cards go meanwhile: a chat above (None: the administrators)


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    older: int | None  # pass as before_id for the next (older) page; None when there is none


def describe(role: str, tier: int | None, building_id: int | None, scope: str | None) -> str:
    """The role in the audit log: stable, language-free, no personal data."""
    if role == "staff":
        return f"staff tier={tier} building={building_id or 'district'}"
    if role == "organiser":
        return f"organiser project={scope}"
    return role


class RolesService(UseCases):
    async def _view(
        self,
        conn: aiosqlite.Connection,
        role: str,
        tier: int | None,
        building_id: int | None,
        scope: str | None,
    ) -> RoleView:
        building = await buildings_repo.get(conn, building_id) if building_id is not None else None
        return RoleView(role, tier, building, scope)

    # ------------------------------------------------------------------ invitations

    async def invite(self, actor_id: int, args: list[str]) -> CreatedInvitation:
        """`/invite staff <building code|district> <tier>`, `/invite organiser <project>`, `/invite admin`."""
        words = [a.strip() for a in args if a.strip()]
        kind = words[0].lower() if words else ""
        async with self.db.tx() as conn:
            (await self.services.access.of_in(conn, actor_id)).require_admin()
            building_id: int | None = None
            tier: int | None = None
            scope: str | None = None
            if kind == "staff" and len(words) == 3:
                place, tier_text = words[1], words[2]
                if place.lower() not in DISTRICT_WORDS:
                    building = await buildings_repo.by_code(conn, place)
                    if building is None:
                        raise InvalidInput("unknown_building", building_code=place[:40])
                    building_id = building.id
                if not tier_text.isdigit() or not 1 <= int(tier_text) <= 4:
                    raise InvalidInput("bad_tier", tier=tier_text[:10])
                tier = int(tier_text)
            elif kind in ("organiser", "organizer") and len(words) == 2:
                kind = "organiser"
                if not PROJECT_KEY.match(words[1]):
                    raise InvalidInput("bad_project", project=words[1][:40])
                scope = words[1].lower()
            elif kind == "admin" and len(words) == 1:
                pass
            else:
                raise InvalidInput("invite_usage")
            now = self.now()
            token = secrets.token_urlsafe(18)  # 24 characters: fits Telegram's 64-character start payload
            invitation_id = await invitations_repo.create(
                conn,
                token=token,
                role=kind,
                building_id=building_id,
                tier=tier,
                scope=scope,
                created_by=actor_id,
                now=now,
                expires_at=now + timedelta(hours=self.settings.invite_hours),
            )
            await roles_repo.audit(
                conn,
                now,
                actor_id,
                "invite.create",
                f"invitation:{invitation_id}",
                describe(kind, tier, building_id, scope),
            )
            invitation = await invitations_repo.get(conn, invitation_id)
            view = await self._view(conn, kind, tier, building_id, scope)
        assert invitation is not None
        return CreatedInvitation(token, invitation, view)

    async def accept(self, user_id: int, token: str) -> Joined:
        """Redeem an invitation link: once, before it expires, unless an administrator revoked it."""
        if not TOKEN.match(token or ""):
            raise InvalidInput("invite_unknown")
        async with self.db.tx() as conn:
            now = self.now()
            invitation = await invitations_repo.by_token(conn, token)
            if invitation is None:
                raise InvalidInput("invite_unknown")
            if invitation.used_at is not None:
                raise InvalidInput("invite_used")
            if invitation.revoked_at is not None:
                raise InvalidInput("invite_revoked")
            if now >= invitation.expires_at:
                raise InvalidInput("invite_expired")
            existing = await roles_repo.find_active(
                conn,
                user_id,
                invitation.role,
                building_id=invitation.building_id,
                tier=invitation.tier,
                scope=invitation.scope,
            )
            if existing is not None:
                role_id = existing.id
            else:
                role_id = await roles_repo.grant(
                    conn,
                    user_id,
                    invitation.role,
                    now,
                    building_id=invitation.building_id,
                    tier=invitation.tier,
                    scope=invitation.scope,
                    granted_by=invitation.created_by,
                )
            if not await invitations_repo.mark_used(conn, invitation.id, user_id, role_id, now):
                raise InvalidInput("invite_used")
            detail = describe(invitation.role, invitation.tier, invitation.building_id, invitation.scope)
            await roles_repo.audit(
                conn,
                now,
                user_id,
                "role.grant",
                f"user:{user_id}",
                f"role:{role_id} {detail} invitation:{invitation.id} by:{invitation.created_by}",
            )
            view = await self._view(
                conn, invitation.role, invitation.tier, invitation.building_id, invitation.scope
            )
            await self._tell_admins(conn, user_id, view, invitation, now)
        return Joined(view, already_had=existing is not None)

    async def _tell_admins(
        self, conn: aiosqlite.Connection, user_id: int, view: RoleView, invitation: Invitation, now: datetime
    ) -> None:
        """Every administrator's private chat hears who joined, in their own language."""
        admins = [a for a in await self.services.access.admin_ids(conn) if a != user_id]
        people = await users_repo.get_many(conn, [*admins, user_id, invitation.created_by])
        joiner = people.get(user_id)
        inviter = people.get(invitation.created_by)
        for admin_id in admins:
            admin = people.get(admin_id)
            lang = self.services.users.language_of(admin)
            text = self.render(
                lang,
                "admin/joined_notice.html",
                name=joiner.name if joiner else str(user_id),
                user_id=user_id,
                inviter=inviter.name if inviter else str(invitation.created_by),
                view=view,
            )
            await outbox_repo.enqueue(
                conn,
                chat_id=admin_id,
                kind="admin",
                text=text,
                now=now,
                dedupe_key=f"invite:{invitation.id}:admin:{admin_id}",
            )

    async def open_invitations(self, actor_id: int) -> list[InvitationLine]:
        """/invites: the invitations nobody has used yet, to withdraw one sent to the wrong person."""
        async with self.db.read() as conn:
            ensure(may_manage_invitations(await self.services.access.of_in(conn, actor_id)), NOT_ADMIN)
            invitations = await invitations_repo.still_open(conn, self.now())
            people = await users_repo.get_many(conn, sorted({i.created_by for i in invitations}))
            return [
                InvitationLine(
                    i.id,
                    await self._view(conn, i.role, i.tier, i.building_id, i.scope),
                    people[i.created_by].name if i.created_by in people else str(i.created_by),
                    i.expires_at,
                )
                for i in invitations
            ]

    async def bindings(self, actor_id: int) -> list[TierBinding]:
        """/chats: which group receives each tier's cards, district-wide and per building."""
        async with self.db.read() as conn:
            ensure(may_see_staff_chats(await self.services.access.of_in(conn, actor_id)), NOT_STAFF)
            chats = await roles_repo.all_staff_chats(conn)
            buildings = await buildings_repo.all_buildings(conn)
        result = []
        for tier in range(1, TOP_TIER + 1):
            district = next((c.title for c in chats if c.tier == tier and c.building_id is None), None)
            own = {c.building_id: c.title for c in chats if c.tier == tier and c.building_id is not None}
            above = next((c.title for c in chats if c.tier > tier and c.building_id is None), None)
            result.append(
                TierBinding(
                    tier,
                    district,
                    [(b, own[b.id]) for b in buildings if b.id in own],
                    [] if district else [b for b in buildings if b.id not in own],
                    above,
                )
            )
        return result

    async def cancel_invitation(self, actor_id: int, invitation_id: int) -> bool:
        """Withdraw an unused invitation (e.g. the link went to the wrong person)."""
        async with self.db.tx() as conn:
            (await self.services.access.of_in(conn, actor_id)).require_admin()
            now = self.now()
            done = await invitations_repo.revoke(conn, invitation_id, now, actor_id)
            if done:
                await roles_repo.audit(conn, now, actor_id, "invite.revoke", f"invitation:{invitation_id}")
            return done

    # ------------------------------------------------------------------ staff list and revoking

    async def staff_page(self, actor_id: int, page: int = 0) -> StaffPage:
        async with self.db.read() as conn:
            access = (await self.services.access.of_in(conn, actor_id)).require_staff()
            holders = await roles_repo.holders(conn)
            pages = max(1, math.ceil(len(holders) / STAFF_PAGE))
            page = min(max(page, 0), pages - 1)
            chosen = holders[page * STAFF_PAGE : (page + 1) * STAFF_PAGE]
            lines = [await self._line(conn, h) for h in chosen]
        return StaffPage(lines, page, pages, len(holders), can_revoke=access.is_admin)

    async def _line(self, conn: aiosqlite.Connection, holder: RoleHolder) -> StaffLine:
        r = holder.role
        return StaffLine(
            r.id, r.user_id, holder.name, await self._view(conn, r.role, r.tier, r.building_id, r.scope)
        )

    async def revoke(self, actor_id: int, role_id: int) -> Revoked:
        """One tap by an administrator: the role ends now; the person's next press is refused."""
        async with self.db.tx() as conn:
            (await self.services.access.of_in(conn, actor_id)).require_admin()
            role: Role | None = await roles_repo.get_role(conn, role_id)
            if role is None:
                raise InvalidInput("role_gone")
            now = self.now()
            await roles_repo.revoke(conn, role_id, now, actor_id)
            await roles_repo.audit(
                conn,
                now,
                actor_id,
                "role.revoke",
                f"user:{role.user_id}",
                f"role:{role_id} {describe(role.role, role.tier, role.building_id, role.scope)}",
            )
            view = await self._view(conn, role.role, role.tier, role.building_id, role.scope)
            holder = await users_repo.get(conn, role.user_id)
            if role.user_id != actor_id:
                text = self.render(
                    self.services.users.language_of(holder), "admin/revoked_notice.html", view=view
                )
                await outbox_repo.enqueue(
                    conn,
                    chat_id=role.user_id,
                    kind="admin",
                    text=text,
                    now=now,
                    dedupe_key=f"role:{role_id}:revoked",
                )
        return Revoked(holder.name if holder else str(role.user_id), view)

    # ------------------------------------------------------------------ audit log

    async def audit_page(self, actor_id: int, before_id: int | None = None) -> AuditPage:
        async with self.db.read() as conn:
            (await self.services.access.of_in(conn, actor_id)).require_admin()
            entries = await roles_repo.audit_entries(conn, limit=AUDIT_PAGE + 1, before_id=before_id)
        older = entries[AUDIT_PAGE - 1].id if len(entries) > AUDIT_PAGE else None
        return AuditPage(entries[:AUDIT_PAGE], older)
