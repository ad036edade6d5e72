# i18n-domain: admin
"""Who may do what: the one place where roles are checked.

Handlers never trust callback data or chat membership for permissions: every staff action asks
this service about the person pressing, at the moment they press.

Two layers, both answered from here:
- services call `access.of_in(conn, user_id)` inside their transaction and `require_staff()` /
  `require_admin()` / `require_organiser()` on the result, which raise `NotAllowed`;
- handlers wrap themselves with `@staff_only`, `@admin_only` or `@allowed_if(predicate)` from
  bot/handlers/guards.py, which
  refuse early in the person's language (an alert for a button, a message for a command) and
  also turn a `NotAllowed` raised by the service into that same refusal. The handler-level check
  is a courtesy (no needless work for a worker); the service-level one is the guarantee.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiosqlite

from bot.msgids import N_
from bot.settings import Settings
from bot.storage import roles as roles_repo
from bot.storage.db import Database
from bot.storage.enterprises import Enterprise
from bot.storage.events import EventRow
from bot.storage.requests import RequestRow

if TYPE_CHECKING:
    from bot.storage.shifts import Project

# What a refused person reads (plain text: it is also a button alert, at most 200 characters).
NOT_STAFF = N_("Sorry, this is only for station staff.")
NOT_ADMIN = N_("Sorry, only the station's administrators can do this.")
NOT_ORGANISER = N_("Sorry, only volunteer organisers can do this.")
# Staff refused because the matter is another building's: said so, not "only for station staff".
OTHER_BUILDING_REQUEST = N_("Sorry, this request belongs to another building's staff.")
OTHER_BUILDING_ENTERPRISE = N_("Sorry, this enterprise belongs to another building's staff.")


class NotAllowed(Exception):
    """The person may not do this (now): nothing was changed. `message` is the msgid to show."""

    def __init__(self, message: str = NOT_STAFF) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Access:
    user_id: int
    is_admin: bool
    staff: tuple[roles_repo.Role, ...]
    organiser_scopes: tuple[str, ...]

    @property
    def is_staff(self) -> bool:
        return self.is_admin or bool(self.staff)

    @property
    def is_organiser(self) -> bool:
        return self.is_admin or bool(self.organiser_scopes)

    def covers_building(self, building_id: int | None) -> bool:
        """District-wide staff and administrators see every building; building staff their own."""
        if self.is_admin:
            return True
        return any(r.building_id is None or r.building_id == building_id for r in self.staff)

    def organises(self, scope: str | None) -> bool:
        """Administrators organise everything; an organiser their own project(s)."""
        return self.is_admin or (scope is not None and scope in self.organiser_scopes)

    def require_staff(self) -> Access:
        if not self.is_staff:
            raise NotAllowed(NOT_STAFF)
        return self

    def require_admin(self) -> Access:
        if not self.is_admin:
            raise NotAllowed(NOT_ADMIN)
        return self

    def require_organiser(self, scope: str | None = None) -> Access:
        if not (self.organises(scope) if scope is not None else self.is_organiser):
            raise NotAllowed(NOT_ORGANISER)
        return self


def ensure(allowed: bool, message: str = NOT_STAFF) -> None:
    """Raise `NotAllowed(message)` unless a rule allowed it: the only place a refusal is raised.

    Services call it with a named rule of this module, e.g.
    `ensure(may_handle_request(access, request), NOT_ALLOWED)`; rules themselves return a bool so
    that lists and buttons can be filtered with the same rule.
    """
    if not allowed:
        raise NotAllowed(message)


# --------------------------------------------------------------------------- requests rules


def may_handle_request(access: Access, request: RequestRow) -> bool:
    """Work a request's card: staff of its building or district-wide, at its tier or above."""
    if access.is_admin:
        return True
    return any(
        (role.building_id is None or role.building_id == request.building_id)
        and (role.tier or 1) >= request.tier
        for role in access.staff
    )


def request_refusal(access: Access, request: RequestRow, otherwise: str) -> str:
    """What staff read when `may_handle_request` refuses: another building's request says so."""
    if access.is_staff and not access.covers_building(request.building_id):
        return OTHER_BUILDING_REQUEST
    return otherwise


def may_look_up_requests(access: Access) -> bool:
    """/req: any staff member (each then sees only the requests of the buildings they cover)."""
    return access.is_staff


def sees_request(access: Access, request: RequestRow) -> bool:
    """A request shown to staff by /req: its building is covered by their role (or district-wide)."""
    return access.is_staff and access.covers_building(request.building_id)


def is_requester(user_id: int, request: RequestRow) -> bool:
    """A person rates, comments on and reopens only their own requests."""
    return request.requester_id == user_id


def may_bind_staff_chat(access: Access) -> bool:
    """/bindchat: only administrators decide which group receives a tier's cards."""
    return access.is_admin


def may_see_queue(access: Access) -> bool:
    """/queue: any staff member; each sees the requests their roles let them handle (or, in a
    staff chat, the chat's requests whose building they cover)."""
    return access.is_staff


def may_take_over(assignee: Access, request: RequestRow) -> bool:
    """Assign or hand a request to a colleague: only one who could handle it themselves."""
    return may_handle_request(assignee, request)


def may_withdraw(user_id: int, request: RequestRow) -> bool:
    """The requester withdraws their own request while it is open."""
    return is_requester(user_id, request) and request.status in ("new", "claimed", "waiting")


def may_see_staff_chats(access: Access) -> bool:
    """/chats: where each tier's and building's cards go; any staff member may look."""
    return access.is_staff


def may_manage_invitations(access: Access) -> bool:
    """/invite and /invites: inviting people to a role, and withdrawing an unused invitation."""
    return access.is_admin


def may_read_audit(access: Access) -> bool:
    """/audit: the log of staff actions is for administrators."""
    return access.is_admin


# --------------------------------------------------------------------------- volunteering rules


def organises(access: Access, project: Project) -> bool:
    """Administrators organise every project, an organiser the project(s) of their role's scope.

    Only they speak for a project: writing to everyone on a shift, cancelling a shift.
    """
    return access.organises(project.key)


def may_run_shifts(access: Access, project: Project) -> bool:
    """Rosters, attendance marks and check-in posters: the project's organisers, and station staff
    (who help at the desk on the day)."""
    return organises(access, project) or access.is_staff


def may_open_organiser_desk(access: Access) -> bool:
    """The organisers' screens (upcoming shifts, posters to print): any organiser, or station staff.
    What they then list is filtered project by project with `may_run_shifts`."""
    return access.is_organiser or access.is_staff


def may_export_attendance(access: Access) -> bool:
    """A month's attendance for the national volunteer platform: organisers and administrators."""
    return access.is_organiser


def attendance_projects(access: Access) -> list[str] | None:
    """The project keys whose attendance this person may export: None means every project."""
    return None if access.is_admin else list(access.organiser_scopes)


def may_claim_team(liaison_of: Sequence[object]) -> bool:
    """Only a company's linked liaison holds places on a shift for the company's team, whatever
    other roles they have (`liaison_of`: the companies they are the linked liaison of)."""
    return len(liaison_of) > 0


# --------------------------------------------------------------------------- enterprises rules


def may_see_enterprises(access: Access) -> bool:
    """The registry, the board and coverage are for station staff, of any building and tier."""
    return access.is_staff


def may_edit_enterprise(access: Access, enterprise: Enterprise) -> bool:
    """Open, colour, visit or link an enterprise: staff whose role covers its building.

    District-wide staff and administrators cover every building. The same rule filters a search's
    matches, so staff are never shown an enterprise they could not open.
    """
    return access.is_staff and access.covers_building(enterprise.building_id)


def may_tag_request(access: Access, request: RequestRow) -> bool:
    """Tag a request as relevant to its company's stability: staff whose role covers its building
    (at any tier: whoever reads the card may say what it means for the company)."""
    return access.is_staff and access.covers_building(request.building_id)


def may_transfer_data(access: Access) -> bool:
    """Import files (enterprises, volunteer projects, the guide) and export data or the monthly
    report from Telegram: administrators only, as on the server's command line."""
    return access.is_admin


def enterprise_refusal(access: Access) -> str:
    """What a person reads when `may_edit_enterprise` refuses: staff learn it is another building's."""
    return OTHER_BUILDING_ENTERPRISE if access.is_staff else NOT_STAFF


# --------------------------------------------------------------------------- events, roles, privacy, guide rules


def may_publish(access: Access) -> bool:
    """Organisers (of any project) and administrators write events for a topic's subscribers."""
    return access.is_organiser


def may_edit_event(access: Access, event: EventRow) -> bool:
    """A draft is published or discarded by the organiser who wrote it, or by an administrator."""
    return may_publish(access) and (access.is_admin or event.created_by == access.user_id)


def may_teach_guide(access: Access) -> bool:
    """Staff see the guide's unanswered questions and attach them to entries as new phrasings."""
    return access.is_staff


# --------------------------------------------------------------------------- staff Mini App rules


def may_open_staff_app(access: Access) -> bool:
    """The station's Mini App (board, queue, figures) is for staff: a worker sees none of it.

    What each screen then lists is filtered by the person's roles: `sees_building` for the board,
    `may_handle_request` for the queue, `may_edit_enterprise` for an enterprise's page.
    """
    return access.is_staff


def sees_building(access: Access, building_id: int | None) -> bool:
    """A building's tiles and counts: staff whose role covers it (district-wide staff: all 38)."""
    return access.is_staff and access.covers_building(building_id)


class AccessService:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    async def of(self, user_id: int) -> Access:
        async with self.db.read() as conn:
            return await self.of_in(conn, user_id)

    async def of_in(self, conn: aiosqlite.Connection, user_id: int) -> Access:
        """Same as `of`, inside a transaction the caller already holds."""
        rows = await roles_repo.active_roles(conn, user_id)
        return Access(
            user_id=user_id,
            is_admin=user_id in self.settings.admin_ids or any(r.role == "admin" for r in rows),
            staff=tuple(r for r in rows if r.role == "staff"),
            organiser_scopes=tuple(r.scope or "" for r in rows if r.role == "organiser"),
        )

    async def admin_ids(self, conn: aiosqlite.Connection) -> list[int]:
        """Everyone who administers the bot: BOT_ADMIN_IDS plus the administrators they appointed."""
        appointed = await roles_repo.appointed_admin_ids(conn)
        return sorted(set(self.settings.admin_ids) | set(appointed))
