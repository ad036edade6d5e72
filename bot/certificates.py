# i18n-domain: volunteer
"""Volunteer certificates (a PDF to print, a PNG to share where people share pictures) and
check-in posters of a shift.

Why an embedded font: a PDF that only names a Chinese font (the Adobe CID font STSong-Light we
used before) shows empty boxes on a reader without one. Every text here is set in WenQuanYi Micro
Hei, a TrueType-outline CJK font with Latin and French accents, shipped as a pinned wheel
(paperang-p2-fonts-cjk); reportlab embeds the subset of glyphs a document uses (it cannot embed
the CFF outlines of Noto CJK's OTF files), and Pillow draws the PNG with the same file, so neither
depends on the machine's fonts.

Every word comes from templates/volunteer/certificate.html (plurals by ngettext, numbers and
dates by Babel in the person's language): one line of it per line drawn.
"""

from __future__ import annotations

import html
import io
from datetime import date
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.image.pil import PilImage
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from bot.msgids import N_

if TYPE_CHECKING:
    from bot.render import Renderer
    from bot.services.volunteer.hours import Hours
    from bot.storage.shifts import Project, Shift

FONT = "WenQuanYiMicroHei"
RED = (0.72, 0.11, 0.11)


@cache
def font_path() -> str:
    return str(files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc")


@cache
def _register() -> None:
    pdfmetrics.registerFont(TTFont(FONT, font_path(), subfontIndex=0))


def certificate_lines(
    hours: Hours, lang: str, renderer: Renderer, today: date, serial: str, link: str
) -> list[str]:
    """The certificate's text, line by line, in the person's language (plain text)."""
    from babel.dates import format_date

    from bot.render import BABEL_LOCALE

    text = renderer.render(
        lang, "volunteer/certificate.html", hours=hours, name=" ".join(hours.name.split()), serial=serial,
        link=link, limit_projects=6, day=format_date(today, format="long", locale=BABEL_LOCALE[renderer.language(lang)]),
    )  # fmt: skip
    return [html.unescape(line) for line in text.split("\n")]


def _qr(link: str) -> Image.Image:
    image = qrcode.make(link, image_factory=PilImage, box_size=8, border=1)
    return image.get_image().convert("RGB")


def _fit(text: str, size: float, max_width: float) -> float:
    while size > 7 and pdfmetrics.stringWidth(text, FONT, size) > max_width:
        size -= 0.5
    return size


# The layout, shared by the PDF (points, from the bottom) and the PNG (pixels, from the top):
# (line index, font size, red?) in the order of templates/volunteer/certificate.html.
_TITLE, _INTRO, _NAME, _SERVED, _PROJECTS = 0, 1, 2, 3, 4


def certificate_pdf(
    hours: Hours, lang: str, renderer: Renderer, today: date, serial: str, link: str
) -> bytes:
    """One landscape A4 page with the font embedded (subset), the serial and a QR code to verify."""
    _register()
    lines = certificate_lines(hours, lang, renderer, today, serial, link)
    title, intro, name, served, *rest = lines
    projects, (station, day, serial_line, verify_line) = rest[:-4], rest[-4:]
    buffer = io.BytesIO()
    width, height = landscape(A4)
    c = canvas.Canvas(buffer, pagesize=(width, height), pageCompression=1, initialFontName=FONT)  # type: ignore[arg-type]  # types-reportlab says float; reportlab takes the font's name
    c.setTitle(title)
    c.setAuthor(station)
    c.setSubject(f"{hours.name} · {serial}")
    c.setStrokeColorRGB(*RED)
    c.setLineWidth(4)
    c.rect(28, 28, width - 56, height - 56)
    c.setLineWidth(1)
    c.rect(38, 38, width - 76, height - 76)

    def centred(text: str, y: float, size: float, red: bool = False) -> None:
        c.setFillColorRGB(*(RED if red else (0, 0, 0)))
        size = _fit(text, size, width - 170)
        c.setFont(FONT, size)
        c.drawCentredString(width / 2, y, text)

    centred(title, height - 105, 30, red=True)
    centred(intro, height - 150, 14)
    centred(name, height - 195, 28)
    centred(served, height - 238, 16)
    y = height - 275
    for line in projects:
        centred(line, y, 12)
        y -= 19
    centred(station, 118, 14)
    centred(day, 96, 12)
    c.setFont(FONT, 9)
    c.setFillColorRGB(0.25, 0.25, 0.25)
    c.drawString(60, 70, serial_line)
    c.drawString(60, 58, verify_line)
    c.drawImage(ImageReader(_qr(link)), width - 140, 50, 80, 80)
    c.showPage()
    c.save()
    return buffer.getvalue()


def certificate_png(
    hours: Hours, lang: str, renderer: Renderer, today: date, serial: str, link: str
) -> bytes:
    """The same certificate as a picture (1200 x 850) to share in a chat or a Moments post."""
    lines = certificate_lines(hours, lang, renderer, today, serial, link)
    title, intro, name, served, *rest = lines
    projects, (station, day, serial_line, verify_line) = rest[:-4], rest[-4:]
    width, height = 1200, 850
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    red = tuple(round(v * 255) for v in RED)
    draw.rectangle((20, 20, width - 20, height - 20), outline=red, width=8)
    draw.rectangle((34, 34, width - 34, height - 34), outline=red, width=2)

    def centred(text: str, y: int, size: int, colour: str | tuple[int, ...] = "black") -> None:
        while size > 10:
            face = ImageFont.truetype(font_path(), size, index=0)
            if draw.textlength(text, font=face) <= width - 140:
                break
            size -= 1
        draw.text((width / 2, y), text, font=face, fill=colour, anchor="mm")

    centred(title, 120, 56, red)
    centred(intro, 205, 26)
    centred(name, 275, 52)
    centred(served, 345, 30)
    y = 400
    for line in projects:
        centred(line, y, 22)
        y += 34
    centred(station, 680, 26)
    centred(day, 720, 22)
    small = ImageFont.truetype(font_path(), 16, index=0)
    draw.text((70, 770), serial_line, font=small, fill=(64, 64, 64))
    draw.text((70, 795), verify_line, font=small, fill=(64, 64, 64))
    image.paste(_qr(link).resize((130, 130)), (width - 190, height - 190))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def poster_pdf(project: Project, shift: Shift, when: str, code: str, link: str, renderer: Renderer) -> bytes:
    """A printable A4 check-in poster of ONE shift: its QR code works only in that shift's window."""
    _register()
    buffer = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=FONT)  # type: ignore[arg-type]  # types-reportlab says float; reportlab takes the font's name
    c.setTitle(f"{project.title_in('en')} — check-in {when}")
    c.setSubject(link)
    y = height - 80
    for lang in ("zh", "en", "fr"):
        title = project.title_in(lang)
        size = _fit(title, 22 if lang == "zh" else 16, width - 80)
        c.setFont(FONT, size)
        c.drawCentredString(width / 2, y, title)
        y -= size + 12
    c.setFont(FONT, 18)
    c.drawCentredString(width / 2, y - 6, when)
    y -= 30
    side = 320
    c.drawImage(ImageReader(_qr(link)), (width - side) / 2, y - side - 10, side, side)
    y -= side + 50
    for lang in ("zh", "en", "fr"):
        text = renderer.gettext(
            lang, N_("Volunteers: scan with your phone camera to check in (only during this shift).")
        )
        size = _fit(text, 13, width - 80)
        c.setFont(FONT, size)
        c.drawCentredString(width / 2, y, text)
        y -= 22
    c.setFont(FONT, 16)
    c.drawCentredString(width / 2, y - 10, code)
    c.setFont(FONT, 9)
    c.drawCentredString(width / 2, 50, link)
    c.showPage()
    c.save()
    return buffer.getvalue()


def qr_png(link: str) -> bytes:
    """A QR code of a link as a PNG (the check-in code on the organiser's screen)."""
    out = io.BytesIO()
    _qr(link).resize((480, 480), Image.Resampling.NEAREST).save(out, format="PNG")
    return out.getvalue()
