"""People and life events from a pandas DataFrame or a list of records.

The values go through the very checks of the CSV readers
(:func:`~gesprekscyclus.planning.people_file.people_from_records`), so a DataFrame gets the
same messages as a file, every problem at once; a problem's "line" is the row's position,
counting from 1. What pandas hands over is turned into the text a CSV file would hold first:

- dates may be ``Timestamp``, ``datetime`` (at midnight, without a zone), ``date`` or
  ``YYYY-MM-DD`` text; a time of day is refused with a clear message;
- missing values (``None``, ``NaN``, ``NaT``, ``pd.NA``) leave the field empty;
- ``working_days`` may be text (``"ma di do"``, ``"mon,tue"``), a list of day names or a
  :class:`~gesprekscyclus.domain.people.WorkingPattern`;
- whole numbers that pandas turned into floats (an id column with gaps) lose their ``.0``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

import pandas as pd

from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person, WorkingPattern
from gesprekscyclus.planning.people_file import events_from_records, people_from_records

__all__ = ["events_from_frame", "people_from_frame"]

Table = pd.DataFrame | Iterable[Mapping[str, Any]]


def _text(value: Any) -> str:
    """``value`` as the text a CSV cell would hold."""
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):  # pandas Timestamps are datetimes
        if value.tzinfo is None and value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat()  # refused by the date check, with the value shown
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, WorkingPattern):
        return " ".join(value.names)
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(_text(item) for item in value)
    return str(value)


def _records(data: Table) -> list[dict[str, str]]:
    rows = data.to_dict(orient="records") if isinstance(data, pd.DataFrame) else list(data)
    return [{str(key): _text(value) for key, value in row.items()} for row in rows]


def people_from_frame(data: Table, *, source: str = "DataFrame") -> tuple[Person, ...]:
    """The people in ``data`` (a DataFrame or records with the columns of a people file).

    >>> frame = pd.DataFrame({"id": ["m-1", "e-1"], "name": ["Mila", "Daan"],
    ...                       "manager_id": [None, "m-1"],
    ...                       "hire_date": pd.to_datetime(["2019-04-01", "2024-02-29"]),
    ...                       "working_days": ["", "ma di do"]})
    >>> [(p.id, p.hire_date.isoformat(), p.working_pattern.names) for p in people_from_frame(frame)]
    [('m-1', '2019-04-01', ('mon', 'tue', 'wed', 'thu', 'fri')), ('e-1', '2024-02-29', \
('mon', 'tue', 'thu'))]
    """
    return people_from_records(_records(data), source=source)


def events_from_frame(
    data: Table, *, source: str = "DataFrame", people: Iterable[Person] | None = None
) -> tuple[LifeEvent, ...]:
    """The life events in ``data`` (columns ``person_id``, ``kind``, ``on``, ``detail``).

    With ``people``, every event must be about one of them, as for an events file.
    """
    return events_from_records(_records(data), source=source, people=people)
