"""Message catalogs: one gettext domain per feature, merged per language at load time.

English is the source language (msgids are English); `locales/<lang>/LC_MESSAGES/<domain>.po`
holds Chinese (zh) and French (fr). A domain is a feature: its templates live in
`templates/<domain>/` and its Python strings in a module named `<domain>.py`; everything else is
`core`. Separate files per feature keep parallel work on features from colliding in one catalog.

    python -m bot.i18n update [--domain D]   extract and merge new msgids into the .po files
    python -m bot.i18n compile               write the .mo files (done by make run / make test)
    python -m bot.i18n check                 exit 1 if any msgid lacks a zh or fr translation
    python -m bot.i18n fill FILE.yaml        set translations from {msgid: {zh: ..., fr: ...}}
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
TEMPLATES = ROOT / "templates"
TRANSLATED = ("zh", "fr")
# One plural rule per language for every catalog: catalogs are merged at load time, and a new
# catalog made by a newer Babel (whose CLDR data gives French a third, "many" form) would otherwise
# disagree with the others and send "2 hours" back to English. gettext's usual rules.
PLURAL_FORMS = {"zh": "nplurals=1; plural=0;", "fr": "nplurals=2; plural=(n > 1);"}
# Gettext keywords. Babel matches a keyword by its name wherever it is called (an attribute call
# such as `context.gettext(...)` included, and inside f-strings since Babel 2.19), so no keyword is
# a short name that an ordinary variable could have: `t` once glued docstrings into a "message".
# tests/unit/test_extraction.py checks that every extracted msgid comes from a marked call.
PYTHON_KEYWORDS = {"N_": None, "gettext": None, "ngettext": (1, 2)}
TEMPLATE_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "true"}


_DOMAIN_MARK = re.compile(r"^# i18n-domain: ([a-z_]+)$", re.M)


def domain_of(path: Path) -> str:
    """templates/<domain>/... -> domain; a Python file -> its `# i18n-domain: X` line, else the
    domain named like the file if templates/<name> exists, else core."""
    rel = path.resolve().relative_to(ROOT)
    if rel.parts[0] == "templates" and len(rel.parts) > 2:
        return rel.parts[1]
    if rel.suffix == ".py":
        mark = _DOMAIN_MARK.search(path.read_text(encoding="utf-8")[:2000])
        if mark:
            return mark.group(1)
        if (TEMPLATES / rel.stem).is_dir():
            return rel.stem
    return "core"


def sources() -> Iterable[tuple[Path, str]]:
    for path in sorted(TEMPLATES.rglob("*.html")):
        yield path, "jinja2"
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if "sandbox" in path.parts or "migrations" in path.parts:
            continue
        yield path, "python"


def extract_file(path: Path, method: str) -> list[tuple[int, str | tuple[str, ...], list[str], str | None]]:
    """Babel's extraction of one template ("jinja2") or Python file ("python")."""
    if method == "jinja2":
        found = extract_from_file(
            "jinja2.ext:babel_extract", str(path), TEMPLATE_KEYWORDS, options=JINJA_OPTIONS
        )
    else:
        found = extract_from_file("python", str(path), PYTHON_KEYWORDS)
    return list(found)


def extract() -> dict[str, Catalog]:
    """Every translatable string in the code and templates, grouped by domain."""
    catalogs: dict[str, Catalog] = defaultdict(lambda: Catalog(locale=None, project="jingan-bot"))
    for path, method in sources():
        for lineno, message, comments, context in extract_file(path, method):
            catalogs[domain_of(path)].add(
                message,
                locations=[(str(path.relative_to(ROOT)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return dict(catalogs)


def po_path(lang: str, domain: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"


def update(only: str | None = None) -> None:
    for domain, template in extract().items():
        if only and domain != only:
            continue
        for lang in TRANSLATED:
            path = po_path(lang, domain)
            if path.exists():
                with path.open("rb") as handle:
                    catalog = read_po(handle, locale=lang, domain=domain)
            else:
                catalog = Catalog(locale=lang, domain=domain, project="jingan-bot")
            catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS[lang])]
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            path.parent.mkdir(parents=True, exist_ok=True)
            buffer = io.BytesIO()
            write_po(buffer, catalog, width=0, omit_header=False, sort_output=False, include_previous=False)
            path.write_bytes(buffer.getvalue())
            print(f"updated {path.relative_to(ROOT)}")


def compile_all() -> int:
    count = 0
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        # Written aside, then moved into place: a bot (or a test worker) reading the catalogs
        # meanwhile sees the old file or the new one, never half of one.
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        target = po.with_suffix(".mo")
        aside = target.with_name(f".{target.name}.{os.getpid()}")
        aside.write_bytes(buffer.getvalue())
        os.replace(aside, target)
        count += 1
    return count


def missing() -> list[str]:
    """msgids used in code/templates that some language does not translate."""
    problems = []
    for domain, template in extract().items():
        for lang in TRANSLATED:
            path = po_path(lang, domain)
            known: dict[object, object] = {}
            if path.exists():
                with path.open("rb") as handle:
                    catalog = read_po(handle, locale=lang)
                known = {m.id: m.string for m in catalog if m.id and not m.fuzzy}
            for message in template:
                if not message.id:
                    continue
                translated = known.get(message.id)
                empty = not translated or (isinstance(translated, tuple) and not all(translated))
                if empty:
                    msgid = message.id if isinstance(message.id, str) else message.id[0]
                    problems.append(f"{lang}/{domain}: {msgid!r}")
    return problems


def fill(mapping: dict[str, dict[str, str | list[str]]]) -> int:
    """Write translations into every catalog where the msgid appears (a convenience for translators).

    `mapping`: msgid -> language -> translation; a plural message takes the list of its forms.
    """
    changed = 0
    for lang in TRANSLATED:
        for path in sorted((LOCALES / lang / "LC_MESSAGES").glob("*.po")):
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang, domain=path.stem)
            touched = False
            for message in catalog:
                key = message.id if isinstance(message.id, str) else (message.id[0] if message.id else "")
                entry = mapping.get(key)
                if not key or not entry or lang not in entry:
                    continue
                given = entry[lang]
                value: str | list[str] | tuple[str, ...] = given
                if isinstance(message.id, tuple):
                    value = tuple(given) if isinstance(given, list) else (given, given)
                if message.string != value:
                    message.string = value
                    message.flags.discard("fuzzy")
                    touched = True
                    changed += 1
            if touched:
                buffer = io.BytesIO()
                write_po(buffer, catalog, width=0, sort_output=False, include_previous=False)
                path.write_bytes(buffer.getvalue())
    return changed


@cache
def load(lang: str) -> Translations:
    """All domains of one language merged into one Translations (English: the identity).

    Read once per process (the catalogs are compiled before the bot starts, by make run and make
    test); every Renderer shares them.
    """
    merged = Translations()
    folder = LOCALES / lang / "LC_MESSAGES"
    if lang in TRANSLATED and folder.is_dir():
        for mo in sorted(folder.glob("*.mo")):
            with mo.open("rb") as handle:
                catalog = Translations(handle, domain=mo.stem)
            merged.merge(catalog)
            # merge() copies messages, not the language's plural rule: without this, the empty
            # catalog's English rule picks msgstr[1] for 2 in Chinese (one form) and falls back
            # to English ("2 hours" in a Chinese message).
            merged.plural = catalog.plural
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.i18n")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("update")
    up.add_argument("--domain")
    sub.add_parser("compile")
    sub.add_parser("check")
    filler = sub.add_parser("fill")
    filler.add_argument("file", type=Path)
    args = parser.parse_args(argv)
    if args.command == "update":
        update(args.domain)
    elif args.command == "fill":
        from bot.domain import safe_yaml

        print(f"set {fill(safe_yaml.load(args.file.read_text(encoding='utf-8')))} translations")
    elif args.command == "compile":
        print(f"compiled {compile_all()} catalogs")
    else:
        problems = missing()
        for problem in problems:
            print(f"untranslated: {problem}")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
