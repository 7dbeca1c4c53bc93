"""CSV cells that a spreadsheet shows as text, never runs as a formula.

Spreadsheet programs treat a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in
some, a tab or carriage return) as a formula: a name such as ``=HYPERLINK("http://…")``
in an export that HR opens becomes a link or a command (CSV injection). Following the
OWASP guidance, :func:`neutralise` puts a single quote before such a cell, which
spreadsheets hide and read as "this is text"; every CSV the library writes goes through it.

:func:`restore` undoes it, so the library reads its own exports back unchanged. To keep
the two exact inverses, a cell that already starts with quotes followed by a formula
character gets one quote more.

>>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("@SUM(A1)"), neutralise("Anna")
('\\'=HYPERLINK("http://x")', "'@SUM(A1)", 'Anna')
>>> restore(neutralise("-5")), restore(neutralise("'=x"))
('-5', "'=x")
"""

from __future__ import annotations

__all__ = ["FORMULA_STARTS", "neutralise", "restore"]

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


#: The first characters of the cells :func:`neutralise` may change: formula starts and
#: the quote it adds. Any other cell is text as it is (the common case, tested first).
_CHANGEABLE_STARTS = frozenset((*FORMULA_STARTS, "'"))


def _quoted_formula(cell: str) -> bool:
    """Whether ``cell`` is quotes (none or more) and then a formula character."""
    return cell.lstrip("'").startswith(FORMULA_STARTS)


def neutralise(cell: str) -> str:
    """``cell`` with a leading ``'`` when a spreadsheet would read it as a formula."""
    if cell[:1] not in _CHANGEABLE_STARTS:
        return cell
    return "'" + cell if _quoted_formula(cell) else cell


def restore(cell: str) -> str:
    """The cell :func:`neutralise` was given: one leading ``'`` fewer where it added one."""
    return cell[1:] if cell.startswith("'") and _quoted_formula(cell) else cell
