# i18n-domain: volunteer
"""Company teams in the chat, by buttons only: /claim (a project, then a shift or the whole project,
then how many places), /myteams (who joined, the join link to share), and joining from the link."""

from __future__ import annotations

from urllib.parse import quote

from telegram import Update

from bot.context import BotContext, Buttons
from bot.domain import finder
from bot.handlers.routing import Press, sender_id
from bot.handlers.volunteer.router import router, when
from bot.handlers.volunteer.volunteers import signed_up
from bot.services.volunteer.teams import JOIN, ClaimView

PROJECTS = router.action("tpj")  # topic ("-": all), page
PROJECT = router.action("tsh")  # project: its shifts, and adopting it
SHIFT = router.action("tsf")  # shift: how many places
ADOPT = router.action("tad")  # project: how many places on each shift
PLACES = router.action("tpl")  # "s" shift | "p" project, id, places
VIEW = router.action("tv")  # claim: who joined, the link
JOIN_SHIFT = router.action("tj")  # code, shift
PLACE_CHOICES = (2, 3, 5, 8, 10, 15)


def _link(context: BotContext, view: ClaimView) -> str:
    return f"https://t.me/{context.bot.username}?start={JOIN}{view.claim.code}"


def _claim_buttons(context: BotContext, view: ClaimView) -> Buttons:
    link = _link(context, view)
    text = context.gettext(
        "Join our volunteer team: %(project)s", project=view.project.title_in(context.lang)
    )
    share = f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(text, safe='')}"
    return [
        [{"text": context.gettext("📣 Share the join link"), "url": share}],
        [VIEW.button(context.gettext("👥 Who joined"), view.claim.id)],
    ]


async def claim_command(update: Update, context: BotContext, topic: str = "", page: int = 0) -> None:
    """/claim: a linked company liaison holds places for colleagues, choosing from buttons."""
    projects, more = await context.services.volunteer.teams.projects(sender_id(update), topic, page)
    chips = [
        PROJECTS.button(("✅ " if key == topic else "") + context.gettext(label), key, 0)
        for key, label in finder.TOPICS.items()
    ]
    rows: Buttons = [chips[i : i + 2] for i in range(0, len(chips), 2)]
    rows += [[PROJECT.button(finder.shorten(p.title_in(context.lang), 60), p.id)] for p in projects]
    nav = []
    if page > 0:
        nav.append(PROJECTS.button(context.gettext("‹ Back"), topic or "-", page - 1))
    if more:
        nav.append(PROJECTS.button(context.gettext("More ›"), topic or "-", page + 1))
    if nav:
        rows.append(nav)
    await context.reply(update, "volunteer/team_projects.html", rows, edit=update.callback_query is not None)


@router.on(PROJECTS)
async def projects(press: Press, context: BotContext) -> None:
    topic = press.str_arg(0)
    await press.answer()
    await claim_command(press.update, context, "" if topic == "-" else topic, max(0, press.int_arg(1)))


@router.on(PROJECT)
async def project(press: Press, context: BotContext) -> None:
    project, cards = await context.services.volunteer.teams.shifts(press.user_id, press.int_arg(0))
    await press.answer()
    rows = [
        [SHIFT.button(context.gettext("%(when)s · %(free)s of %(capacity)s left", when=when(context, c.shift.starts_at), free=c.free, capacity=c.shift.capacity), c.id)]
        for c in cards
    ]  # fmt: skip
    rows.append([ADOPT.button(context.gettext("🤝 Adopt the whole project (4 weeks)"), project.id)])
    rows.append([PROJECTS.button(context.gettext("« Projects"), project.topic, 0)])
    await context.reply(
        press.update, "volunteer/team_shifts.html", rows, edit=True, project=project, cards=cards
    )


@router.on(SHIFT, ADOPT)
async def places(press: Press, context: BotContext) -> None:
    kind = "s" if press.action == SHIFT.name else "p"
    card = (
        await context.services.volunteer.browse.card(press.user_id, press.int_arg(0)) if kind == "s" else None
    )
    await press.answer()
    rows = [[PLACES.button(str(n), kind, press.int_arg(0), n) for n in PLACE_CHOICES]]
    await context.reply(press.update, "volunteer/team_places.html", rows, edit=True, card=card)


@router.on(PLACES)
async def claimed(press: Press, context: BotContext) -> None:
    teams = context.services.volunteer.teams
    kind, target, count = press.str_arg(0), press.int_arg(1), press.int_arg(2)
    view = await (teams.claim if kind == "s" else teams.adopt)(press.user_id, target, count)
    await press.answer()
    await _show(press.update, context, view, edit=True)


async def _show(update: Update, context: BotContext, view: ClaimView, *, edit: bool = False) -> None:
    await context.reply(
        update,
        "volunteer/team_claimed.html",
        _claim_buttons(context, view),
        edit=edit,
        view=view,
        link=_link(context, view),
    )


async def my_teams_command(update: Update, context: BotContext) -> None:
    """/myteams: the liaison's claims, each with who joined and the link to share."""
    claims = await context.services.volunteer.teams.mine(sender_id(update))
    rows = [
        [VIEW.button(finder.shorten(f"{c.project.title_in(context.lang)} · {sum(len(s.members) for s in c.shifts)}/{sum(s.team.places for s in c.shifts)}", 60), c.claim.id)]
        for c in claims
    ]  # fmt: skip
    await context.reply(update, "volunteer/my_teams.html", rows, claims=claims)


@router.on(VIEW)
async def view(press: Press, context: BotContext) -> None:
    found = await context.services.volunteer.teams.view(press.user_id, press.int_arg(0))
    await press.answer()
    await _show(press.update, context, found)


async def join_link(update: Update, context: BotContext, code: str) -> None:
    """`/start vt-<code>` or `/jointeam <code>`: one date joins at once, several are offered as buttons."""
    view = await context.services.volunteer.teams.joinable(code) if len(code.strip()) == 8 else None
    open_shifts = [s for s in view.shifts if s.open_places] if view else []
    if view is not None and len(open_shifts) > 1:
        rows = [
            [JOIN_SHIFT.button(context.gettext("%(when)s · %(free)s of %(capacity)s left", when=when(context, s.card.shift.starts_at), free=s.open_places, capacity=s.team.places), view.claim.code, s.card.id)]
            for s in open_shifts[:8]
        ]  # fmt: skip
        await context.reply(update, "volunteer/team_join.html", rows, view=view)
        return
    result = await context.services.volunteer.teams.join(sender_id(update), code)
    await signed_up(update, context, result)


async def join_command(update: Update, context: BotContext) -> None:
    await join_link(update, context, context.args[0] if context.args else "")


@router.on(JOIN_SHIFT)
async def join_shift(press: Press, context: BotContext) -> None:
    result = await context.services.volunteer.teams.join(press.user_id, press.str_arg(0), press.int_arg(1))
    await press.answer()
    await signed_up(press.update, context, result)
