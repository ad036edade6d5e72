"""Roles on Telegram: /invite (one-time links), the inv- deep link, /staff with one-tap revoke, /audit.

Every handler is guarded by `services.access` (`@admin_only` / `@staff_only`); the services check
again inside their transaction, so a role revoked a second ago is already refused.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.callbacks import BadCallback, button, pattern, unpack
from bot.context import BotContext
from bot.handlers import registry
from bot.handlers.guards import admin_only, staff_only
from bot.msgids import N_
from bot.services.base import InvalidInput
from bot.services.roles import StaffPage

FEATURE = "adm"
INVITE_PREFIX = "inv-"


def invite_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={INVITE_PREFIX}{token}"


@admin_only
async def invite_command(update: Update, context: BotContext) -> None:
    try:
        created = await context.services.roles.invite(update.effective_user.id, list(context.args or []))
    except InvalidInput as problem:
        await context.reply(update, "admin/invite_problem.html", code=problem.code, **problem.details)
        return
    await context.reply(
        update,
        "admin/invite_created.html",
        link=invite_link(context.bot.username, created.token),
        view=created.view,
        expires_at=created.invitation.expires_at,
    )


async def invitation_opened(update: Update, context: BotContext, token: str) -> None:
    """`/start inv-<token>`: anyone may open a link; the invitation itself decides."""
    try:
        joined = await context.services.roles.accept(update.effective_user.id, token)
    except InvalidInput as problem:
        await context.reply(update, "admin/invite_refused.html", code=problem.code)
        return
    await context.reply(update, "admin/joined.html", view=joined.view, already=joined.already_had)


def staff_buttons(context: BotContext, page: StaffPage) -> list[list[dict[str, str]]]:
    rows: list[list[dict[str, str]]] = []
    if page.can_revoke:
        for line in page.lines:
            label = context.gettext("✖ Revoke: %(name)s", name=line.name[:24])
            rows.append([button(label, FEATURE, "rv", line.role_id, page.page)])
    nav = []
    if page.page > 0:
        nav.append(button(context.gettext("◀ Previous"), FEATURE, "staff", page.page - 1))
    if page.page + 1 < page.pages:
        nav.append(button(context.gettext("Next ▶"), FEATURE, "staff", page.page + 1))
    if nav:
        rows.append(nav)
    return rows


@staff_only
async def staff_command(update: Update, context: BotContext) -> None:
    page = await context.services.roles.staff_page(update.effective_user.id, 0)
    await context.reply(update, "admin/staff.html", staff_buttons(context, page), page=page, revoked=None)


@staff_only
async def staff_page_pressed(update: Update, context: BotContext) -> None:
    try:
        number = unpack(update.callback_query.data).int_arg(0)
    except BadCallback:
        await context.alert(update, N_("This button is no longer valid."))
        return
    page = await context.services.roles.staff_page(update.effective_user.id, number)
    await update.callback_query.answer()
    await context.reply(
        update, "admin/staff.html", staff_buttons(context, page), edit=True, page=page, revoked=None
    )


@admin_only
async def revoke_pressed(update: Update, context: BotContext) -> None:
    try:
        cb = unpack(update.callback_query.data)
        role_id, number = cb.int_arg(0), cb.int_arg(1)
    except BadCallback:
        await context.alert(update, N_("This button is no longer valid."))
        return
    actor = update.effective_user.id
    try:
        revoked = await context.services.roles.revoke(actor, role_id)
    except InvalidInput:
        await context.alert(update, N_("This role was already revoked."))
        revoked = None
    else:
        await update.callback_query.answer(context.gettext("Revoked: %(name)s", name=revoked.name[:60]))
    page = await context.services.roles.staff_page(actor, number)
    await context.reply(
        update, "admin/staff.html", staff_buttons(context, page), edit=True, page=page, revoked=revoked
    )


@admin_only
async def audit_command(update: Update, context: BotContext) -> None:
    await show_audit(update, context, None)


@admin_only
async def audit_older_pressed(update: Update, context: BotContext) -> None:
    try:
        before = unpack(update.callback_query.data).int_arg(0)
    except BadCallback:
        await context.alert(update, N_("This button is no longer valid."))
        return
    await update.callback_query.answer()
    await show_audit(update, context, before)


async def show_audit(update: Update, context: BotContext, before: int | None) -> None:
    page = await context.services.roles.audit_page(update.effective_user.id, before)
    buttons = [[button(context.gettext("Older ▶"), FEATURE, "audit", page.older)]] if page.older else None
    await context.reply(update, "admin/audit.html", buttons, page=page, first=before is None)


def register(app: Application) -> None:
    app.add_handler(CommandHandler("invite", invite_command))
    app.add_handler(CommandHandler("staff", staff_command))
    app.add_handler(CommandHandler("audit", audit_command))
    app.add_handler(CallbackQueryHandler(staff_page_pressed, pattern=rf"{pattern(FEATURE).pattern}staff\|"))
    app.add_handler(CallbackQueryHandler(revoke_pressed, pattern=rf"{pattern(FEATURE).pattern}rv\|"))
    app.add_handler(CallbackQueryHandler(audit_older_pressed, pattern=rf"{pattern(FEATURE).pattern}audit\|"))
    registry.start_payload(INVITE_PREFIX, invitation_opened)
    registry.command(
        "invite",
        N_("Invite staff, an organiser or an administrator (one-time link)"),
        staff_only=True,
        order=70,
    )
    registry.command("staff", N_("Staff and their roles"), staff_only=True, order=71)
    registry.command("audit", N_("Audit log of staff actions"), staff_only=True, order=72)
