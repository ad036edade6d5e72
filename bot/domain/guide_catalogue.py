"""The service guide's catalogue: what an entry holds, and reading it from YAML with errors that
name the line and column.

Why walk YAML nodes instead of loading plain dicts: a catalogue is edited by station staff in a
text editor, and "entries[17].where.hours: missing 'fr'" is much less helpful than
"guide.yaml:412:7: hours has no 'fr' text". PyYAML's composed node tree keeps every value's
position, so each problem can point at the exact place. All problems are reported at once.

File shape (see bot/data/guide.yaml):

    places:                      # shared locations, referred to by key from entries
      station: {name: {zh, en, fr}, address: {zh, en, fr}, hours: {zh, en, fr}, lat: 31.2, lon: 121.4}
    entries:
      - id: party-transfer        # lower-case letters, digits and dashes, stable across imports
        audience: individual      # individual | enterprise | organisation
        kind: on-site             # on-site (a desk) | self-service (a machine or online) | online
        section: party            # where it is listed when browsing, as the station is organised
                                  # (SECTIONS; optional: defaults to the category)
        category: party           # the request category "Still need help" falls back on
        title / summary / eligible: {zh, en, fr}
        bring: {zh: [..], en: [..], fr: [..]}          # optional, list or single text
        duration: {zh, en, fr}    # how long it takes (optional)
        where: {place: station, floor: {zh, en, fr}, hours: {..}}   # hours default to the place's
        link: https://...         # optional; required for kind online (self-service: where or link)
        keywords: {zh: [..], en: [..], fr: [..]}       # optional synonyms people type
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.domain import safe_yaml
from bot.domain.links import button_url_problem
from bot.domain.requests import CATEGORIES  # a guide entry leads to one of the request categories
from bot.domain.text_safety import shown

LANGS = ("zh", "en", "fr")
AUDIENCES = ("individual", "enterprise", "organisation")
KINDS = ("on-site", "self-service", "online")
# How the station is organised (browsing): the request categories and two of its own areas, the
# social insurance and housing fund desk, and the self-service machines with the city portal.
SECTIONS = (
    "party", "machines", "gov", "tax", "registration", "insurance", "talent", "hr",
    "counselling", "community", "office", "other",
)  # fmt: skip
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
TEXT_MAX = 1000
MAX_ENTRIES = 5000
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Text:
    """One text in the three languages."""

    zh: str
    en: str
    fr: str

    def in_(self, lang: str) -> str:
        return getattr(self, lang) if lang in LANGS else self.zh

    def all(self) -> tuple[str, ...]:
        return (self.zh, self.en, self.fr)

    def to_json(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en, "fr": self.fr}


@dataclass(frozen=True)
class Texts:
    """A list of short texts per language (what to bring, search keywords)."""

    zh: tuple[str, ...] = ()
    en: tuple[str, ...] = ()
    fr: tuple[str, ...] = ()

    def in_(self, lang: str) -> tuple[str, ...]:
        return getattr(self, lang) if lang in LANGS else self.zh

    def all(self) -> tuple[str, ...]:
        return (*self.zh, *self.en, *self.fr)

    def to_json(self) -> dict[str, list[str]]:
        return {"zh": list(self.zh), "en": list(self.en), "fr": list(self.fr)}


@dataclass(frozen=True)
class Where:
    place: Text
    address: Text | None
    floor: Text | None
    hours: Text | None
    lat: float | None
    lon: float | None

    @property
    def has_map(self) -> bool:
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class Entry:
    id: str
    audience: str
    kind: str
    category: str
    title: Text
    summary: Text
    eligible: Text
    bring: Texts = field(default_factory=Texts)
    where: Where | None = None
    link: str | None = None
    keywords: Texts = field(default_factory=Texts)
    section: str = ""  # "" -> the category (files written before sections existed)
    duration: Text | None = None

    @property
    def shelf(self) -> str:
        """The section the entry is browsed under."""
        return self.section or (self.category if self.category in SECTIONS else "other")

    def to_json(self) -> dict[str, Any]:
        where = None
        if self.where:
            w = self.where
            where = {
                "place": w.place.to_json(),
                "address": w.address.to_json() if w.address else None,
                "floor": w.floor.to_json() if w.floor else None,
                "hours": w.hours.to_json() if w.hours else None,
                "lat": w.lat,
                "lon": w.lon,
            }
        return {
            "id": self.id,
            "audience": self.audience,
            "kind": self.kind,
            "category": self.category,
            "title": self.title.to_json(),
            "summary": self.summary.to_json(),
            "eligible": self.eligible.to_json(),
            "bring": self.bring.to_json(),
            "where": where,
            "link": self.link,
            "keywords": self.keywords.to_json(),
            "section": self.shelf,
            "duration": self.duration.to_json() if self.duration else None,
        }


def entry_from_json(data: dict[str, Any]) -> Entry:
    """The inverse of `Entry.to_json` (rows stored by the import, already validated)."""

    def text(d: dict[str, str]) -> Text:
        return Text(d["zh"], d["en"], d["fr"])

    def optional_text(d: dict[str, str] | None) -> Text | None:
        return text(d) if d else None

    def texts(d: dict[str, list[str]]) -> Texts:
        return Texts(tuple(d["zh"]), tuple(d["en"]), tuple(d["fr"]))

    w = data.get("where")
    where = (
        Where(
            text(w["place"]),
            optional_text(w["address"]),
            optional_text(w["floor"]),
            optional_text(w["hours"]),
            w["lat"],
            w["lon"],
        )
        if w
        else None
    )
    return Entry(
        id=data["id"],
        audience=data["audience"],
        kind=data["kind"],
        category=data["category"],
        title=text(data["title"]),
        summary=text(data["summary"]),
        eligible=text(data["eligible"]),
        bring=texts(data["bring"]),
        where=where,
        link=data.get("link"),
        keywords=texts(data["keywords"]),
        section=data.get("section") or "",
        duration=optional_text(data.get("duration")),
    )


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based, as editors count
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


class CatalogueError(ValueError):
    """The file cannot become the catalogue; nothing was changed. `problems` say where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


class _Reader:
    """Walks the node tree, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, node: Node, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            mark = node.start_mark
            self.problems.append(Problem(mark.line + 1, mark.column + 1, message))

    def mapping(self, node: Node, what: str, allowed: set[str], required: set[str]) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.fail(node, f"{what} must be a mapping of keys to values")
            return None
        result: dict[str, Node] = {}
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key not in allowed:
                self.fail(
                    key_node,
                    f"{what} has an unknown key {shown(key)} (allowed: {', '.join(sorted(allowed))})",
                )
            elif key in result:
                self.fail(key_node, f"{what} has {shown(key)} twice")
            else:
                result[key] = value
        for key in sorted(required - set(result)):
            self.fail(node, f"{what} is missing {shown(key)}")
        return result

    def string(self, node: Node, what: str, *, max_len: int = TEXT_MAX) -> str | None:
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            self.fail(node, f"{what} must be text")
            return None
        value = " ".join(node.value.split()) if "\n" not in node.value.strip() else node.value.strip()
        if not value:
            self.fail(node, f"{what} is empty")
            return None
        if len(value) > max_len:
            self.fail(node, f"{what} is longer than {max_len} characters")
            return None
        return value

    def choice(self, node: Node, what: str, options: tuple[str, ...]) -> str | None:
        value = self.string(node, what)
        if value is not None and value not in options:
            self.fail(node, f"{what} {shown(value)} is not one of: {', '.join(options)}")
            return None
        return value

    def number(self, node: Node, what: str, low: float, high: float) -> float | None:
        if not isinstance(node, ScalarNode) or node.tag not in (
            "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:int",
        ):
            self.fail(node, f"{what} must be a number")
            return None
        value = float(node.value)
        if not low <= value <= high:
            self.fail(node, f"{what} must be between {low} and {high}")
            return None
        return value

    def text(self, node: Node, what: str) -> Text | None:
        parts = self.mapping(node, what, set(LANGS), set(LANGS))
        if parts is None:
            return None
        values = {lang: self.string(parts[lang], f"{what} ({lang})") for lang in LANGS if lang in parts}
        zh, en, fr = (values.get(lang) for lang in LANGS)
        if zh is None or en is None or fr is None:
            return None
        return Text(zh, en, fr)

    def texts(self, node: Node, what: str) -> Texts | None:
        parts = self.mapping(node, what, set(LANGS), set(LANGS))
        if parts is None:
            return None
        out: dict[str, tuple[str, ...]] = {}
        for lang, value in parts.items():
            items = value.value if isinstance(value, SequenceNode) else [value]
            strings = [self.string(item, f"{what} ({lang})", max_len=200) for item in items]
            if not strings:
                self.fail(value, f"{what} ({lang}) is an empty list")
            out[lang] = tuple(s for s in strings if s is not None)
        if set(out) != set(LANGS):
            return None
        return Texts(out["zh"], out["en"], out["fr"])

    def link(self, node: Node, what: str) -> str | None:
        value = self.string(node, what, max_len=300)
        problem = button_url_problem(value, https_only=True) if value is not None else None
        if problem is not None:
            self.fail(node, f"{what} is not an https:// address Telegram accepts on a button ({problem})")
            return None
        return value


_PLACE_KEYS = {"name", "address", "hours", "lat", "lon"}
_WHERE_KEYS = {"place", "floor", "hours"}
_ENTRY_KEYS = {
    "id", "audience", "kind", "section", "category", "title", "summary", "eligible",
    "bring", "duration", "where", "link", "keywords",
}  # fmt: skip


def _places(r: _Reader, node: Node) -> dict[str, Where]:
    places: dict[str, Where] = {}
    if not isinstance(node, MappingNode):
        r.fail(node, "places must be a mapping of place keys to places")
        return places
    for key_node, value in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else ""
        fields = r.mapping(value, f"place {shown(key)}", _PLACE_KEYS, {"name"})
        if fields is None:
            continue
        name = r.text(fields["name"], f"place {shown(key)} name") if "name" in fields else None
        address = r.text(fields["address"], f"place {shown(key)} address") if "address" in fields else None
        hours = r.text(fields["hours"], f"place {shown(key)} hours") if "hours" in fields else None
        lat = r.number(fields["lat"], f"place {shown(key)} lat", -90, 90) if "lat" in fields else None
        lon = r.number(fields["lon"], f"place {shown(key)} lon", -180, 180) if "lon" in fields else None
        if ("lat" in fields) != ("lon" in fields):
            r.fail(value, f"place {shown(key)} needs both lat and lon, or neither")
        if name is not None:
            places[key] = Where(name, address, None, hours, lat, lon)
    return places


def _where(r: _Reader, node: Node, what: str, places: dict[str, Where]) -> Where | None:
    fields = r.mapping(node, what, _WHERE_KEYS, {"place"})
    if fields is None or "place" not in fields:
        return None
    key = r.string(fields["place"], f"{what} place")
    if key is None:
        return None
    if key not in places:
        r.fail(fields["place"], f"{what} place {shown(key)} is not defined under places")
        return None
    base = places[key]
    floor = r.text(fields["floor"], f"{what} floor") if "floor" in fields else None
    hours = r.text(fields["hours"], f"{what} hours") if "hours" in fields else base.hours
    if hours is None:
        r.fail(node, f"{what} has no opening hours (here or on place {shown(key)})")
    return Where(base.place, base.address, floor, hours, base.lat, base.lon)


def _entry(r: _Reader, node: Node, index: int, places: dict[str, Where]) -> Entry | None:
    what = f"entry {index + 1}"
    fields = r.mapping(
        node, what, _ENTRY_KEYS, {"id", "audience", "kind", "category", "title", "summary", "eligible"}
    )
    if fields is None:
        return None
    entry_id = r.string(fields["id"], f"{what} id") if "id" in fields else None
    if entry_id is not None and not ID_PATTERN.match(entry_id):
        r.fail(fields["id"], f"{what} id {shown(entry_id)}: use 2-40 lower-case letters, digits and dashes")
        entry_id = None
    if entry_id:
        what = f"entry {shown(entry_id)}"
    before = len(r.problems)
    audience = r.choice(fields["audience"], f"{what} audience", AUDIENCES) if "audience" in fields else None
    kind = r.choice(fields["kind"], f"{what} kind", KINDS) if "kind" in fields else None
    category = r.choice(fields["category"], f"{what} category", CATEGORIES) if "category" in fields else None
    section = r.choice(fields["section"], f"{what} section", SECTIONS) if "section" in fields else ""
    duration = r.text(fields["duration"], f"{what} duration") if "duration" in fields else None
    title = r.text(fields["title"], f"{what} title") if "title" in fields else None
    if title is not None and max(len(t) for t in title.all()) > 120:
        r.fail(fields["title"], f"{what} title is longer than 120 characters")
    summary = r.text(fields["summary"], f"{what} summary") if "summary" in fields else None
    eligible = r.text(fields["eligible"], f"{what} eligible") if "eligible" in fields else None
    bring = r.texts(fields["bring"], f"{what} bring") if "bring" in fields else Texts()
    keywords = r.texts(fields["keywords"], f"{what} keywords") if "keywords" in fields else Texts()
    where = _where(r, fields["where"], f"{what} where", places) if "where" in fields else None
    link = r.link(fields["link"], f"{what} link") if "link" in fields else None
    if kind == "on-site" and "where" not in fields:
        r.fail(node, f"{what} is on-site: say where (where: place, floor, hours)")
    if kind == "self-service" and "where" not in fields and "link" not in fields:
        r.fail(node, f"{what} is self-service: say where (a machine's place) or give its link")
    if kind == "online" and "link" not in fields:
        r.fail(node, f"{what} is online: give its link")
    if (
        len(r.problems) > before
        or entry_id is None
        or audience is None
        or kind is None
        or category is None
        or title is None
        or summary is None
        or eligible is None
    ):
        return None
    return Entry(
        id=entry_id,
        audience=audience,
        kind=kind,
        category=category,
        title=title,
        summary=summary,
        eligible=eligible,
        bring=bring or Texts(),
        where=where,
        link=link,
        keywords=keywords or Texts(),
        section=section or "",
        duration=duration,
    )


def parse_catalogue(source: str) -> list[Entry]:
    """YAML text -> entries in file order; raises CatalogueError listing every problem found."""
    try:
        root = safe_yaml.compose(source)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise CatalogueError([Problem(line, column, f"not valid YAML: {error.problem}")]) from None
    except yaml.YAMLError as error:
        raise CatalogueError([Problem(1, 1, f"not valid YAML: {error}")]) from None
    r = _Reader()
    if root is None:
        raise CatalogueError([Problem(1, 1, "the file is empty")])
    top = r.mapping(root, "the file", {"places", "entries"}, {"entries"})
    if top is None or "entries" not in top:
        raise CatalogueError(r.problems)
    places = _places(r, top["places"]) if "places" in top else {}
    entries_node = top["entries"]
    entries: list[Entry] = []
    if not isinstance(entries_node, SequenceNode) or not entries_node.value:
        r.fail(entries_node, "entries must be a non-empty list")
    elif len(entries_node.value) > MAX_ENTRIES:
        r.fail(entries_node, f"more than {MAX_ENTRIES} entries")
    else:
        seen: dict[str, Node] = {}
        for index, node in enumerate(entries_node.value):
            entry = _entry(r, node, index, places)
            if entry is None:
                continue
            if entry.id in seen:
                first = seen[entry.id].start_mark.line + 1
                r.fail(node, f"entry id {shown(entry.id)} is used twice (first on line {first})")
                continue
            seen[entry.id] = node
            entries.append(entry)
    if r.problems:
        raise CatalogueError(sorted(r.problems, key=lambda p: (p.line, p.column)))
    return entries
