"""The enterprise registry's CSV format: read a file as offices actually produce it, write it back.

Spreadsheets exported on a Chinese Windows desktop arrive in GBK with CRLF line ends; Excel's
"CSV UTF-8" adds a byte-order mark; a hand-edited file has a misspelt colour or a building that
does not exist. Parsing is pure and row by row: each bad row becomes a `Rejected` with its line
number and reason (for the operator's report), never an exception that stops the good rows.
Writing is left to the service, which applies all accepted rows in one transaction.

Columns (header names, any order; only key, name and building are required):
key, name, name_en, building, floor_unit, industry, headcount_band, lease_end, party_org, colour, notes
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.domain.risk import parse_colour
from bot.domain.text_safety import shown

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


@dataclass(frozen=True)
class Rejected:
    line: int
    key: str
    reason: str


@dataclass(frozen=True)
class Parsed:
    encoding: str
    rows: list[Row]
    rejected: list[Rejected]


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (no header, missing required columns, binary)."""


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> text: UTF-8 (with or without a BOM) first, then GB18030 (a superset of GBK/GB2312)."""
    if b"\x00" in data[:4096]:
        raise UnreadableFile("this looks like a binary file (an .xlsx?), not CSV: save it as CSV first")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"neither UTF-8 nor GBK text (byte {error.start})") from None


def _clean(value: str | None, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value[:limit] if value else None


def parse(data: bytes, buildings: dict[str, int]) -> Parsed:
    """Read a CSV file's bytes. `buildings` maps every accepted spelling (code, id, names) to an id.

    Keys are compared as given (trimmed); a key seen on an earlier line rejects the later line, so
    one file never says two things about one enterprise.
    """
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableFile("the file is empty") from None
    except csv.Error as error:
        raise UnreadableFile(f"line 1: {error}") from None
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise UnreadableFile(f"missing column(s): {', '.join(missing)} (header: {', '.join(names)})")
    index = {n: i for i, n in enumerate(names) if n in COLUMNS}
    lookup = {k.strip().casefold(): v for k, v in buildings.items()}

    rows: list[Row] = []
    rejected: list[Rejected] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    while True:
        start = line + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            rejected.append(Rejected(start, "", f"unreadable CSV: {error}"))
            line = reader.line_num
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # blank lines are not rows

        def get(column: str, record: list[str] = record) -> str:
            i = index.get(column)
            return record[i].strip() if i is not None and i < len(record) else ""

        key = get("key")
        row, reason = _row(start, key, get, lookup)
        if reason is None and key in seen:
            reason = f"duplicated key {shown(key)} (first on line {seen[key]})"
        if reason is not None:
            rejected.append(Rejected(start, key, reason))
            continue
        seen[key] = start
        assert row is not None
        rows.append(row)
    return Parsed(encoding, rows, rejected)


def _row(
    line: int, key: str, get: Callable[[str], str], lookup: dict[str, int]
) -> tuple[Row | None, str | None]:
    if not key:
        return None, "missing key"
    if len(key) > 64:
        return None, "key longer than 64 characters"
    name = _clean(get("name"))
    if not name:
        return None, "missing name"
    building_text = get("building")
    building_id = lookup.get(building_text.casefold())
    if building_id is None:
        return None, f"unknown building {shown(building_text)}" if building_text else "missing building"
    colour_text = get("colour")
    colour = parse_colour(colour_text) if colour_text else None
    if colour_text and colour is None:
        return None, f"unknown colour {shown(colour_text)} (green, blue, yellow, orange or red)"
    lease_text = get("lease_end")
    lease_end = None
    if lease_text:
        try:
            lease_end = date.fromisoformat(lease_text.replace("/", "-"))
        except ValueError:
            return None, f"lease_end {shown(lease_text)} is not a date (YYYY-MM-DD)"
    party_text = get("party_org").lower()
    if party_text not in PARTY_ORG:
        return None, f"party_org {shown(party_text)} is not own, joint or none"
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
            lease_end=lease_end,
            party_org=PARTY_ORG[party_text],
            colour=colour,
            notes=_clean(get("notes"), MAX_NOTES),
        ),
        None,
    )


def write(rows: list[dict[str, object]]) -> str:
    """The registry as CSV text in the import format (so an export re-imports unchanged)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in COLUMNS])
    return out.getvalue()
