"""Jinja2 templates rendered for Telegram's HTML parse mode, in the reader's language.

Autoescape is switched on for every template whatever its file name (Jinja's
`select_autoescape()` would miss endings such as `.html.j2`), so a name like `<b>&Co` reaches
the chat literally. Translated strings are trusted markup; tests check they are valid Telegram
HTML. Every value a template shows (and every variable of a translated string) loses its
bidirectional controls (bot/domain/text_safety.py): whatever was stored, a name cannot reverse
the text of a staff card around it. `trim_blocks`/`lstrip_blocks` keep template layout out of the message, because Telegram
shows every newline.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.bccache import Bucket
from jinja2.runtime import Context
from markupsafe import Markup

from bot import i18n
from bot.domain.text_safety import neutralise
from bot.domain.worktime import Span, say_span

LANGUAGES = ("zh", "en", "fr")
BABEL_LOCALE = {"zh": "zh_Hans_CN", "en": "en_GB", "fr": "fr_FR"}
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

_TAG = re.compile(r"<[^>]+>")


def _shown(value: Any) -> Any:
    """Jinja's `finalize`: text from data (not trusted markup) without bidirectional controls."""
    return neutralise(value) if isinstance(value, str) and not isinstance(value, Markup) else value


def _plain(variables: dict[str, Any]) -> dict[str, Any]:
    return {k: _shown(v) for k, v in variables.items()}


def _neutral_variables(translate: Callable[..., str]) -> Callable[..., str]:
    """A template's `_()`/`ngettext()` whose variables are shown like any value (`finalize`
    never sees them: they are formatted into the translated string before it is output)."""

    @pass_context
    def translated(context: Context, *args: Any, **variables: Any) -> str:
        return translate(context, *args, **_plain(variables))

    return translated


def visible_length(markup: str) -> int:
    """Length as Telegram counts it: after tags are removed and entities decoded."""
    return len(html.unescape(_TAG.sub("", markup)))


def fit(markup: str, limit: int = MESSAGE_LIMIT) -> str:
    """Never attempt a message over Telegram's limit: drop whole trailing lines and mark the cut.

    Our templates open and close tags on the same line, so cutting between lines keeps the
    HTML balanced.
    """
    if visible_length(markup) <= limit:
        return markup
    lines = markup.split("\n")
    while lines and visible_length("\n".join(lines)) > limit - 2:
        lines.pop()
    if not lines:
        return html.escape(html.unescape(_TAG.sub("", markup))[: limit - 1]) + "…"
    return "\n".join(lines) + "\n…"


def _number(lang: str) -> Callable[[float | int], str]:
    """A number as the reader writes it: 1.5 in English, 1,5 in French (Babel), at most 2 decimals."""
    locale = Locale.parse(BABEL_LOCALE[lang])
    return lambda value: format_decimal(value, format="#,##0.##", locale=locale)


def _duration(lang: str) -> Callable[[timedelta], str]:
    """A duration in words with the reader's plural rules: "12 hours", "12 heures", "12小时", "1 hour 30 minutes"."""
    locale = Locale.parse(BABEL_LOCALE[lang])

    def apply(value: timedelta) -> str:
        seconds = int(value.total_seconds())
        parts: list[str] = []
        units: tuple[tuple[Literal["day", "hour", "minute"], int], ...] = (
            ("day", 86400),
            ("hour", 3600),
            ("minute", 60),
        )
        for unit, size in units:
            if seconds >= size or (unit == "minute" and not parts):
                amount, seconds = divmod(seconds, size)
                parts.append(
                    format_timedelta(
                        timedelta(seconds=amount * size),
                        threshold=1e9,
                        granularity=unit,
                        format="long",
                        locale=locale,
                    )
                )
        return ("" if lang == "zh" else " ").join(parts)

    return apply


def plural_count(value: float) -> int:
    """The count that picks a plural form: a whole number is itself, a fraction takes the plural
    ("1.5 hours"; gettext's plural rules are defined on integers)."""
    return int(value) if float(value).is_integer() else 2


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per process, shared by every Renderer and language.

    Compiling depends only on the source and the environment's options, which are the same for
    every language; each Application (and each end-to-end test) used to compile again what it
    rendered.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


class Renderer:
    def __init__(self, tz: ZoneInfo, templates: Path = i18n.TEMPLATES) -> None:
        self.tz = tz
        self._envs: dict[str, Environment] = {}
        self._translations: dict[str, Translations] = {}
        for lang in LANGUAGES:
            translations = i18n.load(lang)
            self._translations[lang] = translations
            env = Environment(
                loader=FileSystemLoader(str(templates)),
                autoescape=True,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=False,
                undefined=StrictUndefined,
                extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
                bytecode_cache=_COMPILED,
                # Templates ship with the code: no stat() of the file on every render to see
                # whether it changed (a restart loads new templates).
                auto_reload=False,
                finalize=_shown,
            )
            env.policies["ext.i18n.trimmed"] = True
            # jinja2.ext.i18n adds this method to the environment at run time; Environment does not declare it.
            env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
            for name in ("gettext", "ngettext"):
                installed = env.globals[name]
                assert callable(installed)
                env.globals[name] = _neutral_variables(installed)
            env.globals["lang"] = lang
            env.filters["dt"] = self._filter(lang, "datetime")
            env.filters["date"] = self._filter(lang, "date")
            env.filters["time"] = self._filter(lang, "time")
            env.filters["datetime_short"] = self._filter(lang, "short")
            env.filters["span"] = self._span(translations)
            env.filters["number"] = _number(lang)
            env.filters["duration"] = _duration(lang)
            env.filters["plural_count"] = plural_count
            self._envs[lang] = env

    def _filter(self, lang: str, kind: str) -> Callable[[datetime | None], str]:
        # A parsed Locale, not its name: Babel would parse the name again on every call (~4x slower).
        locale = Locale.parse(BABEL_LOCALE[lang])

        def apply(value: datetime | None) -> str:
            if value is None:
                return ""
            local = value.astimezone(self.tz)
            if kind == "date":
                return format_date(local, format="medium", locale=locale)
            if kind == "time":
                return format_time(local, format="HH:mm", locale=locale)
            if kind == "short":
                return format_datetime(local, format="MM-dd HH:mm", locale=locale)
            return format_datetime(local, format="yyyy-MM-dd HH:mm", locale=locale)

        return apply

    @staticmethod
    def _span(translations: Translations) -> Callable[[Span | None], str]:
        """`{{ item.left|span }}`: "3 working days" in the template's language (bot/domain/worktime.py)."""

        def apply(span: Span | None) -> str:
            return say_span(span, translations.ungettext) if span is not None else ""

        return apply

    def compile_all(self) -> int:
        """Compile every template in every language now; returns how many were loaded.

        Jinja compiles a template on its first use (~5 ms each, ~80 ms for requests/card.html
        with its includes), once per process. Benchmarks call this to measure a bot that has been
        running for a while; the bot itself does not (every test's Application would pay it).
        """
        loaded = 0
        for env in self._envs.values():
            for name in env.list_templates():
                env.get_template(name)
                loaded += 1
        return loaded

    def language(self, lang: str | None) -> str:
        return lang if lang in self._envs else "zh"

    def render(self, lang: str, template: str, limit: int = MESSAGE_LIMIT, **context: Any) -> str:
        """Render one message; the result is valid Telegram HTML within `limit` visible characters.

        `context` is Any, as in Jinja's own `Template.render`: a template reads attributes of rows,
        views and plain values alike.
        """
        env = self._envs[self.language(lang)]
        text = env.get_template(template).render(**context).strip()
        return fit(text, limit)

    def page(self, lang: str, template: str, **context: Any) -> str:
        """A page or fragment of the staff Mini App (templates/webapp/): the same environment
        (autoescape, translations, date filters), HTML for a browser, so no Telegram limits."""
        return self._envs[self.language(lang)].get_template(template).render(**context)

    def gettext(self, lang: str, message: str, **variables: object) -> str:
        """A translated plain string (button labels, alerts): never HTML, variables not escaped."""
        translated = self._translations[self.language(lang)].ugettext(message)
        return translated % _plain(variables) if variables else translated

    def ngettext(self, lang: str, singular: str, plural: str, n: int) -> str:
        """The singular or plural form for `n`, translated (not yet formatted)."""
        return str(self._translations[self.language(lang)].ungettext(singular, plural, n))

    def markup(self, lang: str, message: str, **variables: object) -> str:
        """A translated HTML fragment with its variables escaped."""
        translated = self._translations[self.language(lang)].ugettext(message)
        return (
            str(Markup(translated) % {k: Markup.escape(v) for k, v in _plain(variables).items()})
            if variables
            else translated
        )
