"""Files the platform hands out: spreadsheets must not run what users typed."""

from __future__ import annotations

# A cell starting with one of these is a formula to Excel and LibreOffice.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A CSV cell for ``value`` that a spreadsheet shows as text, never evaluates."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
