"""Every N weeks, months, quarters or years from an anchor, in closed form."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from attrs import field, frozen

from gesprekscyclus.domain._checks import ClosedSet, field_path, positive, shown, typed_fields
from gesprekscyclus.domain.cadence._common import (
    AnchorKind,
    Occurrence,
    add_months,
    month_length,
    shift_months,
)
from gesprekscyclus.errors import InvalidValueError

# --- interval ---------------------------------------------------------------------------------


class IntervalUnit(ClosedSet):
    """The step of an :class:`Interval`."""

    WEEKS = "weeks"
    MONTHS = "months"
    QUARTERS = "quarters"
    YEARS = "years"


#: The longest step of an :class:`Interval` per unit: ten years.
MAX_EVERY = {
    IntervalUnit.WEEKS: 522,
    IntervalUnit.MONTHS: 120,
    IntervalUnit.QUARTERS: 40,
    IntervalUnit.YEARS: 10,
}


_MONTHS_PER_UNIT = {IntervalUnit.MONTHS: 1, IntervalUnit.QUARTERS: 3, IntervalUnit.YEARS: 12}


class AnchorTo(ClosedSet):
    """Whether the next date follows the *planned* grid or the date the last one was *held*."""

    PLANNED = "planned"
    HELD = "held"


def _month_number(instance: Any, attribute: Any, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise InvalidValueError(
            field_path(instance, attribute), f"must be a month 1..12, got {shown(value)}"
        )


def _day_number(instance: Any, attribute: Any, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 31:
        raise InvalidValueError(
            field_path(instance, attribute), f"must be a day of the month 1..31, got {shown(value)}"
        )


@frozen(field_transformer=typed_fields)
class Interval:
    """Every ``every`` ``unit`` from an anchor.

    - ``hire_date``: counted from the hire date; the hire date itself is not an occurrence
      (the first is ``n1``);
    - ``cycle_start``: counted from the cycle start, which is occurrence ``n0``;
    - ``fixed_month``: counted from ``day`` of ``month`` in the cycle start's year (``n0``);
      ``month`` is required for it and ``day`` applies only to it.

    Months are added to the anchor in one step (never chained), the day clipped to the
    month's end: from 31 January, monthly gives 28/29 February and then 31 March again.
    With ``anchor_to=held`` the next date counts from the date the last one was held.

    >>> review = Interval(every=6, unit="months", anchor="fixed_month", month=3)
    >>> [o.nominal.isoformat() for o in review.occurrences(date(2026, 3, 1), date(2026, 1, 1),
    ...                                                     date(2027, 12, 31))]
    ['2026-03-01', '2026-09-01', '2027-03-01', '2027-09-01']
    >>> Interval(every=2, unit="weeks", anchor_to="held").next_after_held(date(2026, 5, 6))
    datetime.date(2026, 5, 20)
    """

    KIND: ClassVar[str] = "interval"

    every: int = field(validator=positive)
    unit: IntervalUnit = field(converter=IntervalUnit)
    anchor: AnchorKind = field(default=AnchorKind.HIRE_DATE, converter=AnchorKind)
    month: int | None = field(default=None, validator=_month_number)
    day: int = field(default=1, validator=_day_number)
    anchor_to: AnchorTo = field(default=AnchorTo.PLANNED, converter=AnchorTo)

    def __attrs_post_init__(self) -> None:
        most = MAX_EVERY[self.unit]
        if self.every > most:
            raise InvalidValueError(
                "Interval.every",
                f"every {shown(self.every)} {self.unit} is more than ten years",
                allowed=(f"1..{most} for {self.unit}",),
            )
        if self.anchor is AnchorKind.FIXED_MONTH and self.month is None:
            raise InvalidValueError("Interval.month", "is required with anchor=fixed_month")
        if self.anchor is not AnchorKind.FIXED_MONTH:
            if self.month is not None:
                raise InvalidValueError(
                    "Interval.month", f"applies only to anchor=fixed_month, not {self.anchor}"
                )
            if self.day != 1:
                raise InvalidValueError(
                    "Interval.day", f"applies only to anchor=fixed_month, not {self.anchor}"
                )

    @property
    def first_index(self) -> int:
        """The index of the first occurrence: 1 from a hire date, else 0 (the anchor)."""
        return 1 if self.anchor is AnchorKind.HIRE_DATE else 0

    def anchor_date(self, *, hire_date: date, cycle_start: date) -> date:
        """The date this rhythm counts from for one person."""
        if self.anchor is AnchorKind.HIRE_DATE:
            return hire_date
        if self.anchor is AnchorKind.CYCLE_START:
            return cycle_start
        month = self.month or 1
        return date(cycle_start.year, month, min(self.day, month_length(cycle_start.year, month)))

    def nominal(self, anchor: date, n: int) -> date:
        """The ``n``-th date counted from ``anchor`` (``n = 0`` is the anchor)."""
        months = _MONTHS_PER_UNIT.get(self.unit)
        if months is None:
            return anchor + timedelta(days=7 * self.every * n)
        return shift_months(
            anchor.year, anchor.month, self._day_of(anchor), months * self.every * n
        )

    def _day_of(self, anchor: date) -> int:
        return self.day if self.anchor is AnchorKind.FIXED_MONTH else anchor.day

    def indexed_dates(
        self, anchor: date, start: date, end: date, *, first: int | None = None
    ) -> list[tuple[int, date]]:
        """``(n, date)`` for every date in ``[start, end]`` with ``n >= first``.

        ``first`` defaults to :attr:`first_index`. Closed form: the cost depends on the
        number of dates returned, not on how long ago the anchor lies.
        """
        lowest = self.first_index if first is None else first
        if end < start:
            return []
        months = _MONTHS_PER_UNIT.get(self.unit)
        result: list[tuple[int, date]] = []
        if months is None:
            step = 7 * self.every
            a = anchor.toordinal()
            n = max(lowest, -((a - start.toordinal()) // step))  # ceil((start - a) / step)
            last = (end.toordinal() - a) // step
            while n <= last:
                result.append((n, date.fromordinal(a + n * step)))
                n += 1
            return result
        step = months * self.every
        year, month, day = anchor.year, anchor.month, self._day_of(anchor)
        months_ahead = (start.year - year) * 12 + start.month - month
        n = max(lowest, months_ahead // step)
        base = year * 12 + month - 1
        end_ord = end.toordinal()
        start_ord = start.toordinal()
        while True:
            y, m0 = divmod(base + n * step, 12)
            m = m0 + 1
            d = day if day <= 28 else min(day, month_length(y, m))
            current = date(y, m, d)
            o = current.toordinal()
            if o > end_ord:
                return result
            if o >= start_ord:
                result.append((n, current))
            n += 1

    def occurrences(self, anchor: date, start: date, end: date) -> list[Occurrence]:
        """The planned dates in ``[start, end]``, keyed ``n<index>`` from ``anchor``."""
        return [Occurrence(f"n{n}", d) for n, d in self.indexed_dates(anchor, start, end)]

    def next_after_held(self, held_on: date) -> date:
        """The next date when the last one was held on ``held_on`` (for ``anchor_to=held``)."""
        months = _MONTHS_PER_UNIT.get(self.unit)
        if months is None:
            return held_on + timedelta(days=7 * self.every)
        return add_months(held_on, months * self.every)

    def after_held(self, held_on: date, start: date, end: date) -> list[Occurrence]:
        """Dates in ``[start, end]`` counted from the last held date, keyed by that date."""
        prefix = f"after-{held_on.isoformat()}-n"
        dates = self._from_held(held_on, start, end)
        return [Occurrence(f"{prefix}{n}", d) for n, d in dates]

    def _from_held(self, held_on: date, start: date, end: date) -> list[tuple[int, date]]:
        plain = Interval(every=self.every, unit=self.unit, anchor=AnchorKind.CYCLE_START)
        return plain.indexed_dates(held_on, start, end, first=1)
