# i18n-domain: volunteer
"""Printable PDFs of the volunteer feature: a certificate of hours served, a check-in QR poster.

Why PDF with reportlab, not a PNG with Pillow: a PNG needs a CJK font file to draw Chinese, and
none is on the machine (nor in any package we depend on). A PDF can name Adobe's standard CID
font "STSong-Light" without embedding it; every PDF reader (phones included) supplies a Song
typeface for it. Latin text (names, French accents) is set in Helvetica, so each run of text
uses the font that has its glyphs. Certificates and posters are also meant to be printed, which
is what PDF is for.
"""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING

import qrcode
from qrcode.image.pil import PilImage
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from bot.msgids import N_
from bot.render import BABEL_LOCALE

if TYPE_CHECKING:
    from bot.render import Renderer
    from bot.services.volunteer.checkin import Hours
    from bot.storage.shifts import Project

CJK = "STSong-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
_registered = False

STATION = N_("Jing'an Temple Sub-district Party-mass Service Station and Enterprise Service Center")


def _fonts() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))
        _registered = True


def _runs(text: str, bold: bool) -> list[tuple[str, str]]:
    """Split text into (font, run): WinAnsi-encodable characters in Helvetica, the rest in Song."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        try:
            ch.encode("cp1252")
            font = LATIN_BOLD if bold else LATIN
        except UnicodeEncodeError:
            font = CJK
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return runs


def _width(text: str, size: float, bold: bool = False) -> float:
    return sum(pdfmetrics.stringWidth(run, font, size) for font, run in _runs(text, bold))


def _fit(text: str, size: float, max_width: float, bold: bool = False) -> float:
    while size > 7 and _width(text, size, bold) > max_width:
        size -= 0.5
    return size


def _draw(
    c: canvas.Canvas, text: str, x: float, y: float, size: float, *, bold: bool = False, center: bool = True
) -> None:
    if center:
        x -= _width(text, size, bold) / 2
    for font, run in _runs(text, bold):
        c.setFont(font, size)
        c.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)


def _wrap(text: str, size: float, max_width: float) -> list[str]:
    """Greedy wrap that works for both spaced (Latin) and unspaced (Chinese) text."""
    lines: list[str] = []
    current = ""
    for token in _tokens(text):
        if current and _width(current + token, size) > max_width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ord(ch) > 0x2E80:  # CJK: every character may break
            if word:
                tokens.append(word)
                word = ""
            tokens.append(ch)
        elif ch == " ":
            tokens.append(word + " ")
            word = ""
        else:
            word += ch
    if word:
        tokens.append(word)
    return tokens


def _hours(value: float, lang: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.##", locale=BABEL_LOCALE.get(lang, "zh_Hans_CN"))


def certificate_pdf(hours: Hours, lang: str, renderer: Renderer, today: date) -> bytes:
    """One landscape A4 page: station, 'certificate', the name, hours, projects and the date."""
    from babel.dates import format_date

    _fonts()
    translate = renderer.gettext
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1)
    c.setTitle(translate(lang, N_("Volunteer service certificate")))
    c.setAuthor(translate(lang, STATION))
    c.setSubject(hours.name)
    c.setStrokeColorRGB(0.72, 0.11, 0.11)
    c.setLineWidth(4)
    c.rect(28, 28, width - 56, height - 56)
    c.setLineWidth(1)
    c.rect(38, 38, width - 76, height - 76)
    c.setFillColorRGB(0.72, 0.11, 0.11)
    _draw(c, translate(lang, N_("Volunteer service certificate")), width / 2, height - 110, 30, bold=True)
    c.setFillColorRGB(0, 0, 0)
    _draw(c, translate(lang, N_("This certifies that")), width / 2, height - 160, 14)
    _draw(c, hours.name, width / 2, height - 205, _fit(hours.name, 28, width - 160, True), bold=True)
    line = translate(
        lang,
        N_("has served %(hours)s hours as a volunteer (%(shifts)s shifts)"),
        hours=_hours(hours.total, lang),
        shifts=hours.shifts,
    )
    _draw(c, line, width / 2, height - 250, _fit(line, 16, width - 160))
    y = height - 295
    for title, h in hours.projects[:6]:
        text = translate(lang, N_("%(project)s: %(hours)s h"), project=title, hours=_hours(h, lang))
        _draw(c, text, width / 2, y, _fit(text, 12, width - 160))
        y -= 20
    station = translate(lang, STATION)
    _draw(c, station, width / 2, 110, _fit(station, 14, width - 160), bold=True)
    _draw(
        c, format_date(today, format="long", locale=BABEL_LOCALE.get(lang, "zh_Hans_CN")), width / 2, 85, 12
    )
    c.showPage()
    c.save()
    return buffer.getvalue()


def poster_pdf(project: Project, link: str, renderer: Renderer) -> bytes:
    """A printable A4 check-in poster: the project's titles in three languages and a big QR code."""
    _fonts()
    buffer = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(f"{project.title_in('en')} — check-in")
    c.setSubject(link)
    y = height - 80
    for lang in ("zh", "en", "fr"):
        title = project.title_in(lang)
        size = _fit(title, 22 if lang == "zh" else 16, width - 80, True)
        _draw(c, title, width / 2, y, size, bold=True)
        y -= size + 12
    image = qrcode.make(link, image_factory=PilImage, box_size=12, border=2)
    png = io.BytesIO()
    image.save(png, format="PNG")
    png.seek(0)
    side = 340
    c.drawImage(ImageReader(png), (width - side) / 2, y - side - 10, side, side)
    y -= side + 50
    for lang in ("zh", "en", "fr"):
        text = renderer.gettext(lang, N_("Volunteers: scan with your phone camera to check in."))
        _draw(c, text, width / 2, y, _fit(text, 14, width - 80))
        y -= 24
    place = project.place_in("zh")
    _draw(c, place, width / 2, y - 10, _fit(place, 12, width - 80))
    _draw(c, link, width / 2, 50, 9)
    c.showPage()
    c.save()
    return buffer.getvalue()
