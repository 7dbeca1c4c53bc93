"""Reading a design file's text into plain data, at a bounded cost whatever the input.

A design file may come from anywhere (an upload, a pull request), so the text is checked
before a parser sees it, against :class:`DesignLimits`: its size, how deeply values nest and
how many parts a dotted key has (``tomllib`` takes time quadratic in those parts). JSON
objects may not repeat a key (the standard library keeps the last one silently). Every
refusal is a :class:`~gesprekscyclus.errors.Problem` naming the file, the line and the limit;
each limit can be raised by passing other :class:`DesignLimits`.

>>> problems = read_design_data('name = "x"\\n' + "a" + ".a" * 40 + " = 1\\n", "d.toml", "toml")[1]
>>> print(problems[0])  # doctest: +NORMALIZE_WHITESPACE
d.toml:2: a key has more than 16 dotted parts (allowed: at most max_key_parts=16)
>>> print(read_design_data('{"name": "a", "name": "b"}', "d.json", "json")[1][0])
d.json:1: name: the key appears twice in one object (allowed: each key once)
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any, Literal

from attrs import field, frozen

from gesprekscyclus.domain._checks import whole_in_range
from gesprekscyclus.errors import Problem

__all__ = ["DesignLimits", "read_design_data"]

Format = Literal["toml", "json"]


@frozen
class DesignLimits:
    """The bounds a design text is read within; pass other values to raise them.

    ``max_bytes``: the largest file (1 MiB by default; real designs are a few kilobytes).
    ``max_depth``: how deeply tables and lists may nest (a design needs about six levels).
    ``max_key_parts``: the most parts of one dotted key (``a.b.c`` has three).
    ``max_items``: the most entries of one list or table (types, closures, rhythms, ...).
    ``max_problems``: the most problems reported; the rest are counted in one more line.
    """

    max_bytes: int = field(default=1_048_576, validator=whole_in_range(1, 2**40))
    max_depth: int = field(default=32, validator=whole_in_range(1, 500))
    max_key_parts: int = field(default=16, validator=whole_in_range(1, 500))
    max_items: int = field(default=500, validator=whole_in_range(1, 10_000_000))
    max_problems: int = field(default=100, validator=whole_in_range(1, 1_000_000))


#: What the scan looks at, one token at a time: string and comment delimiters, escapes,
#: the characters that open or close a value or separate keys, and dots that are no part
#: of a number. Single tokens only, so the scan is linear whatever the text.
_TOKENS = re.compile(
    r'"""' r"|'''" r"|\\." r"""|["'#\n\[\]{}=,]""" r"|(?<![0-9])\.|\.(?![0-9])", re.DOTALL
)
#: Python refuses to turn longer digit strings into numbers (CVE-2020-10735).
_MAX_DIGITS = 4300
_LONG_NUMBER = re.compile(rf"[0-9_]{{{_MAX_DIGITS + 1},}}", re.ASCII)
_ML_BASIC, _ML_LITERAL = '"' * 3, "'" * 3
#: Per open string delimiter, the tokens that close it.
_CLOSES = {'"': ('"', _ML_BASIC), "'": ("'", _ML_LITERAL), _ML_BASIC: (_ML_BASIC,),
           _ML_LITERAL: (_ML_LITERAL,)}  # fmt: skip


def _scan(text: str, limits: DesignLimits) -> Problem | None:
    """One linear pass: the first place nesting or a dotted key goes past its limit.

    Strings and comments are skipped, so brackets and dots inside them do not count; a dot
    between two digits is part of a number.
    """
    line, depth, parts = 1, 0, 0
    inside: str | None = None  # the open string delimiter, or "#" in a comment
    for match in _TOKENS.finditer(text):
        piece = match.group()
        if "\n" in piece:
            line += 1
            if piece == "\n":
                parts = 0
            if inside in ('"', "'", "#"):
                inside = None  # single-line strings and comments end with their line
            continue
        if inside is not None:
            if inside in _CLOSES and piece in _CLOSES[inside]:
                inside = None
            elif inside == "'" and piece == "\\'":
                inside = None  # a literal string knows no escapes: its quote closes it
            continue
        if piece in ('"', "'", _ML_BASIC, _ML_LITERAL, "#"):
            inside = piece
        elif piece in "[{":
            depth += 1
            if depth > limits.max_depth:
                return _too_deep(line, limits)
        elif piece in "]}":
            depth = max(depth - 1, 0)
        elif piece == ".":
            parts += 1
            if parts >= limits.max_key_parts:
                return Problem(
                    "",
                    "",
                    f"a key has more than {limits.max_key_parts} dotted parts",
                    line=line,
                    allowed=(f"at most max_key_parts={limits.max_key_parts}",),
                )
        elif piece in "=,":
            parts = 0
    return None


def _too_deep(line: int | None, limits: DesignLimits) -> Problem:
    return Problem(
        "",
        "",
        f"values nest more than {limits.max_depth} levels deep",
        line=line,
        allowed=(f"at most max_depth={limits.max_depth}",),
    )


def _shape_problem(data: Any, source: str, limits: DesignLimits) -> Problem | None:
    """The exact nesting and size check after parsing, without recursion."""
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if depth > limits.max_depth:
            return Problem(source, "", _too_deep(None, limits).message,
                           allowed=(f"at most max_depth={limits.max_depth}",))  # fmt: skip
        if len(value) > limits.max_items:
            return Problem(
                source,
                path,
                ("" if path else "the top level ")
                + f"holds {len(value)} entries, more than the limit",
                allowed=(f"at most max_items={limits.max_items}",),
            )
        pairs = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in pairs:
            if isinstance(item, dict | list):
                where = f"{path}[{key}]" if isinstance(key, int) else _joined(path, key)
                stack.append((item, depth + 1, where))
    return None


def _joined(path: str, key: str) -> str:
    shown = key if len(key) <= 40 else key[:37] + "..."
    return f"{path}.{shown}" if path else shown


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _duplicate_line(text: str, key: str) -> int | None:
    """The line of the second ``"key":`` in ``text`` (best effort)."""
    pattern = re.compile(re.escape(json.dumps(key)) + r"\s*:")
    found: Iterator[re.Match[str]] = pattern.finditer(text)
    next(found, None)
    second = next(found, None)
    return None if second is None else _line_at(text, second.start())


def _plain(value: Any) -> Any:
    """TOML gives dates and times as objects; the converter reads ISO text, as JSON has it."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def read_design_data(
    text: str, source: str, fmt: Format, limits: DesignLimits | None = None
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The plain data of a design text (TOML dates as ISO text), or the problems found.

    Nothing of the text is parsed past a limit; see the module docstring.
    """
    limits = limits if limits is not None else DesignLimits()
    text = text.removeprefix("\ufeff")  # a byte order mark, read as text, is no part of it

    def problem(message: str, line: int | None = None, allowed: Any = None) -> Problem:
        return Problem(source, "", message, line=line, allowed=allowed)

    if len(text) > limits.max_bytes:
        return None, [
            problem(
                f"is {len(text)} characters long, more than the limit",
                allowed=(f"at most max_bytes={limits.max_bytes}",),
            )
        ]
    found = _scan(text, limits)
    if found is not None:
        return None, [Problem(source, found.path, found.message, line=found.line,
                              allowed=found.allowed)]  # fmt: skip
    try:
        raw = (
            json.loads(text, object_pairs_hook=_unique_pairs)
            if fmt == "json"
            else tomllib.loads(text)
        )
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column \d+\)", str(error))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        return None, [problem(f"not valid TOML: {message}", line=line)]
    except json.JSONDecodeError as error:
        return None, [problem(f"not valid JSON: {error.msg}", line=error.lineno)]
    except _DuplicateKeyError as error:
        return None, [
            Problem(
                source,
                error.key if len(error.key) <= 100 else error.key[:97] + "...",
                "the key appears twice in one object",
                line=_duplicate_line(text, error.key),
                allowed=("each key once",),
            )
        ]
    except RecursionError:
        return None, [Problem(source, "", _too_deep(None, limits).message,
                              allowed=(f"at most max_depth={limits.max_depth}",))]  # fmt: skip
    except ValueError as error:  # the parsers' own limits, such as on number length
        long_number = _LONG_NUMBER.search(text)
        if long_number is not None:
            return None, [
                problem(
                    f"a number has more than {_MAX_DIGITS} digits",
                    line=_line_at(text, long_number.start()),
                    allowed=(f"at most {_MAX_DIGITS} digits",),
                )
            ]
        return None, [problem(f"cannot be read: {error}")]
    if isinstance(raw, dict | list):
        shape = _shape_problem(raw, source, limits)
        if shape is not None:
            return None, [shape]
    if not isinstance(raw, dict):
        return None, [problem("the top level must be a table of settings")]
    return _plain(raw), []
