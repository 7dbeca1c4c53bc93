"""Dates given by people: ``date`` values, ``YYYY-MM-DD`` text or a date-time at midnight.

Notebooks hand over dates in many shapes (text from a spreadsheet, a pandas ``Timestamp``,
a ``datetime``). :func:`as_date` turns each into a plain ``date`` at the edge, with the same
messages as the CSV readers, so a wrong value is refused where it enters and never crashes
deep inside the planner.

>>> as_date("2027-01-01", "start")
datetime.date(2027, 1, 1)
>>> from datetime import datetime
>>> as_date(datetime(2027, 1, 1), "start")
datetime.date(2027, 1, 1)
>>> as_date("2027-02-30", "start")
Traceback (most recent call last):
...
gesprekscyclus.errors.InvalidValueError: start: '2027-02-30' is not a valid date (expected \
YYYY-MM-DD)
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from gesprekscyclus.errors import InvalidValueError

__all__ = ["DateLike", "as_date"]

#: What :func:`as_date` accepts.
DateLike = date | datetime | str

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def as_date(value: object, path: str) -> date:
    """``value`` as a plain date; :class:`InvalidValueError` naming ``path`` otherwise.

    A ``datetime`` (pandas ``Timestamp`` included) counts when it has no time of day and no
    time zone; text must be ``YYYY-MM-DD``.
    """
    if isinstance(value, datetime):
        if value.tzinfo is not None or value.time() != time(0):
            raise InvalidValueError(
                path, f"{value!s} has a time of day or zone; give the date only (YYYY-MM-DD)"
            )
        return date(value.year, value.month, value.day)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not _ISO_DATE.fullmatch(text):
            raise InvalidValueError(path, f"{value!r} is not a date (expected YYYY-MM-DD)")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidValueError(
                path, f"{value!r} is not a valid date (expected YYYY-MM-DD)"
            ) from None
    raise InvalidValueError(
        path, f"must be a date or YYYY-MM-DD text, got {type(value).__name__} {value!r}"
    )
