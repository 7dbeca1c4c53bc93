"""Which query parameters can match a stored row at all."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

__all__ = ["findable"]

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def findable(params: Sequence[Any]) -> bool:
    """Whether a query with ``params`` can match a row: text with a NUL or a lone surrogate
    is in no row (the value objects refuse it), and the drivers would fail to send it, so a
    lookup with one finds nothing, as in the memory store.

    >>> findable(("e-1", 3)), findable(("e\\x00",)), findable((["a", "\\udc80"],))
    (True, False, False)
    """
    for param in params:
        values = param if isinstance(param, list | tuple) else (param,)
        if any(isinstance(value, str) and _UNSTORABLE.search(value) for value in values):
            return False
    return True
