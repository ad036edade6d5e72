"""The volunteer projects file (YAML) -> validated project specs, with line-precise errors.

Why compose-then-validate instead of `yaml.safe_load`: the composed node tree keeps each value's
line (`start_mark`), so an administrator reads "line 14: capacity must be at least 1" instead of
a traceback, and raw scalars keep their text (YAML 1.1 would turn an unquoted 06:00 into 360).

Pure module: the caller passes `now` and the zone; nothing is written. Every problem in the file
is collected, so one run shows them all; any problem means nothing is imported.

Format (see bot/data/projects.yaml)::

    projects:
      - key: hospital-guide          # stable; also the organiser role's scope
        title: {zh: ..., en: ..., fr: ...}
        description: {zh: ..., en: ..., fr: ...}
        requirements: {zh: ..., en: ..., fr: ...}   # optional
        place: {zh: ..., en: ..., fr: ...}
        topic: hospital                   # one of domain/finder.TOPICS (the /volunteer topic menu)
        address: {zh: 乌鲁木齐中路12号, en: 12 Middle Urumqi Road, fr: 12, rue Urumqi centre}  # or one text
        location: [31.2165, 121.4436]   # latitude, longitude
        radius_m: 300                     # optional, for location check-in
        building: GOHIGH                  # optional: "near which building" (a building code)
        slot: early                       # early | lunch | evening | weekend
        capacity: 8
        reminders: ["eve 20:00", "60m"]
        weeks_ahead: 4
        schedules:
          - {days: weekdays, start: "06:00", end: "07:00", capacity: 8, skip: [2027-01-01]}
        shifts:                           # optional one-offs
          - {date: 2026-12-05, start: "08:00", end: "09:00", capacity: 20}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo

import yaml

from bot.domain import safe_yaml
from bot.domain.capacity import CapacityError, check_capacity
from bot.domain.finder import TOPICS
from bot.domain.shifts import Reminder, ShiftError, local_slot, parse_reminder, parse_weekdays
from bot.domain.text_safety import shown

LANGS = ("zh", "en", "fr")
SLOTS = ("early", "lunch", "evening", "weekend")
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_WEEKS = 26


@dataclass(frozen=True)
class ScheduleSpec:
    weekdays: frozenset[int]
    start: time
    end: time
    capacity: int
    first_day: date
    last_day: date | None
    skip: frozenset[date]


@dataclass(frozen=True)
class OneOffSpec:
    day: date
    start: time
    end: time
    capacity: int


@dataclass(frozen=True)
class ProjectSpec:
    key: str
    kind: str
    title: dict[str, str]
    description: dict[str, str]
    requirements: dict[str, str]
    place: dict[str, str]
    address: str
    latitude: float | None
    longitude: float | None
    radius_m: int
    building: str | None
    slot: str
    capacity: int
    reminders: tuple[Reminder, ...]
    weeks_ahead: int
    schedules: tuple[ScheduleSpec, ...] = ()
    one_offs: tuple[OneOffSpec, ...] = field(default_factory=tuple)
    line: int = 0
    topic: str = "community"
    addresses: dict[str, str] = field(default_factory=dict)  # en and fr beside `address` (Chinese)


class ProjectFileError(ValueError):
    """Every problem found, each as 'line N: ...' (in file order)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[int, str]] = []

    def add(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.items.append((line, f"line {line}: {message}"))


def _map(node: yaml.Node, problems: _Problems, what: str) -> dict[str, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        problems.add(node, f"{what} must be a mapping (key: value)")
        return None
    out: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key in out:
            problems.add(key_node, f"'{key}' appears twice")
        out[key] = value_node
    return out


def _scalar(node: yaml.Node | None, problems: _Problems, what: str, parent: yaml.Node) -> str | None:
    if node is None:
        problems.add(parent, f"'{what}' is missing")
        return None
    if not isinstance(node, yaml.ScalarNode):
        problems.add(node, f"'{what}' must be a single value")
        return None
    return str(node.value).strip()


def _int(
    node: yaml.Node | None, problems: _Problems, what: str, parent: yaml.Node, low: int, high: int
) -> int | None:
    text = _scalar(node, problems, what, parent)
    if text is None:
        return None
    if not re.fullmatch(r"-?\d+", text):
        problems.add(node, f"'{what}' must be a whole number, not {shown(text)}")
        return None
    value = int(text)
    if not low <= value <= high:
        problems.add(node, f"'{what}' must be between {low} and {high}, not {value}")
        return None
    return value


def _capacity(
    node: yaml.Node | None, problems: _Problems, parent: yaml.Node, default: int | None
) -> int | None:
    if node is None and default is not None:
        return default
    text = _scalar(node, problems, "capacity", parent)
    if text is None:
        return None
    try:
        value = int(text) if re.fullmatch(r"-?\d+", text) else text
        check_capacity(value)
    except CapacityError as error:
        problems.add(node, f"capacity {shown(text)}: {error}")
        return None
    return int(value)


def _time(node: yaml.Node | None, problems: _Problems, what: str, parent: yaml.Node) -> time | None:
    text = _scalar(node, problems, what, parent)
    if text is None:
        return None
    match = TIME.match(text)
    if not match:
        problems.add(node, f"'{what}' must be a time like 06:00, not {shown(text)}")
        return None
    return time(int(match.group(1)), int(match.group(2)))


def _date(node: yaml.Node | None, problems: _Problems, what: str, parent: yaml.Node) -> date | None:
    text = _scalar(node, problems, what, parent)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.add(node, f"'{what}' must be a date like 2026-12-05, not {shown(text)}")
        return None


def _reminder(node: yaml.Node) -> Reminder | None:
    """One item of 'reminders' ("eve 20:00", "60m"), or None when it is not one (a list, a typo)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        return parse_reminder(str(node.value))
    except ShiftError:
        return None


def _languages(
    node: yaml.Node | None, problems: _Problems, what: str, parent: yaml.Node, required: bool
) -> dict[str, str]:
    empty = dict.fromkeys(LANGS, "")
    if node is None:
        if required:
            problems.add(parent, f"'{what}' is missing (give zh, en and fr)")
        return empty
    values = _map(node, problems, what)
    if values is None:
        return empty
    out = {}
    for lang in LANGS:
        text = (
            _scalar(values.get(lang), problems, f"{what}.{lang}", node) if lang in values or required else ""
        )
        if required and not text:
            if lang in values:
                problems.add(values[lang], f"'{what}.{lang}' is empty")
        out[lang] = text or ""
    for extra in set(values) - set(LANGS):
        problems.add(values[extra], f"'{what}' has an unknown language '{extra}' (use zh, en, fr)")
    return out


def _check_slot(day: date, start: time, end: time, tz: tzinfo, problems: _Problems, node: yaml.Node) -> bool:
    try:
        local_slot(day, start, end, tz)
    except ShiftError as error:
        if error.code == "ends_before_start":
            problems.add(node, f"the shift ends ({end:%H:%M}) before it starts ({start:%H:%M})")
        else:
            problems.add(node, f"the shift is too long ({start:%H:%M}-{end:%H:%M})")
        return False
    return True


def _schedule(
    node: yaml.Node, problems: _Problems, default_capacity: int | None, today: date, tz: tzinfo
) -> ScheduleSpec | None:
    values = _map(node, problems, "a schedule")
    if values is None:
        return None
    days_text = _scalar(values.get("days"), problems, "days", node)
    weekdays = None
    if days_text is not None:
        try:
            weekdays = parse_weekdays(days_text)
        except ShiftError:
            problems.add(
                values["days"],
                f"'days' must be weekdays, weekends, daily or e.g. tue,thu; not {shown(days_text)}",
            )
    start = _time(values.get("start"), problems, "start", node)
    end = _time(values.get("end"), problems, "end", node)
    capacity = _capacity(values.get("capacity"), problems, node, default_capacity)
    first = _date(values["from"], problems, "from", node) if "from" in values else today
    last = _date(values["until"], problems, "until", node) if "until" in values else None
    if last is not None and last < today:
        problems.add(values["until"], f"'until' {last.isoformat()} is in the past")
    if first is not None and last is not None and last < first:
        problems.add(values["until"], "'until' is before 'from'")
    skip: set[date] = set()
    skip_node = values.get("skip")
    if skip_node is not None:
        if not isinstance(skip_node, yaml.SequenceNode):
            problems.add(skip_node, "'skip' must be a list of dates")
        else:
            for item in skip_node.value:
                day = _date(item, problems, "skip", skip_node)
                if day is not None:
                    skip.add(day)
    for unknown in set(values) - {"days", "start", "end", "capacity", "from", "until", "skip"}:
        problems.add(values[unknown], f"unknown schedule field '{unknown}'")
    if start is not None and end is not None and not _check_slot(today, start, end, tz, problems, node):
        return None
    if weekdays is None or start is None or end is None or capacity is None or first is None:
        return None
    return ScheduleSpec(weekdays, start, end, capacity, max(first, today), last, frozenset(skip))


def _one_off(
    node: yaml.Node, problems: _Problems, default_capacity: int | None, now: datetime, tz: tzinfo
) -> OneOffSpec | None:
    values = _map(node, problems, "a shift")
    if values is None:
        return None
    day = _date(values.get("date"), problems, "date", node)
    start = _time(values.get("start"), problems, "start", node)
    end = _time(values.get("end"), problems, "end", node)
    capacity = _capacity(values.get("capacity"), problems, node, default_capacity)
    for unknown in set(values) - {"date", "start", "end", "capacity"}:
        problems.add(values[unknown], f"unknown shift field '{unknown}'")
    if day is None or start is None or end is None or capacity is None:
        return None
    if not _check_slot(day, start, end, tz, problems, node):
        return None
    starts, _ = local_slot(day, start, end, tz)
    if starts <= now:
        problems.add(values["date"], f"the shift on {day.isoformat()} at {start:%H:%M} is in the past")
        return None
    return OneOffSpec(day, start, end, capacity)


PROJECT_FIELDS = {
    "key", "kind", "title", "description", "requirements", "place", "address", "location", "radius_m",
    "building", "slot", "capacity", "reminders", "weeks_ahead", "schedules", "shifts", "topic",
}  # fmt: skip


def _project(
    node: yaml.Node, problems: _Problems, now: datetime, tz: tzinfo, keys: set[str]
) -> ProjectSpec | None:
    values = _map(node, problems, "a project")
    if values is None:
        return None
    before = len(problems.items)
    key = _scalar(values.get("key"), problems, "key", node)
    if key is not None and not KEY.match(key):
        problems.add(
            values["key"], f"'key' must be 2-40 lowercase letters, digits or dashes, not {shown(key)}"
        )
    elif key is not None and key in keys:
        problems.add(values["key"], f"project key '{key}' is used twice")
    elif key is not None:
        keys.add(key)
    kind = _scalar(values["kind"], problems, "kind", node) if "kind" in values else "other"
    title = _languages(values.get("title"), problems, "title", node, True)
    description = _languages(values.get("description"), problems, "description", node, True)
    requirements = _languages(values.get("requirements"), problems, "requirements", node, False)
    place = _languages(values.get("place"), problems, "place", node, True)
    address, addresses = "", dict.fromkeys(LANGS, "")
    if isinstance(values.get("address"), yaml.MappingNode):
        addresses = _languages(values["address"], problems, "address", node, False)
        address = addresses["zh"] or addresses["en"] or addresses["fr"]
    elif "address" in values:
        address = _scalar(values["address"], problems, "address", node) or ""
    topic = _scalar(values["topic"], problems, "topic", node) if "topic" in values else "community"
    if topic is not None and topic not in TOPICS:
        problems.add(values["topic"], f"'topic' must be one of {', '.join(TOPICS)}, not {topic!r}")
    latitude = longitude = None
    loc = values.get("location")
    if loc is not None:
        if not isinstance(loc, yaml.SequenceNode) or len(loc.value) != 2:
            problems.add(loc, "'location' must be [latitude, longitude]")
        else:
            try:
                latitude, longitude = (float(n.value) for n in loc.value)
                if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
                    raise ValueError
            except (ValueError, AttributeError):
                problems.add(loc, "'location' must be two numbers: latitude (-90..90), longitude (-180..180)")
                latitude = longitude = None
    radius = _int(values["radius_m"], problems, "radius_m", node, 20, 5000) if "radius_m" in values else 300
    building = _scalar(values["building"], problems, "building", node) if "building" in values else None
    slot = _scalar(values.get("slot"), problems, "slot", node) if "slot" in values else ""
    if slot and slot not in SLOTS:
        problems.add(values["slot"], f"'slot' must be one of {', '.join(SLOTS)}, not {shown(slot)}")
    capacity = _capacity(values.get("capacity"), problems, node, None)
    reminders: list[Reminder] = []
    rem_node = values.get("reminders")
    if rem_node is None:
        reminders = [parse_reminder("eve 20:00"), parse_reminder("60m")]
    elif not isinstance(rem_node, yaml.SequenceNode):
        problems.add(rem_node, '\'reminders\' must be a list such as ["eve 20:00", "60m"]')
    else:
        for item in rem_node.value:
            reminder = _reminder(item)
            if reminder is None:
                problems.add(
                    item,
                    f"reminder {shown(getattr(item, 'value', None))}: use 'eve HH:MM' or a lead such as '60m' or '2h'",
                )
            else:
                reminders.append(reminder)
    weeks = (
        _int(values["weeks_ahead"], problems, "weeks_ahead", node, 1, MAX_WEEKS)
        if "weeks_ahead" in values
        else 4
    )
    schedules: list[ScheduleSpec] = []
    # A bad project capacity is reported once, not again for every schedule that inherits it.
    inherited = capacity if capacity is not None else (1 if "capacity" in values else None)
    for name in ("schedules", "shifts"):
        seq = values.get(name)
        if seq is not None and not isinstance(seq, yaml.SequenceNode):
            problems.add(seq, f"'{name}' must be a list")
    sched_node = values.get("schedules")
    if isinstance(sched_node, yaml.SequenceNode):
        for item in sched_node.value:
            spec = _schedule(item, problems, inherited, now.astimezone(tz).date(), tz)
            if spec:
                schedules.append(spec)
    one_offs: list[OneOffSpec] = []
    shifts_node = values.get("shifts")
    if isinstance(shifts_node, yaml.SequenceNode):
        for item in shifts_node.value:
            spec2 = _one_off(item, problems, inherited, now, tz)
            if spec2:
                one_offs.append(spec2)
    for unknown in set(values) - PROJECT_FIELDS:
        problems.add(values[unknown], f"unknown project field '{unknown}'")
    if len(problems.items) > before or key is None or capacity is None:
        return None
    return ProjectSpec(
        key=key,
        kind=kind or "other",
        title=title,
        description=description,
        requirements=requirements,
        place=place,
        address=address,
        latitude=latitude,
        longitude=longitude,
        radius_m=radius or 300,
        building=building,
        topic=topic or "community",
        addresses=addresses,
        slot=slot or "",
        capacity=capacity,
        reminders=tuple(reminders),
        weeks_ahead=weeks or 4,
        schedules=tuple(schedules),
        one_offs=tuple(one_offs),
        line=node.start_mark.line + 1,
    )


def parse_projects(text: str, now: datetime, tz: tzinfo) -> list[ProjectSpec]:
    """Parse and validate the whole file; raises ProjectFileError listing every problem."""
    problems = _Problems()
    try:
        root = safe_yaml.compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise ProjectFileError([f"line {line}: not valid YAML ({error.problem or error.context})"]) from None
    except yaml.YAMLError as error:
        raise ProjectFileError([f"line 1: not valid YAML ({error})"]) from None
    if root is None:
        raise ProjectFileError(["line 1: the file is empty (expected 'projects:')"])
    top = _map(root, problems, "the file")
    specs: list[ProjectSpec] = []
    if top is not None:
        projects = top.get("projects")
        if projects is None:
            problems.add(root, "'projects' is missing")
        elif not isinstance(projects, yaml.SequenceNode) or not projects.value:
            problems.add(projects, "'projects' must be a non-empty list")
        else:
            keys: set[str] = set()
            for item in projects.value:
                spec = _project(item, problems, now, tz, keys)
                if spec:
                    specs.append(spec)
    if problems.items:
        raise ProjectFileError([m for _, m in sorted(problems.items, key=lambda p: p[0])])
    return specs
