"""Once a year on the person's date, with a 29 February policy."""

from __future__ import annotations

import calendar
from datetime import date
from typing import ClassVar

from attrs import field, frozen

from gesprekscyclus.domain._checks import typed_fields
from gesprekscyclus.domain.cadence._common import (
    AnchorKind,
    Occurrence,
    person_anchor,
)
from gesprekscyclus.domain.people import LeapDayPolicy

# --- anniversary ------------------------------------------------------------------------------


def anniversary_dates(
    anchor: date, start: date, end: date, policy: LeapDayPolicy | str = LeapDayPolicy.FEB28
) -> list[tuple[int, date]]:
    """``(years, date)`` of each anniversary of ``anchor`` in ``[start, end]``.

    The anchor itself (year 0) is not an anniversary. A 29 February anchor falls in common
    years on 28 February (``feb28``), 1 March (``mar1``) or not at all (``omit``).

    >>> anniversary_dates(date(2020, 2, 29), date(2021, 1, 1), date(2024, 12, 31), "mar1")
    [(1, datetime.date(2021, 3, 1)), (2, datetime.date(2022, 3, 1)),
     (3, datetime.date(2023, 3, 1)), (4, datetime.date(2024, 2, 29))]
    """
    rule = LeapDayPolicy(policy)
    leap_day = anchor.month == 2 and anchor.day == 29
    result: list[tuple[int, date]] = []
    for year in range(max(start.year, anchor.year + 1), end.year + 1):
        if leap_day and not calendar.isleap(year):
            if rule is LeapDayPolicy.OMIT:
                continue
            day = date(year, 2, 28) if rule is LeapDayPolicy.FEB28 else date(year, 3, 1)
        else:
            day = anchor.replace(year=year)
        if start <= day <= end:
            result.append((year - anchor.year, day))
    return result


@frozen(field_transformer=typed_fields)
class Anniversary:
    """Once a year on the anchor's date (the hire date by default), keyed ``y<years>``.

    The person's :class:`~gesprekscyclus.domain.people.LeapDayPolicy` places a 29 February
    anniversary in common years; see :func:`anniversary_dates`.
    """

    KIND: ClassVar[str] = "anniversary"

    of: AnchorKind = field(
        default=AnchorKind.HIRE_DATE, converter=AnchorKind, validator=person_anchor
    )

    def occurrences(
        self, anchor: date, start: date, end: date, policy: LeapDayPolicy | str
    ) -> list[Occurrence]:
        """The anniversaries of ``anchor`` in ``[start, end]``."""
        return [Occurrence(f"y{n}", d) for n, d in anniversary_dates(anchor, start, end, policy)]
