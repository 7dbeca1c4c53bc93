"""A document as a list of blocks (headings, paragraphs, lists, tables), written out as
Markdown or HTML with every text escaped for the format.

Texts in a document may come from files anyone can edit (names, labels, questions), so
nothing is ever written raw: HTML gets :func:`html.escape`, Markdown gets its markup
characters escaped and HTML made inert.

>>> blocks = [heading(1, "Plan <b>2027</b>"), bullets(["*a*", "- b"])]
>>> print(markdown(blocks))
# Plan &lt;b>2027&lt;/b>
<BLANKLINE>
- \\*a\\*
- \\- b
<BLANKLINE>
>>> "<h1>Plan &lt;b&gt;2027&lt;/b&gt;</h1>" in page(blocks, "en", "Plan")
True
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Literal

from attrs import frozen

from gesprekscyclus.domain.text import Locale

__all__ = ["Block", "bullets", "heading", "markdown", "page", "paragraph", "table"]


@frozen
class Block:
    """One piece of a document: a heading, a paragraph, a list or a table (``texts`` is the
    header, ``rows`` the cells)."""

    kind: Literal["h1", "h2", "h3", "p", "ul", "table"]
    texts: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


def heading(level: int, text: str) -> Block:
    """A heading of ``level`` 1, 2 or 3."""
    return Block("h1" if level == 1 else "h2" if level == 2 else "h3", (text,))


def paragraph(text: str) -> Block:
    """A paragraph."""
    return Block("p", (text,))


def bullets(items: Iterable[str]) -> Block:
    """A bulleted list."""
    return Block("ul", tuple(items))


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Block:
    """A table with a header row."""
    return Block("table", tuple(header), tuple(tuple(row) for row in rows))


_MD_INLINE = re.compile(r"([\\`*_\[\]|])")
_MD_LINE_START = re.compile(r"^([#>]|[-+](?=\s)|[0-9]+[.)](?=\s))")


def _md(text: str) -> str:
    """``text`` as literal Markdown on one line: emphasis, links, code and table markup
    escaped, HTML made inert, and nothing at the start read as a heading or a list."""
    flat = " ".join(text.split())
    inert = flat.replace("&", "&amp;").replace("<", "&lt;")
    return _MD_LINE_START.sub(r"\\\1", _MD_INLINE.sub(r"\\\1", inert))


def markdown(blocks: Sequence[Block]) -> str:
    """The blocks as Markdown."""
    out: list[str] = []
    for block in blocks:
        if block.kind in ("h1", "h2", "h3"):
            out += ["#" * int(block.kind[1]) + " " + _md(block.texts[0]), ""]
        elif block.kind == "p":
            out += [_md(block.texts[0]), ""]
        elif block.kind == "ul":
            out += [f"- {_md(item)}" for item in block.texts] + [""]
        else:
            out.append("| " + " | ".join(_md(t) for t in block.texts) + " |")
            out.append("|" + "---|" * len(block.texts))
            out += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in block.rows]
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def page(blocks: Sequence[Block], locale: Locale | str, title: str) -> str:
    """The blocks as one HTML page in ``locale``, titled ``title``."""

    def e(text: str) -> str:
        return html.escape(text, quote=True)

    out = [
        "<!DOCTYPE html>",
        f'<html lang="{Locale(locale).value}">',
        '<head><meta charset="utf-8">',
        f"<title>{e(title)}</title></head>",
        "<body>",
    ]
    for block in blocks:
        if block.kind in ("h1", "h2", "h3", "p"):
            out.append(f"<{block.kind}>{e(block.texts[0])}</{block.kind}>")
        elif block.kind == "ul":
            out.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in block.texts) + "</ul>")
        else:
            head = "".join(f"<th>{e(text)}</th>" for text in block.texts)
            body = "".join(
                "<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>"
                for row in block.rows
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"
