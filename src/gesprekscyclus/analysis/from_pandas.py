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
from gesprekscyclus.errors import DesignError, Problem
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


def _records(data: Table, source: str, *, people: bool) -> list[Any]:
    """The rows of ``data`` as records of text (``Person`` records, for people, as they are);
    raises :class:`DesignError` for a table that is none, a column name that appears more
    than once (pandas would keep one of its values and drop the others unseen) or a row
    that is not a mapping."""
    if isinstance(data, pd.DataFrame):
        twice = data.columns[data.columns.duplicated()]
        if len(twice):
            raise DesignError(
                [
                    Problem(source, str(name), "column appears more than once")
                    for name in dict.fromkeys(twice)
                ]
            )
        rows: list[Any] = data.to_dict(orient="records")
    elif isinstance(data, Iterable) and not isinstance(data, str | bytes | Mapping):
        rows = list(data)
    else:
        raise DesignError(
            [
                Problem(
                    source,
                    "",
                    f"expected a DataFrame or an iterable of records, got {type(data).__name__}",
                )
            ]
        )
    records: list[Any] = []
    for number, row in enumerate(rows, start=1):
        if isinstance(row, Mapping):
            records.append({str(key): _text(value) for key, value in row.items()})
        elif people and isinstance(row, Person):
            records.append(row)
        else:
            kind = "a Person or a mapping" if people else "a mapping"
            raise DesignError(
                [Problem(source, "", f"a record is {kind}, got {type(row).__name__}", line=number)]
            )
    return records


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
    return people_from_records(_records(data, source, people=True), source=source)


def events_from_frame(
    data: Table, *, source: str = "DataFrame", people: Iterable[Person] | None = None
) -> tuple[LifeEvent, ...]:
    """The life events in ``data`` (columns ``person_id``, ``kind``, ``on``, ``detail``).

    With ``people``, every event must be about one of them, as for an events file.
    """
    return events_from_records(_records(data, source, people=False), source=source, people=people)
