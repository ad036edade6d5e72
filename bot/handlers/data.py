"""Administrators' data in and out, in a private chat: send a file (the enterprise registry as CSV,
volunteer projects or the service guide as YAML) -> its dry run -> Confirm / Cancel; `/export
enterprises`; `/report month 2026-11`.

The same services as the command line (`python -m bot import|export|report`), so a file gets the
same checks and the same report wherever it comes from.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.context import BotContext, Buttons
from bot.handlers import registry
from bot.handlers.guards import admin_only
from bot.handlers.routing import Press, Router, chat_of, message_of, sender_id
from bot.msgids import N_
from bot.services.base import InvalidInput
from bot.services.data.datasets import Report, template_values
from bot.services.data.uploads import MAX_BYTES, Received

PROBLEMS = {
    "data_too_big": N_("This file is over %(max)s MB: that is not a registry, projects or guide file."),
    "data_unknown_kind": N_(
        "I can import the enterprise registry (.csv), volunteer projects or the service guide (.yaml). Send the file again with the caption “enterprises”, “projects” or “guide”."
    ),
    "data_upload_gone": N_(
        "This file was already imported or cancelled, or its two hours have passed: send it again."
    ),
    "data_export_usage": N_("Send /export enterprises to get the enterprise registry as CSV."),
    "data_report_usage": N_(
        "Send /report month 2026-11 (a month written YYYY-MM) to get its figures as CSV and a chart."
    ),
    "data_private": N_("Data files and exports only in a private chat with me, not in a group."),
    "data_download": N_("Telegram did not give me the file: please send it again."),
}
REPORT_LINES = 15  # rejected rows, conflicts or deletions listed in a chat message (the CLI lists all)

router = Router("data", PROBLEMS)
CONFIRM = router.action("ok")  # 1|data|ok|<upload id>
OVERWRITE = router.action("ow")  # 1|data|ow|<upload id>: confirm and overwrite the listed staff colours
CANCEL = router.action("no")  # 1|data|no|<upload id>


def report_values(report: Report) -> dict[str, Any]:
    return template_values(report, limit=REPORT_LINES)


def decision_buttons(context: BotContext, received: Received) -> Buttons:
    """Confirm (naming the deletions when there are many), overwrite conflicts, cancel."""
    report, upload_id = received.report, received.upload_id
    if upload_id is None:
        return []
    if report.needs_confirmation and report.kind == "guide":
        label = context.gettext(
            "⚠️ Confirm: delete %(count)s of %(total)s entries",
            count=report.deletions,
            total=report.deletion_total,
        )
    elif report.needs_confirmation:
        label = context.gettext(
            "⚠️ Confirm: cancel %(count)s of %(total)s future shifts",
            count=report.deletions,
            total=report.deletion_total,
        )
    else:
        label = context.gettext("✅ Confirm")
    rows = [[CONFIRM.button(label, upload_id)]]
    if report.conflicts:
        overwrite = context.gettext(
            "⚠️ Confirm and overwrite %(count)s staff colours", count=len(report.conflicts)
        )
        rows.append([OVERWRITE.button(overwrite, upload_id)])
    rows.append([CANCEL.button(context.gettext("✖ Cancel"), upload_id)])
    return rows


def _private(update: Update) -> None:
    if chat_of(update).type != ChatType.PRIVATE:
        raise InvalidInput("data_private")


@admin_only
@router.message
async def document_received(update: Update, context: BotContext) -> None:
    _private(update)
    message = message_of(update)
    document = message.document
    if document is None:
        return
    if document.file_size and document.file_size > MAX_BYTES:
        raise InvalidInput("data_too_big", max=MAX_BYTES // (1024 * 1024))
    try:
        data = bytes(await (await context.bot.get_file(document.file_id)).download_as_bytearray())
    except Exception as error:  # any refusal or network fault of the download: ask for the file again
        raise InvalidInput("data_download") from error
    received = await context.services.data.uploads.receive(
        sender_id(update), document.file_name or "file", data, message.caption
    )
    await context.reply(
        update,
        "data/report.html",
        decision_buttons(context, received),
        reply_to=message.message_id,
        **report_values(received.report),
    )


async def _decide(press: Press, context: BotContext, *, overwrite: bool) -> None:
    uploads = context.services.data.uploads
    await uploads.check(press.user_id, press.int_arg(0))
    await press.answer(context.gettext("Importing…"))  # a big file takes a moment: stop the spinner now
    report = await uploads.confirm(press.user_id, press.int_arg(0), overwrite=overwrite)
    await context.reply(press.update, "data/report.html", edit=True, **report_values(report))


@router.on(CONFIRM)
async def confirm_pressed(press: Press, context: BotContext) -> None:
    await _decide(press, context, overwrite=False)


@router.on(OVERWRITE)
async def overwrite_pressed(press: Press, context: BotContext) -> None:
    await _decide(press, context, overwrite=True)


@router.on(CANCEL)
async def cancel_pressed(press: Press, context: BotContext) -> None:
    name = await context.services.data.uploads.cancel(press.user_id, press.int_arg(0))
    await press.answer()
    await context.reply(press.update, "data/cancelled.html", edit=True, file=name)


@admin_only
@router.message
async def export_command(update: Update, context: BotContext) -> None:
    _private(update)
    what = " ".join(context.args or []).strip().lower()
    file = await context.services.data.exports.export(sender_id(update), what)
    day = context.services.clock.now().astimezone(context.services.settings.tz).date().isoformat()
    await context.send_file(
        update, file.data, file.name, caption="data/export_caption.html", day=day, file=file.name
    )


@admin_only
@router.message
async def report_command(update: Update, context: BotContext) -> None:
    _private(update)
    words = [w for w in (context.args or []) if w.lower() != "month"]
    if len(words) != 1:
        raise InvalidInput("data_report_usage")
    files = await context.services.data.exports.month_report(sender_id(update), words[0])
    for file in files:
        await context.send_file(
            update,
            file.data,
            file.name,
            caption="data/report_caption.html",
            photo=file.name.endswith(".png"),
            month=words[0],
            file=file.name,
        )


def register(app: Application) -> None:
    app.add_handler(MessageHandler(filters.Document.ALL & filters.ChatType.PRIVATE, document_received))
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(CommandHandler("report", report_command))
    app.add_handler(router.handler())
    registry.command(
        "export", N_("Administrators: the enterprise registry as CSV"), staff_only=True, order=80
    )
    registry.command(
        "report", N_("Administrators: a month's figures as CSV and chart"), staff_only=True, order=81
    )
