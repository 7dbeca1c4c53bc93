"""JSON text as ``json.dumps(value, ensure_ascii=False, indent=2)`` writes it, faster.

With an indent the standard library encodes in pure Python, through a generic machinery
that costs most of the time of a large plan's JSON output. :func:`indented` writes the same
text for the values the command line prints (dicts with text keys, lists, tuples, text,
numbers, booleans and ``None``), one value at a time so that a long list can be streamed.
Anything else is handed to ``json.dumps`` itself.

>>> value = {"id": "c-1", "moved_by": ["weekend"], "basis": None, "n": [], "x": {"a": 1.5}}
>>> indented(value) == json.dumps(value, ensure_ascii=False, indent=2)
True
>>> print(indented({"a": [1, True]}, "  "))
{
    "a": [
      1,
      true
    ]
  }
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring
from typing import Any

__all__ = ["indented"]

_STEP = "  "


def _float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == float("-inf"):
        return "-Infinity"
    return float.__repr__(value)


def indented(value: Any, indent: str = "") -> str:
    """``value`` as indented JSON text, its inner lines starting with ``indent``."""
    kind = type(value)
    if kind is str:
        return str(encode_basestring(value))
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        return _float(value)
    inner = indent + _STEP
    if kind is dict:
        if not value:
            return "{}"
        parts = []
        for key, item in value.items():
            if type(key) is not str:
                return _fallback(value, indent)
            parts.append(f"{inner}{encode_basestring(key)}: {indented(item, inner)}")
        return "{\n" + ",\n".join(parts) + "\n" + indent + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        return (
            "[\n"
            + ",\n".join(inner + indented(item, inner) for item in value)
            + "\n"
            + indent
            + "]"
        )
    return _fallback(value, indent)


def _fallback(value: Any, indent: str) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)
