"""Making values from the deliveries safe where people open them.

Anything a delivery holds (an account name, a ticket subject, a bad value quoted in a
quarantine reason) can reach a spreadsheet, a terminal or a web page. Every export Rapport
writes goes through these:

- ``csv_cell``: a CSV cell that a spreadsheet will not run as a formula (OWASP, "CSV
  Injection": a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is prefixed with a single quote; numbers stay numbers);
- ``printable``: text safe for a terminal (control characters, including the escape that
  starts ANSI sequences, and the Unicode bidirectional overrides are shown as ``\\x1b`` or
  ``\\u202e`` instead of acting on the screen);
- ``html_text``: text escaped for HTML.
"""

from __future__ import annotations

import html
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# C0 controls, DEL, C1 controls, line/paragraph separators, bidi embeddings/overrides/isolates
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def csv_cell(value: object) -> object:
    """The value as a CSV cell that no spreadsheet evaluates (strings only are changed)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_row(values: dict[str, object]) -> dict[str, object]:
    return {k: csv_cell(v) for k, v in values.items()}


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(value: object, *, keep_newlines: bool = False) -> str:
    """``str(value)`` with every control character shown as an escape, never sent raw to
    the terminal. A newline is escaped too (it could forge a line of output) unless
    ``keep_newlines``."""
    text = str(value)
    if keep_newlines:
        return "\n".join(_UNPRINTABLE.sub(_escape, line) for line in text.split("\n"))
    return _UNPRINTABLE.sub(_escape, text)


def html_text(value: object) -> str:
    return html.escape(str(value), quote=True)
