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
- whole numbers that pandas turned into floats (an id column with gaps) lose their ``.0``;
  a float that cannot stand for the number in the source, infinite or a whole number past
  2**53 (where floats skip whole numbers, so an id would silently become another one), is
  refused with the row and column.
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


#: The largest whole number up to which every whole number is a float.
_EXACT_FLOAT = 2**53


class _UnreadableError(Exception):
    """A value no cell of a file could have held; ``why`` says so."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


def _text(value: Any) -> str:
    """``value`` as the text a CSV cell would hold; raises :class:`_UnreadableError` for a
    float that stands for no such text."""
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            raise _UnreadableError(f"{value!r} is not a value a file could hold")
        if not value.is_integer():
            return repr(value)
        if abs(value) > _EXACT_FLOAT:
            raise _UnreadableError(
                f"{value!r} is a float past 2**53, which stands for many whole numbers: "
                "give the column as text or as pandas' Int64"
            )
        return str(int(value))
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
    unreadable: list[Problem] = []
    for number, row in enumerate(rows, start=1):
        if isinstance(row, Mapping):
            record = {}
            for key, value in row.items():
                try:
                    record[str(key)] = _text(value)
                except _UnreadableError as error:
                    unreadable.append(Problem(source, str(key), error.why, line=number))
            records.append(record)
        elif people and isinstance(row, Person):
            records.append(row)
        else:
            kind = "a Person or a mapping" if people else "a mapping"
            raise DesignError(
                [Problem(source, "", f"a record is {kind}, got {type(row).__name__}", line=number)]
            )
    if unreadable:
        raise DesignError(unreadable)
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
