# i18n-domain: enterprises
"""The enterprise registry's CSV format: read a file as offices actually produce it, write it back.

Spreadsheets exported on a Chinese Windows desktop arrive in GBK with CRLF line ends; Excel's
"CSV UTF-8" adds a byte-order mark; a hand-edited file has a misspelt colour or a building that
does not exist. Parsing is pure and row by row: each bad row becomes a `Rejected` with its line
number and reason (for the administrator's report), never an exception that stops the good rows.

What is refused as a whole (`UnreadableFile`), because guessing would write garbage: a file
that is neither UTF-8 nor plausibly Chinese GBK (a Big5 or Shift-JIS file decodes as GB18030
without an error, into nonsense), a binary file (an .xlsx), and a file cut off in its last row.

Keys are compared trimmed and case-insensitively (`M-9` and `m-9` are one enterprise). Messages
are msgids with their values, shown in the reader's language (the Telegram report and the
command line render the same ones); `str()` of a problem is its English text.

Columns (header names, any order; only key, name and building are required):
key, name, name_en, building, floor_unit, industry, headcount_band, lease_end, party_org, colour,
notes, colour_date (when the file's colour was true: a colour staff set after it is kept)
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.risk import parse_colour
from bot.domain.spreadsheet import neutralise, restore
from bot.domain.text_safety import SHOWN_MAX
from bot.msgids import N_

COLUMNS = (
    "key",
    "name",
    "name_en",
    "building",
    "floor_unit",
    "industry",
    "headcount_band",
    "lease_end",
    "party_org",
    "colour",
    "notes",
    "colour_date",
)
REQUIRED = ("key", "name", "building")
PARTY_ORG = {
    "own": "own",
    "joint": "joint",
    "none": "none",
    "独立": "own",
    "独立党组织": "own",
    "联合": "joint",
    "联合党组织": "joint",
    "无": "none",
    "": None,
}
MAX_TEXT = 200
MAX_NOTES = 1000
MAX_KEY = 64

# The industries of the registry, as staff read them on the card (other codes are shown as is).
INDUSTRY_LABELS = {
    "tech": N_("Technology"),
    "finance": N_("Finance"),
    "design": N_("Design"),
    "consulting": N_("Consulting"),
    "legal": N_("Legal services"),
    "hr": N_("Human resources"),
    "media": N_("Media"),
    "retail": N_("Retail"),
    "trade": N_("Trade"),
    "health": N_("Health"),
    "education": N_("Education"),
    "logistics": N_("Logistics"),
}

# Why a whole file is refused.
BINARY = N_(
    "This is a spreadsheet or another binary file, not CSV text: save it as “CSV UTF-8” and send it again."
)
UTF16 = N_("This file is UTF-16 text (Excel's “Unicode text”): save it as “CSV UTF-8” and send it again.")
WRONG_ENCODING = N_(
    "This file is neither UTF-8 nor GBK text; it looks like %(encoding)s. Nothing was imported: save it as “CSV UTF-8” and send it again."
)
UNKNOWN_ENCODING = N_(
    "This file is neither UTF-8 nor GBK text, and its encoding cannot be recognised. Nothing was imported: save it as “CSV UTF-8” and send it again."
)
EMPTY = N_("The file is empty.")
MISSING_COLUMNS = N_("Missing column(s): %(columns)s (the header has: %(header)s).")
BAD_HEADER = N_("The first line (the header) cannot be read as CSV.")
CUT_QUOTE = N_(
    "The file ends inside a quoted field opened on line %(line)s: it looks cut off. Nothing was imported: send the complete file."
)
CUT_ROW = N_(
    "The last line (%(line)s) has only %(found)s of %(expected)s columns and no line end: the file looks cut off. Nothing was imported: send the complete file."
)

# Why one row is rejected.
MISSING_KEY = N_("missing key")
LONG_KEY = N_("key longer than %(max)s characters")
MISSING_NAME = N_("missing name")
MISSING_BUILDING = N_("missing building")
UNKNOWN_BUILDING = N_("unknown building “%(value)s”")
UNKNOWN_COLOUR = N_("unknown colour “%(value)s” (green, blue, yellow, orange or red)")
BAD_LEASE = N_("lease_end “%(value)s” is not a date (YYYY-MM-DD)")
BAD_COLOUR_DATE = N_("colour_date “%(value)s” is not a date (YYYY-MM-DD)")
BAD_PARTY = N_("party_org “%(value)s” is not own, joint or none")
DUPLICATE = N_("the key “%(key)s” is already on line %(line)s (keys ignore case and spaces)")
BAD_LINE = N_("this line cannot be read as CSV (a quote in the wrong place?)")


def _english(msgid: str, params: Mapping[str, object]) -> str:
    return msgid % dict(params) if params else msgid


@dataclass(frozen=True)
class Row:
    line: int
    key: str
    name: str
    name_en: str | None
    building_id: int
    floor_unit: str | None
    industry: str | None
    headcount_band: str | None
    lease_end: date | None
    party_org: str | None
    colour: str | None  # None: keep the current colour (blue for a new enterprise)
    notes: str | None
    colour_date: date | None = None  # when the file's colour was true (None: not said)

    @property
    def folded_key(self) -> str:
        return fold_key(self.key)


@dataclass(frozen=True)
class Rejected:
    line: int
    key: str
    msgid: str
    params: dict[str, object] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The reason in English (the command line and logs; people read `msgid` translated)."""
        return _english(self.msgid, self.params)


@dataclass(frozen=True)
class Parsed:
    encoding: str
    rows: list[Row]
    rejected: list[Rejected]
    dated: bool  # the file has a colour_date column


class UnreadableFile(ValueError):
    """The file as a whole cannot be read: nothing is imported. `msgid` and `params` say why."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(_english(msgid, params))
        self.msgid = msgid
        self.params = params


def fold_key(key: str) -> str:
    """How keys are compared: trimmed, inner spaces collapsed, case ignored."""
    return " ".join(key.split()).casefold()


# --------------------------------------------------------------------------- decoding

# CJK punctuation and the full-width forms a Chinese spreadsheet is full of.
_CJK_PUNCTUATION = frozenset("（）、，。：；“”‘’《》〈〉【】！？·—…　￥")


def _common_chinese(char: str) -> bool:
    """A character every Chinese office file is made of: a GB2312 hanzi, CJK punctuation, full width."""
    if "\u4e00" <= char <= "\u9fff":
        try:
            char.encode("gb2312")
        except UnicodeEncodeError:
            return False
        return True
    return char in _CJK_PUNCTUATION or "\uff01" <= char <= "\uff5e"


def plausibly_chinese(text: str, sample: int = 20000) -> bool:
    """Whether GB18030-decoded text reads as Chinese rather than as another encoding's debris.

    A Big5 file decoded as GB18030 raises no error but turns into kana, Greek letters and rare
    hanzi ("台北辦公室" -> "快そΤそ"); genuine GBK text is almost all common hanzi and
    punctuation. Names may hold a few rare characters (堃, 喆), hence a share, not "all".
    """
    wide = [c for c in text if ord(c) > 0x7F][:sample]
    if not wide:
        return True
    common = sum(1 for c in wide if _common_chinese(c))
    return common / len(wide) >= 0.8


_ENCODING_NAMES = {
    "big5": "Big5",
    "big5hkscs": "Big5-HKSCS",
    "cp950": "Big5",
    "shift_jis": "Shift_JIS",
    "cp932": "Shift_JIS",
    "euc_jp": "EUC-JP",
    "euc_kr": "EUC-KR",
    "cp949": "EUC-KR",
    "iso2022_jp": "ISO-2022-JP",
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16",
    "utf_16_be": "UTF-16",
    "utf_32": "UTF-32",
    "cp1252": "Windows-1252",
    "latin_1": "ISO-8859-1",
    "cp1251": "Windows-1251",
    "koi8_r": "KOI8-R",
    "mac_roman": "Mac Roman",
}


def likely_encoding(data: bytes) -> str | None:
    """The encoding a file that is neither UTF-8 nor GBK most likely has (charset-normalizer)."""
    from charset_normalizer import from_bytes

    for match in from_bytes(data[:65536]):
        name = match.encoding.lower()
        if name in ("gb18030", "gbk", "gb2312", "utf_8", "ascii"):
            continue
        return _ENCODING_NAMES.get(name, name.replace("_", "-").upper())
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, "utf-8" | "gbk"), or UnreadableFile saying what the file probably is.

    UTF-8 with or without a BOM; else GB18030 (a superset of GBK and GB2312) only when it decodes
    without replacement and reads as Chinese.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(UTF16)
    if b"\x00" in data[:4096]:
        raise UnreadableFile(BINARY)
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if body is data:  # a BOM promises UTF-8: never fall back to GBK behind it
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = None
        if text is not None and plausibly_chinese(text):
            return text, "gbk"
    name = likely_encoding(data)
    if name is None:
        raise UnreadableFile(UNKNOWN_ENCODING)
    raise UnreadableFile(WRONG_ENCODING, encoding=name)


# --------------------------------------------------------------------------- parsing


def _clean(value: str | None, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value[:limit] if value else None


def _date(text: str) -> date:
    """YYYY-MM-DD (or with slashes), or a full ISO timestamp whose date is taken."""
    text = text.replace("/", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        return datetime.fromisoformat(text).date()


def parse(data: bytes, buildings: dict[str, int]) -> Parsed:
    """Read a CSV file's bytes. `buildings` maps every accepted spelling (code, id, names) to an id.

    A key seen on an earlier line (ignoring case) rejects the later line, so one file never says
    two things about one enterprise.
    """
    text, encoding = decode(data)
    source = io.StringIO(text, newline="")
    reader = csv.reader(source, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableFile(EMPTY) from None
    except csv.Error:
        raise UnreadableFile(BAD_HEADER) from None
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise UnreadableFile(MISSING_COLUMNS, columns=", ".join(missing), header=", ".join(names)[:300])
    index = {n: i for i, n in enumerate(names) if n in COLUMNS}
    lookup = {k.strip().casefold(): v for k, v in buildings.items()}
    ends_with_newline = text.endswith(("\n", "\r"))

    rows: list[Row] = []
    rejected: list[Rejected] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    width = len(header)
    while True:
        start = line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            line = reader.line_num
            if str(error).startswith("unexpected end of data"):
                raise UnreadableFile(CUT_QUOTE, line=start) from None
            rejected.append(Rejected(start, "", BAD_LINE))
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # blank lines are not rows
        if len(record) < width and not ends_with_newline and source.tell() >= len(text):
            raise UnreadableFile(CUT_ROW, line=start, found=len(record), expected=width)
        width = len(record)

        def get(column: str, record: list[str] = record) -> str:
            i = index.get(column)
            return restore(record[i].strip()) if i is not None and i < len(record) else ""

        key = " ".join(get("key").split())
        row, problem = _row(start, key, get, lookup)
        folded = fold_key(key)
        if problem is None and folded in seen:
            problem = (DUPLICATE, {"key": key[:SHOWN_MAX], "line": seen[folded]})
        if problem is not None:
            rejected.append(Rejected(start, key, problem[0], problem[1]))
            continue
        seen[folded] = start
        assert row is not None
        rows.append(row)
    return Parsed(encoding, rows, rejected, "colour_date" in index)


Problem = tuple[str, dict[str, object]]


def _row(
    line: int, key: str, get: Callable[[str], str], lookup: dict[str, int]
) -> tuple[Row | None, Problem | None]:
    if not key:
        return None, (MISSING_KEY, {})
    if len(key) > MAX_KEY:
        return None, (LONG_KEY, {"max": MAX_KEY})
    name = _clean(get("name"))
    if not name:
        return None, (MISSING_NAME, {})
    building_text = get("building")
    building_id = lookup.get(building_text.casefold())
    if building_id is None:
        if not building_text:
            return None, (MISSING_BUILDING, {})
        return None, (UNKNOWN_BUILDING, {"value": building_text[:40]})
    colour_text = get("colour")
    colour = parse_colour(colour_text) if colour_text else None
    if colour_text and colour is None:
        return None, (UNKNOWN_COLOUR, {"value": colour_text[:40]})
    dates: dict[str, date | None] = {}
    for column, problem in (("lease_end", BAD_LEASE), ("colour_date", BAD_COLOUR_DATE)):
        value = get(column)
        try:
            dates[column] = _date(value) if value else None
        except ValueError:
            return None, (problem, {"value": value[:40]})
    party_text = get("party_org").lower()
    if party_text not in PARTY_ORG:
        return None, (BAD_PARTY, {"value": party_text[:40]})
    return (
        Row(
            line=line,
            key=key,
            name=name,
            name_en=_clean(get("name_en")),
            building_id=building_id,
            floor_unit=_clean(get("floor_unit"), 40),
            industry=_clean(get("industry"), 60),
            headcount_band=_clean(get("headcount_band"), 20),
            lease_end=dates["lease_end"],
            party_org=PARTY_ORG[party_text],
            colour=colour,
            notes=_clean(get("notes"), MAX_NOTES),
            colour_date=dates["colour_date"],
        ),
        None,
    )


# --------------------------------------------------------------------------- writing


def write(rows: list[dict[str, object]]) -> str:
    """The registry as CSV text in the import format (so an export re-imports unchanged).

    Every cell is formula-safe: text that a spreadsheet would run (=, +, -, @, tab, CR) is
    prefixed with a quote, which the import removes again.
    """
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralise("" if row.get(c) is None else str(row.get(c))) for c in COLUMNS])
    return out.getvalue()
