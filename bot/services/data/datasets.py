# i18n-domain: data
"""The three data sets administrators load from files, each previewed and applied the same way
whether the file came from the command line or as a Telegram document.

- enterprises (CSV): services.enterprises.imports (dry run, conflicts with staff colours);
- projects (YAML): services.volunteer.imports.import_projects (dry_run=True for the preview);
- guide (YAML): services.guide.replace (dry_run=True for the preview).

A file that would delete more than BOT_IMPORT_DELETE_SHARE of what exists (the guide's entries,
the future volunteer shifts) is applied only with an explicit confirmation: a guide.yaml cut at
an entry boundary still parses, and must not silently replace the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from bot.domain import risk
from bot.domain.enterprise_csv import UnreadableFile
from bot.domain.guide_catalogue import CatalogueError, parse_catalogue
from bot.domain.projects_yaml import ProjectFileError
from bot.msgids import N_
from bot.services.base import UseCases
from bot.services.enterprises.imports import Conflict
from bot.storage import data_uploads as repo

# What each data set is, as the command line and the upload's report name it.
KINDS = {
    "enterprises": N_("enterprise registry (CSV)"),
    "projects": N_("volunteer projects (YAML)"),
    "guide": N_("service guide (YAML)"),
}
EXTENSIONS = {".csv": "enterprises", ".yaml": None, ".yml": None}  # None: decided by the YAML's content
CAPTION_WORDS = {
    "enterprises": ("enterprise", "enterprises", "企业", "entreprises"),
    "projects": ("project", "projects", "volunteer", "项目", "志愿", "projets"),
    "guide": ("guide", "指南", "服务指南"),
}
_TOP_KEY = re.compile(r"^(projects|entries|places)\s*:", re.M)

NOT_UTF8 = N_("This YAML file is not UTF-8 text: save it as UTF-8 and send it again.")


@dataclass(frozen=True)
class Line:
    """A problem found in the file: its place, and a message (a msgid, or another checker's text)."""

    line: int | None
    key: str = ""
    msgid: str | None = None
    params: dict[str, object] = field(default_factory=dict)
    text: str | None = None  # already written (the YAML checkers' own words)


@dataclass(frozen=True)
class Report:
    """What a file does (dry run) or did: the same report on the command line and in Telegram."""

    kind: str
    file_name: str
    dry_run: bool
    applied: bool = False
    refused: list[Line] = field(default_factory=list)  # non-empty: nothing can be imported
    encoding: str | None = None
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[Line] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    overwritten: int = 0
    colour_changes: int = 0
    alerted: frozenset[int] = frozenset()
    added_keys: list[str] = field(default_factory=list)
    changed_keys: list[str] = field(default_factory=list)
    shifts_created: int = 0
    deleted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # guide: key, its title
    deletions: int = 0  # entries (guide) or future shifts (projects) the file deletes
    deletion_total: int = 0  # ... of how many there are
    # Deletions over the share: a dry run says Confirm must name them; without that confirmation an
    # import applies nothing.
    needs_confirmation: bool = False
    share: float = 0.0

    @property
    def ok(self) -> bool:
        """Applied (or would apply) without anything refused or rejected."""
        return not (self.refused or self.rejected or self.needs_confirmation)


def template_values(report: Report, *, cli: bool = False, limit: int = 15) -> dict[str, Any]:
    """What data/report.html needs: the chat shows `limit` lines of each list, the command line all."""
    return {
        "report": report,
        "rows": limit,
        "cli": cli,
        "kinds": KINDS,
        "emoji": risk.EMOJI,
        "labels": risk.LABELS,
    }


def detect(file_name: str, data: bytes, caption: str | None = None) -> str | None:
    """Which data set a file holds: from the caption's words, else its extension and YAML keys."""
    words = (caption or "").casefold()
    for kind, names in CAPTION_WORDS.items():
        if any(name in words for name in names):
            return kind
    suffix = "." + file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix not in EXTENSIONS:
        return None
    if EXTENSIONS[suffix] is not None:
        return EXTENSIONS[suffix]
    found = _TOP_KEY.search(data[:65536].decode("utf-8", errors="replace"))
    if found is None:
        return None
    return "projects" if found.group(1) == "projects" else "guide"


class DataSets(UseCases):
    """Preview and apply a file of any data set (callers check who may)."""

    def _too_many(self, deletions: int, total: int) -> bool:
        return total > 0 and deletions > self.settings.import_delete_share * total

    async def run(
        self,
        kind: str,
        data: bytes,
        file_name: str,
        actor_id: int | None,
        *,
        dry_run: bool,
        overwrite: bool | Collection[str] = False,
        confirmed_deletions: int | None = 0,
    ) -> Report:
        """The one path of every import. `confirmed_deletions`: how many deletions the administrator
        confirmed (None: any number, the command line's --confirm-deletions)."""
        base: dict[str, Any] = {
            "kind": kind,
            "file_name": file_name,
            "dry_run": dry_run,
            "share": self.settings.import_delete_share,
        }
        if kind == "enterprises":
            return await self._enterprises(data, file_name, actor_id, dry_run, overwrite, base)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return Report(**base, refused=[Line(None, msgid=NOT_UTF8)])
        if kind == "projects":
            return await self._projects(text, actor_id, dry_run, confirmed_deletions, base)
        return await self._guide(text, file_name, actor_id, dry_run, confirmed_deletions, base)

    async def _enterprises(
        self,
        data: bytes,
        file_name: str,
        actor_id: int | None,
        dry_run: bool,
        overwrite: bool | Collection[str],
        base: dict[str, Any],
    ) -> Report:
        imports = self.services.enterprises.imports
        try:
            if dry_run:
                result = await imports.preview(data, overwrite)
            else:
                result = await imports.run(data, actor_id, source_name=file_name, overwrite=overwrite)
        except UnreadableFile as error:
            return Report(**base, refused=[Line(None, msgid=error.msgid, params=dict(error.params))])
        return Report(
            **base,
            applied=not dry_run,
            encoding=result.encoding,
            added=result.added,
            changed=result.updated,
            unchanged=result.unchanged,
            rejected=[Line(r.line, r.key, r.msgid, dict(r.params)) for r in result.rejected],
            conflicts=result.conflicts,
            overwritten=result.overwritten,
            colour_changes=result.colour_changes,
            alerted=result.alerted,
        )

    async def _projects(
        self, text: str, actor_id: int | None, dry_run: bool, confirmed: int | None, base: dict[str, Any]
    ) -> Report:
        imports = self.services.volunteer.imports
        async with self.db.read() as conn:
            total = await repo.future_open_shifts(conn, self.now())
        try:
            preview = await imports.import_projects(text, actor_id, dry_run=True)
        except ProjectFileError as error:
            return Report(**base, refused=[Line(None, text=p) for p in error.problems])
        deletions = preview.shifts_cancelled
        over = self._too_many(deletions, total)
        blocked = over and confirmed is not None and deletions > confirmed
        result = preview
        if not dry_run and not blocked:
            result = await imports.import_projects(text, actor_id)
        return Report(
            **base,
            applied=not dry_run and not blocked,
            added=len(result.added),
            changed=len(result.updated),
            added_keys=result.added,
            changed_keys=result.updated,
            shifts_created=result.shifts_created,
            deletions=result.shifts_cancelled,
            deletion_total=total,
            needs_confirmation=blocked,
        )

    async def _guide(
        self,
        text: str,
        file_name: str,
        actor_id: int | None,
        dry_run: bool,
        confirmed: int | None,
        base: dict[str, Any],
    ) -> Report:
        guide = self.services.guide
        try:
            entries = parse_catalogue(text)
            await guide.replace(text, source_name=file_name, actor_id=actor_id, dry_run=True)
        except CatalogueError as error:
            return Report(**base, refused=[Line(p.line, text=str(p)) for p in error.problems])
        await guide.ensure_catalogue()
        async with self.db.read() as conn:
            current = await repo.guide_entries(conn)
        new = {e.id: e.to_json() for e in entries}
        deleted = [(key, data.get("title", {})) for key, data in current.items() if key not in new]
        changed = [key for key, data in new.items() if key in current and current[key] != data]
        over = self._too_many(len(deleted), len(current))
        blocked = over and confirmed is not None and len(deleted) > confirmed
        applied = False
        if not dry_run and not blocked:
            await guide.replace(text, source_name=file_name, actor_id=actor_id)
            applied = True
        return Report(
            **base,
            applied=applied,
            added=sum(1 for key in new if key not in current),
            changed=len(changed),
            unchanged=sum(1 for key in new if key in current) - len(changed),
            changed_keys=changed,
            deleted=deleted,
            deletions=len(deleted),
            deletion_total=len(current),
            needs_confirmation=blocked,
        )
