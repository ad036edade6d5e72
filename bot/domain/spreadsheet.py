"""Cells that spreadsheets must show as text, never run as formulas (CSV injection).

Excel, LibreOffice and WPS treat a cell that starts with `=`, `+`, `-` or `@` (and, for some, a
tab or a carriage return) as a formula: `=HYPERLINK("http://evil", "click")` in a company name
would become a live link in the station's spreadsheet. OWASP's advice is to prefix such a cell
with a single quote, which every spreadsheet shows as text and hides. `restore` undoes it when
the same file is imported again, so an export re-imports unchanged.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A cell as a spreadsheet must receive it: text that could start a formula gets a quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def restore(value: str) -> str:
    """Undo `neutralise` on a cell read back from a file we (or a spreadsheet) wrote."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
