"""CSV as Safeside writes it, for files a person may open in a spreadsheet.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return) as a formula. A note in a child's record that reads ``=HYPERLINK("https://…"&A2, "…")``
would then run on the Registered Manager's machine when they open the reg 40 register, and
could send the cells beside it anywhere. Such a cell is written with a leading apostrophe,
which a spreadsheet shows as text ("CSV injection", OWASP). A plain number (``-3``, ``+1.5``)
is left as it is: it is no formula, and scripts read it as a number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def inert(cell: str) -> str:
    """The cell as a spreadsheet will show it and never run it."""
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def csv_text(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, line_end: str = "\r\n"
) -> str:
    """A header line, then a line a row, every cell inert; CRLF line ends unless told (RFC
    4180, as spreadsheets expect)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow([inert(heading) for heading in headers])
    writer.writerows([inert(cell) for cell in row] for row in rows)
    return out.getvalue()
