"""Roles on Telegram: /invite (one-time links), /invites with one-tap Withdraw, the inv- deep link,
/staff with one-tap revoke, /audit, and /chats (which group receives each tier's cards).

Every handler is guarded by `services.access` (`@admin_only` / `@staff_only`); the services check
again inside their transaction, so a role revoked a second ago is already refused.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler

from bot.context import BotContext, Buttons
from bot.handlers import registry
from bot.handlers.common import TemplateRouter
from bot.handlers.guards import admin_only, staff_only
from bot.handlers.routing import Press, sender_id
from bot.msgids import N_
from bot.services.access import may_manage_invitations, may_read_audit
from bot.services.base import InvalidInput
from bot.services.roles import InvitationLine, Revoked, StaffPage

INVITE_PREFIX = "inv-"
INVITE_PROBLEM = "admin/invite_problem.html"  # the problem, then how to write /invite
INVITE_REFUSED = "admin/invite_refused.html"


class RolesRouter(TemplateRouter):
    async def show_problem(
        self, update: Update, context: BotContext, problem: InvalidInput, press: Press | None
    ) -> None:
        """A role someone else revoked a moment ago: say so, then show the staff list as it is now."""
        await super().show_problem(update, context, problem, press)
        if press is not None and press.action == REVOKE.name and problem.code == "role_gone":
            await show_staff_page(press, context, press.int_arg(1), None)


router = RolesRouter(
    "adm",
    {"role_gone": N_("This role was already revoked.")},
    templates={
        "invite_usage": INVITE_PROBLEM,
        "unknown_building": INVITE_PROBLEM,
        "bad_tier": INVITE_PROBLEM,
        "bad_project": INVITE_PROBLEM,
        "invite_unknown": INVITE_REFUSED,
        "invite_used": INVITE_REFUSED,
        "invite_revoked": INVITE_REFUSED,
        "invite_expired": INVITE_REFUSED,
    },
)
STAFF_PAGE = router.action("staff")
REVOKE = router.action("rv")
OLDER = router.action("audit")
WITHDRAW = router.action("wd")


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{token}"


@admin_only
@router.message
async def invite_command(update: Update, context: BotContext) -> None:
    created = await context.services.roles.invite(sender_id(update), list(context.args or []))
    await context.reply(
        update,
        "admin/invite_created.html",
        link=invite_link(context.bot.username, created.token),
        view=created.view,
        expires_at=created.invitation.expires_at,
    )


@router.message
async def invitation_opened(update: Update, context: BotContext, token: str) -> None:
    """`/start inv-<token>`: anyone may open a link; the invitation itself decides."""
    joined = await context.services.roles.accept(sender_id(update), token)
    await context.reply(update, "admin/joined.html", view=joined.view, already=joined.already_had)


def staff_buttons(context: BotContext, page: StaffPage) -> Buttons:
    rows: Buttons = []
    if page.can_revoke:
        for line in page.lines:
            label = context.gettext("✖ Revoke: %(name)s", name=line.name[:24])
            rows.append([REVOKE.button(label, line.role_id, page.page)])
    nav = []
    if page.page > 0:
        nav.append(STAFF_PAGE.button(context.gettext("◀ Previous"), page.page - 1))
    if page.page + 1 < page.pages:
        nav.append(STAFF_PAGE.button(context.gettext("Next ▶"), page.page + 1))
    if nav:
        rows.append(nav)
    return rows


async def show_staff_page(press: Press, context: BotContext, number: int, revoked: Revoked | None) -> None:
    page = await context.services.roles.staff_page(press.user_id, number)
    await context.reply(
        press.update, "admin/staff.html", staff_buttons(context, page), edit=True, page=page, revoked=revoked
    )


@staff_only
async def staff_command(update: Update, context: BotContext) -> None:
    page = await context.services.roles.staff_page(sender_id(update), 0)
    await context.reply(update, "admin/staff.html", staff_buttons(context, page), page=page, revoked=None)


@router.on(STAFF_PAGE)
@staff_only
async def staff_page_pressed(press: Press, context: BotContext) -> None:
    number = press.int_arg(0)
    page = await context.services.roles.staff_page(press.user_id, number)
    await press.answer()
    await context.reply(
        press.update, "admin/staff.html", staff_buttons(context, page), edit=True, page=page, revoked=None
    )


@router.on(REVOKE)
@admin_only
async def revoke_pressed(press: Press, context: BotContext) -> None:
    role_id, number = press.int_arg(0), press.int_arg(1)
    revoked = await context.services.roles.revoke(press.user_id, role_id)
    await press.answer(context.gettext("Revoked: %(name)s", name=revoked.name[:60]))
    await show_staff_page(press, context, number, revoked)


def invitation_buttons(context: BotContext, lines: list[InvitationLine]) -> Buttons:
    return [
        [WITHDRAW.button(context.gettext("✖ Withdraw: %(number)s", number=n), line.id)]
        for n, line in enumerate(lines, 1)
    ]


@admin_only
async def invites_command(update: Update, context: BotContext) -> None:
    lines = await context.services.roles.open_invitations(sender_id(update))
    await context.reply(
        update, "admin/invites.html", invitation_buttons(context, lines), lines=lines, withdrawn=False
    )


@router.on(WITHDRAW)
@admin_only
async def withdraw_pressed(press: Press, context: BotContext) -> None:
    roles = context.services.roles
    withdrawn = await roles.cancel_invitation(press.user_id, press.int_arg(0))
    lines = await roles.open_invitations(press.user_id)
    await press.answer(context.gettext("Invitation withdrawn.") if withdrawn else None)
    await context.reply(
        press.update,
        "admin/invites.html",
        invitation_buttons(context, lines),
        edit=True,
        lines=lines,
        withdrawn=withdrawn,
    )


@staff_only
async def chats_command(update: Update, context: BotContext) -> None:
    tiers = await context.services.roles.bindings(sender_id(update))
    await context.reply(update, "admin/chats.html", tiers=tiers)


@admin_only
async def audit_command(update: Update, context: BotContext) -> None:
    await show_audit(update, context, None)


@router.on(OLDER)
@admin_only
async def audit_older_pressed(press: Press, context: BotContext) -> None:
    before = press.int_arg(0)
    await press.answer()
    await show_audit(press.update, context, before)


async def show_audit(update: Update, context: BotContext, before: int | None) -> None:
    page = await context.services.roles.audit_page(sender_id(update), before)
    buttons = [[OLDER.button(context.gettext("Older ▶"), page.older)]] if page.older else None
    await context.reply(update, "admin/audit.html", buttons, page=page, first=before is None)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("invite", invite_command))
    app.add_handler(CommandHandler("staff", staff_command))
    app.add_handler(CommandHandler("audit", audit_command))
    app.add_handler(CommandHandler("invites", invites_command))
    app.add_handler(CommandHandler("chats", chats_command))
    app.add_handler(router.handler())
    registry.start_payload(INVITE_PREFIX, invitation_opened)
    registry.command(
        "invite",
        N_("Invite staff, an organiser or an administrator (one-time link)"),
        when=may_manage_invitations,
        order=70,
    )
    registry.command(
        "invites", N_("Invitations not used yet, to withdraw"), when=may_manage_invitations, order=70
    )
    registry.command("staff", N_("Staff and their roles"), staff_only=True, order=71)
    registry.command("audit", N_("Audit log of staff actions"), when=may_read_audit, order=72)
    registry.command("chats", N_("Which group receives each tier's request cards"), staff_only=True, order=73)
