"""Cadences: when a conversation type falls due for one person.

A cadence turns an anchor (a hire date, the cycle start, a life event) into *nominal* dates:
dates before any working-day adjustment, which the planner applies later with a calendar.
Every date comes as an :class:`Occurrence` whose ``key`` identifies it whatever window was
asked for, so the planner can derive stable conversation ids from ``(person, type, key)``.

Five kinds make up :data:`Cadence`:

- :class:`Interval`: every N weeks/months/quarters/years from an anchor, computed in closed
  form (month arithmetic from the anchor, the day clipped to the month end, never chained);
- :class:`RRuleCadence`: any date-valued RFC 5545 RRULE, validated strictly and expanded
  within bounds, jumping to the requested window instead of replaying from an old anchor;
- :class:`Anniversary`: once a year on the person's date, with a 29 February policy;
- :class:`LifecycleOffset`: a fixed offset from a life event (hired + 30 days, 5 working
  days before the last day);
- :class:`Threshold`: the N-th event within a rolling window triggers one conversation.

:class:`AnswerTrigger` is separate: an answer in a held conversation asks for a follow-up.
:func:`expand` is the one entry point the planner calls per person and conversation type.

>>> from datetime import date
>>> from gesprekscyclus.domain.people import Person
>>> anna = Person(id="e-1", name="Anna", hire_date=date(2024, 1, 31))
>>> monthly = Interval(every=1, unit=IntervalUnit.MONTHS)
>>> [tuple(o) for o in expand(monthly, person=anna, cycle_start=date(2024, 1, 1), events=(),
...                           start=date(2024, 2, 1), end=date(2024, 4, 30))]
[('n1', datetime.date(2024, 2, 29)), ('n2', datetime.date(2024, 3, 31)),
 ('n3', datetime.date(2024, 4, 30))]
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import MAXYEAR, date, timedelta
from functools import lru_cache
from typing import Any, ClassVar, Literal, NamedTuple, TypeAlias

import dateutil.rrule as _du
from attrs import field, frozen

from gesprekscyclus.domain._checks import ClosedSet, field_path, non_blank, positive
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import LeapDayPolicy, Person
from gesprekscyclus.errors import ExpansionLimitError, InvalidValueError

__all__ = [
    "DEFAULT_MAX_ITERATIONS",
    "DEFAULT_MAX_SECONDS",
    "AddWorkingDays",
    "AnchorKind",
    "AnchorTo",
    "Anniversary",
    "AnswerOperator",
    "AnswerTrigger",
    "Cadence",
    "Interval",
    "IntervalUnit",
    "LifecycleOffset",
    "Occurrence",
    "RRuleCadence",
    "Threshold",
    "add_months",
    "anniversary_dates",
    "expand",
]

#: Default bound on the recurrence periods one RRULE expansion may examine.
DEFAULT_MAX_ITERATIONS = 100_000
#: Default bound on the wall time one RRULE expansion may take, in seconds.
DEFAULT_MAX_SECONDS = 1.0

#: ``add_working_days(day, n)``: the date ``n`` working days after ``day`` (before it when
#: ``n`` is negative), as a calendar computes it.
AddWorkingDays: TypeAlias = Callable[[date, int], date]


class Occurrence(NamedTuple):
    """One nominal date of a cadence, with a key that stays the same in every window."""

    key: str
    nominal: date


# Real types instead of the postponed strings, so the serializer can rebuild occurrences.
Occurrence.__annotations__ = {"key": str, "nominal": date}


# --- month arithmetic -----------------------------------------------------------------------

_MONTH_LENGTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_length(year: int, month: int) -> int:
    if month == 2 and calendar.isleap(year):
        return 29
    return _MONTH_LENGTHS[month - 1]


def _shift(year: int, month: int, day: int, months: int) -> date:
    """``day`` of the month ``months`` after (year, month), clipped to that month's end."""
    y, m0 = divmod(year * 12 + month - 1 + months, 12)
    m = m0 + 1
    if day > 28:
        day = min(day, _month_length(y, m))
    return date(y, m, day)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, the day of the month clipped to the month's end.

    >>> add_months(date(2024, 1, 31), 1), add_months(date(2023, 1, 31), 1)
    (datetime.date(2024, 2, 29), datetime.date(2023, 2, 28))
    """
    return _shift(day.year, day.month, day.day, months)


# --- interval ---------------------------------------------------------------------------------


class IntervalUnit(ClosedSet):
    """The step of an :class:`Interval`."""

    WEEKS = "weeks"
    MONTHS = "months"
    QUARTERS = "quarters"
    YEARS = "years"


_MONTHS_PER_UNIT = {IntervalUnit.MONTHS: 1, IntervalUnit.QUARTERS: 3, IntervalUnit.YEARS: 12}


class AnchorKind(ClosedSet):
    """Which date a rhythm counts from."""

    CYCLE_START = "cycle_start"
    HIRE_DATE = "hire_date"
    FIXED_MONTH = "fixed_month"


class AnchorTo(ClosedSet):
    """Whether the next date follows the *planned* grid or the date the last one was *held*."""

    PLANNED = "planned"
    HELD = "held"


def _month_number(instance: Any, attribute: Any, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise InvalidValueError(
            field_path(instance, attribute), f"must be a month 1..12, got {value!r}"
        )


def _day_number(instance: Any, attribute: Any, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 31:
        raise InvalidValueError(
            field_path(instance, attribute), f"must be a day of the month 1..31, got {value!r}"
        )


@frozen
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
        return date(cycle_start.year, month, min(self.day, _month_length(cycle_start.year, month)))

    def nominal(self, anchor: date, n: int) -> date:
        """The ``n``-th date counted from ``anchor`` (``n = 0`` is the anchor)."""
        months = _MONTHS_PER_UNIT.get(self.unit)
        if months is None:
            return anchor + timedelta(days=7 * self.every * n)
        return _shift(anchor.year, anchor.month, self._day_of(anchor), months * self.every * n)

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
            d = day if day <= 28 else min(day, _month_length(y, m))
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


# --- RRULE --------------------------------------------------------------------------------------

_RULE_PATH = "RRuleCadence.rule"
_FREQS: dict[str, _Freq] = {
    "YEARLY": _du.YEARLY,
    "MONTHLY": _du.MONTHLY,
    "WEEKLY": _du.WEEKLY,
    "DAILY": _du.DAILY,
}
_TIME_FREQS = ("HOURLY", "MINUTELY", "SECONDLY")
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PARTS = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "WKST",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
)
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_INT = re.compile(r"[+-]?\d{1,4}")
_BYDAY = re.compile(r"([+-]?\d{1,2})?([A-Z]{2})")
_UNTIL = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?")


_Freq: TypeAlias = Literal[0, 1, 2, 3, 4, 5, 6]


class _Rule(NamedTuple):
    """A validated rule, ready to hand to dateutil."""

    freq: _Freq
    interval: int
    total: int | None
    until: date | None
    wkst: int
    byday: tuple[tuple[int, int | None], ...] | None
    bymonthday: tuple[int, ...] | None
    byyearday: tuple[int, ...] | None
    byweekno: tuple[int, ...] | None
    bymonth: tuple[int, ...] | None
    bysetpos: tuple[int, ...] | None


def _bad(part: str, problem: str, allowed: Sequence[object] | None = None) -> InvalidValueError:
    return InvalidValueError(_RULE_PATH, f"{part}: {problem}", allowed=allowed)


def _int(part: str, text: str, low: int, high: int, *, signed: bool) -> int:
    if not _INT.fullmatch(text):
        raise _bad(part, f"{text!r} is not a whole number")
    value = int(text)
    if value == 0 or abs(value) < low or abs(value) > high or (value < 0 and not signed):
        span = f"{low}..{high}" + (f" or -{high}..-{low}" if signed else "")
        raise _bad(part, f"{text!r} is out of range {span}")
    return value


def _ints(part: str, text: str, high: int, *, signed: bool = True) -> tuple[int, ...]:
    return tuple(sorted({_int(part, item, 1, high, signed=signed) for item in text.split(",")}))


@lru_cache(maxsize=4096)
def _parse(text: str) -> _Rule:
    values: dict[str, str] = {}
    for raw in text.split(";"):
        name, equals, value = raw.partition("=")
        name = name.strip()
        if not equals or not name or not value.strip():
            raise _bad(raw or "(empty)", "expected NAME=VALUE", allowed=_PARTS)
        if name in _TIME_PARTS:
            raise _bad(
                name,
                "time-of-day parts are not allowed; a conversation's time is set elsewhere",
                allowed=_PARTS,
            )
        if name not in _PARTS:
            raise _bad(
                name,
                "unknown rule part (DTSTART, TZID and zones never go in the rule)",
                allowed=_PARTS,
            )
        if name in values:
            raise _bad(name, "may occur only once")
        values[name] = value.strip()

    if "FREQ" not in values:
        raise _bad("FREQ", "is required", allowed=tuple(_FREQS))
    freq_name = values["FREQ"]
    if freq_name not in _FREQS:
        problem = (
            "time-based frequencies are not allowed"
            if freq_name in _TIME_FREQS
            else (f"unknown frequency {freq_name!r}")
        )
        raise _bad("FREQ", problem, allowed=tuple(_FREQS))
    freq = _FREQS[freq_name]
    interval = (
        _int("INTERVAL", values["INTERVAL"], 1, 9999, signed=False) if ("INTERVAL" in values) else 1
    )
    if "COUNT" in values and "UNTIL" in values:
        raise _bad("COUNT", "UNTIL and COUNT must not be used together")
    count = _int("COUNT", values["COUNT"], 1, 9999, signed=False) if "COUNT" in values else None
    until = _parse_until(values["UNTIL"]) if "UNTIL" in values else None

    wkst_name = values.get("WKST", "MO")
    if wkst_name not in _DAYS:
        raise _bad("WKST", f"unknown weekday {wkst_name!r}", allowed=_DAYS)
    wkst = _DAYS.index(wkst_name)

    return _Rule(freq, interval, count, until, wkst, *_parse_by(values, freq_name))


def _parse_by(values: Mapping[str, str], freq_name: str) -> tuple[Any, ...]:
    """The BYxxx parts, checked against the frequency as RFC 5545 section 3.3.10 demands."""
    byday = None
    if "BYDAY" in values:
        byday = tuple(_parse_byday(item, freq_name, values) for item in values["BYDAY"].split(","))
    bymonthday = None
    if "BYMONTHDAY" in values:
        if freq_name == "WEEKLY":
            raise _bad("BYMONTHDAY", "not allowed with FREQ=WEEKLY")
        bymonthday = _ints("BYMONTHDAY", values["BYMONTHDAY"], 31)
    byyearday = None
    if "BYYEARDAY" in values:
        if freq_name != "YEARLY":
            raise _bad("BYYEARDAY", f"only allowed with FREQ=YEARLY, not {freq_name}")
        byyearday = _ints("BYYEARDAY", values["BYYEARDAY"], 366)
    byweekno = None
    if "BYWEEKNO" in values:
        if freq_name != "YEARLY":
            raise _bad("BYWEEKNO", f"only allowed with FREQ=YEARLY, not {freq_name}")
        byweekno = _ints("BYWEEKNO", values["BYWEEKNO"], 53)
    bymonth = (
        _ints("BYMONTH", values["BYMONTH"], 12, signed=False) if ("BYMONTH" in values) else None
    )
    bysetpos = None
    if "BYSETPOS" in values:
        if not any(name.startswith("BY") and name != "BYSETPOS" for name in values):
            raise _bad("BYSETPOS", "needs another BYxxx part to select from")
        bysetpos = _ints("BYSETPOS", values["BYSETPOS"], 366)
    return byday, bymonthday, byyearday, byweekno, bymonth, bysetpos


def _parse_until(text: str) -> date:
    match = _UNTIL.fullmatch(text)
    if match is None:
        raise _bad("UNTIL", f"{text!r} is not a date (YYYYMMDD) or local date-time")
    if match.group(7):
        raise _bad("UNTIL", "must be a local date or date-time; zones never go in the rule")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise _bad("UNTIL", f"{text!r} is not a valid date") from None


def _parse_byday(item: str, freq: str, values: Mapping[str, str]) -> tuple[int, int | None]:
    match = _BYDAY.fullmatch(item)
    if match is None or match.group(2) not in _DAYS:
        raise _bad("BYDAY", f"{item!r} is not a weekday such as MO, FR or -1FR", allowed=_DAYS)
    day = _DAYS.index(match.group(2))
    if match.group(1) is None:
        return day, None
    if freq not in ("MONTHLY", "YEARLY"):
        raise _bad("BYDAY", f"ordinal {item!r} only allowed with FREQ=MONTHLY or YEARLY")
    if freq == "YEARLY" and "BYWEEKNO" in values:
        raise _bad("BYDAY", f"ordinal {item!r} not allowed together with BYWEEKNO")
    within_month = freq == "MONTHLY" or "BYMONTH" in values
    return day, _int("BYDAY", match.group(1), 1, 5 if within_month else 53, signed=True)


def _rrule(rule: _Rule, anchor: date) -> _du.rrule:
    """The dateutil rule from ``anchor``: it fills the parts the rule leaves to DTSTART."""
    byday = None if rule.byday is None else [_du.weekday(d, n) for d, n in rule.byday]
    return _du.rrule(
        rule.freq,
        dtstart=anchor,
        interval=rule.interval,
        wkst=rule.wkst,
        count=rule.total,
        until=rule.until,
        bysetpos=rule.bysetpos,
        bymonth=rule.bymonth,
        bymonthday=rule.bymonthday,
        byyearday=rule.byyearday,
        byweekno=rule.byweekno,
        byweekday=byday,
    )


# dateutil builds its per-year masks (week numbers, n-th weekdays) in a helper class; reusing
# it keeps those rules identical to dateutil's while this module drives a bounded loop.
_IterInfo: Any = vars(_du)["_iterinfo"]


def _expand(  # noqa: PLR0915 - one loop, kept together for speed
    rule: _Rule,
    anchor: date,
    lo: date,
    hi: date | None,
    *,
    first_only: bool,
    max_iterations: int,
    max_seconds: float,
) -> list[date]:
    """Dates of ``rule`` from ``anchor`` within ``[lo, hi]`` (``hi=None``: the first one)."""
    rr = _rrule(rule, anchor)
    state = vars(rr)
    bymonth: tuple[int, ...] | None = state["_bymonth"]
    byweekno = state["_byweekno"]
    byweekday = state["_byweekday"]
    bymonthday: tuple[int, ...] = state["_bymonthday"]
    bynmonthday: tuple[int, ...] = state["_bynmonthday"]
    byyearday = state["_byyearday"]
    bysetpos = state["_bysetpos"]
    count: int | None = state["_count"]
    freq, interval, wkst = rule.freq, rule.interval, rule.wkst
    until_ord = rule.until.toordinal() if rule.until is not None else None
    anchor_ord = anchor.toordinal()
    lo_ord = lo.toordinal()
    hi_ord = hi.toordinal() if hi is not None else None
    info = _IterInfo(rr)
    month_set = frozenset(bymonth) if bymonth else None

    # The first period to look at: the anchor's, or for rules without COUNT the last period
    # of the anchor's grid that starts on or before ``lo`` (whole multiples of the interval).
    year, month = anchor.year, anchor.month
    first_period = True
    if freq == _du.YEARLY:
        jump = max(0, (lo.year - year) // interval) * interval if count is None else 0
        if jump:
            year, month, first_period = year + jump, 1, False
    elif freq == _du.MONTHLY:
        months = (lo.year - year) * 12 + lo.month - month
        jump = max(0, months // interval) * interval if count is None else 0
        if jump:
            year, m0 = divmod(year * 12 + month - 1 + jump, 12)
            month, first_period = m0 + 1, False
    week_start = anchor_ord - (anchor.weekday() - wkst) % 7
    day_ord = anchor_ord
    if freq == _du.WEEKLY and count is None:
        lo_week = lo_ord - (lo.weekday() - wkst) % 7
        jump = max(0, (lo_week - week_start) // (7 * interval))
        if jump:
            week_start += jump * 7 * interval
            first_period = False
    elif freq == _du.DAILY and count is None:
        day_ord += max(0, (lo_ord - anchor_ord) // interval) * interval
    if freq in (_du.WEEKLY, _du.DAILY):
        first = date.fromordinal(day_ord if freq == _du.DAILY or first_period else week_start)
        year, month = first.year, first.month

    found: list[date] = []
    iterations = 0
    deadline = time.perf_counter() + max_seconds
    while True:
        iterations += 1
        if iterations > max_iterations:
            raise ExpansionLimitError(
                f"{_RULE_PATH}: expansion examined {max_iterations} periods without finishing"
            )
        if not iterations & 255 and time.perf_counter() > deadline:
            raise ExpansionLimitError(
                f"{_RULE_PATH}: expansion took longer than {max_seconds} seconds"
            )
        # The period's first day (ordinal) and the candidate day indexes within the year.
        if freq == _du.YEARLY:
            period_ord = date(year, 1, 1).toordinal()
        elif freq == _du.MONTHLY:
            period_ord = date(year, month, 1).toordinal()
        elif freq == _du.WEEKLY:
            period_ord = anchor_ord if first_period else week_start
        else:
            period_ord = day_ord
        if (hi_ord is not None and period_ord > hi_ord) or (
            until_ord is not None and period_ord > until_ord
        ):
            return found
        info.rebuild(year, month)
        base = info.yearordinal
        if freq == _du.YEARLY:
            if month_set is not None:
                ranges = [(info.mrange[m - 1], info.mrange[m]) for m in sorted(month_set)]
            else:
                ranges = [(0, info.yearlen)]
        elif freq == _du.MONTHLY:
            if month_set is not None and month not in month_set:
                ranges = []
            else:
                ranges = [(info.mrange[month - 1], info.mrange[month])]
        elif freq == _du.WEEKLY:
            begin = period_ord - base
            stop = week_start + 7 - base
            ranges = [(begin, stop)]
        else:
            ranges = [(day_ord - base, day_ord - base + 1)]

        mmask, wdaymask, wnomask = info.mmask, info.wdaymask, info.wnomask
        nwdaymask, mdaymask, nmdaymask = info.nwdaymask, info.mdaymask, info.nmdaymask
        yearlen, nextyearlen = info.yearlen, info.nextyearlen
        chosen: list[int] = []
        for begin, stop in ranges:
            for i in range(begin, stop):
                if month_set is not None and mmask[i] not in month_set:
                    continue
                if byweekno and not wnomask[i]:
                    continue
                if byweekday and wdaymask[i] not in byweekday:
                    continue
                if nwdaymask and not nwdaymask[i]:
                    continue
                if (bymonthday or bynmonthday) and (
                    mdaymask[i] not in bymonthday and nmdaymask[i] not in bynmonthday
                ):
                    continue
                if byyearday:
                    if i < yearlen:
                        if i + 1 not in byyearday and i - yearlen not in byyearday:
                            continue
                    elif (
                        i + 1 - yearlen not in byyearday
                        and i - yearlen - nextyearlen not in byyearday
                    ):
                        continue
                chosen.append(i)
        if bysetpos and chosen:
            picked: set[int] = set()
            for pos in bysetpos:
                index = pos - 1 if pos > 0 else pos
                if -len(chosen) <= index < len(chosen):
                    picked.add(chosen[index])
            chosen = sorted(picked)
        for i in chosen:
            o = base + i
            if until_ord is not None and o > until_ord:
                return found
            if o < anchor_ord:
                continue
            if count is not None:
                count -= 1
                if count < 0:
                    return found
            if hi_ord is not None and o > hi_ord:
                return found
            if o >= lo_ord:
                found.append(date.fromordinal(o))
                if first_only:
                    return found

        # Next period.
        if freq == _du.YEARLY:
            year += interval
        elif freq == _du.MONTHLY:
            year, m0 = divmod(year * 12 + month - 1 + interval, 12)
            month = m0 + 1
        else:
            if freq == _du.WEEKLY:
                week_start += 7 * interval
                first_period = False
                next_ord = week_start
            else:
                day_ord += interval
                next_ord = day_ord
            if next_ord > _LAST_ORDINAL:
                year = MAXYEAR + 1
            else:
                following = date.fromordinal(next_ord)
                year, month = following.year, following.month
        first_period = False
        if year > MAXYEAR:
            return found


_LAST_ORDINAL = date(MAXYEAR, 12, 31).toordinal()


def _normal_rule(value: str) -> str:
    if not isinstance(value, str):
        raise InvalidValueError(_RULE_PATH, f"must be text, got {value!r}")
    text = value.strip().upper()
    if text.startswith("RRULE:"):
        text = text[len("RRULE:") :]
    return text


def _valid_rule(instance: Any, attribute: Any, value: str) -> None:
    _parse(value)


def _person_anchor(instance: Any, attribute: Any, value: AnchorKind) -> None:
    if value is AnchorKind.FIXED_MONTH:
        raise InvalidValueError(
            field_path(instance, attribute),
            f"{value} needs a month; use a date anchor",
            allowed=(AnchorKind.HIRE_DATE, AnchorKind.CYCLE_START),
        )


@frozen
class RRuleCadence:
    """An RFC 5545 recurrence rule producing dates (the text after ``RRULE:``).

    The rule is checked when the cadence is built; every problem raises
    :class:`~gesprekscyclus.errors.InvalidValueError` naming ``RRuleCadence.rule`` and the
    part. Only FREQ=YEARLY/MONTHLY/WEEKLY/DAILY are accepted; no time-of-day parts, no zone
    and no DTSTART in the text. Names are case-insensitive and stored upper-case.

    The anchor passed to :meth:`occurrences` plays the role of DTSTART: it fills in the parts
    the rule leaves out (``FREQ=MONTHLY`` falls on the anchor's day of the month) and nothing
    happens before it. An anchor that does not itself match the rule is *normalised*, not
    rejected: the first occurrence is the first match on or after it, exactly as
    ``dateutil.rrule`` computes it. COUNT counts matches from the anchor on. ``anchor``
    says which date :func:`expand` passes: the hire date (default) or the cycle start.

    >>> last_workday = RRuleCadence("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1")
    >>> [o.key for o in last_workday.occurrences(date(1996, 4, 1), date(2026, 1, 1),
    ...                                          date(2026, 3, 31))]
    ['2026-01-30', '2026-02-27', '2026-03-31']
    >>> RRuleCadence("FREQ=WEEKLY;BYDAY=-1FR")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: RRuleCadence.rule: BYDAY: ordinal '-1FR' only
    allowed with FREQ=MONTHLY or YEARLY
    """

    KIND: ClassVar[str] = "rrule"

    rule: str = field(converter=_normal_rule, validator=_valid_rule)
    anchor: AnchorKind = field(
        default=AnchorKind.HIRE_DATE, converter=AnchorKind, validator=_person_anchor
    )

    def dates(
        self,
        anchor: date,
        start: date,
        end: date,
        *,
        max_iterations: int = DEFAULT_MAX_ITERATIONS,
        max_seconds: float = DEFAULT_MAX_SECONDS,
    ) -> list[date]:
        """The rule's dates in ``[start, end]`` from ``anchor``; see :meth:`occurrences`."""
        if end < start:
            return []
        return _expand(
            _parse(self.rule),
            anchor,
            max(start, anchor),
            end,
            first_only=False,
            max_iterations=max_iterations,
            max_seconds=max_seconds,
        )

    def occurrences(
        self,
        anchor: date,
        start: date,
        end: date,
        *,
        max_iterations: int = DEFAULT_MAX_ITERATIONS,
        max_seconds: float = DEFAULT_MAX_SECONDS,
    ) -> list[Occurrence]:
        """The occurrences in ``[start, end]`` (both inclusive), keyed by their ISO date.

        Equal to ``dateutil.rrule`` from ``anchor``, but a rule without COUNT starts at the
        period of its grid nearest ``start``, so an anchor thirty years back costs the same as
        last month's. A COUNT rule has to count from the anchor; COUNT itself bounds it.
        ``max_iterations`` bounds the periods (years, months, weeks or days) examined and
        ``max_seconds`` the time taken; past either,
        :class:`~gesprekscyclus.errors.ExpansionLimitError` is raised. The bounds limit work
        only and never change a result that is returned.
        """
        dates = self.dates(
            anchor, start, end, max_iterations=max_iterations, max_seconds=max_seconds
        )
        return [Occurrence(d.isoformat(), d) for d in dates]

    def next_after(
        self,
        anchor: date,
        after: date,
        *,
        max_iterations: int = DEFAULT_MAX_ITERATIONS,
        max_seconds: float = DEFAULT_MAX_SECONDS,
    ) -> date | None:
        """The first date strictly after ``after``, or ``None`` once the rule has ended.

        A rule that never matches again (``FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30``) raises
        :class:`~gesprekscyclus.errors.ExpansionLimitError` when a bound is reached, or when
        the search runs past the last representable year.

        >>> RRuleCadence("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").next_after(
        ...     date(2020, 1, 1), date(2020, 1, 1))
        Traceback (most recent call last):
        ...
        gesprekscyclus.errors.ExpansionLimitError: RRuleCadence.rule: no occurrence ...
        """
        rule = _parse(self.rule)
        lo = max(after + timedelta(days=1), anchor)
        found = _expand(
            rule,
            anchor,
            lo,
            None,
            first_only=True,
            max_iterations=max_iterations,
            max_seconds=max_seconds,
        )
        if found:
            return found[0]
        if rule.total is not None or rule.until is not None:
            return None
        raise ExpansionLimitError(
            f"{_RULE_PATH}: no occurrence after {after.isoformat()} up to year {MAXYEAR}"
        )


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


@frozen
class Anniversary:
    """Once a year on the anchor's date (the hire date by default), keyed ``y<years>``.

    The person's :class:`~gesprekscyclus.domain.people.LeapDayPolicy` places a 29 February
    anniversary in common years; see :func:`anniversary_dates`.
    """

    KIND: ClassVar[str] = "anniversary"

    of: AnchorKind = field(
        default=AnchorKind.HIRE_DATE, converter=AnchorKind, validator=_person_anchor
    )

    def occurrences(
        self, anchor: date, start: date, end: date, policy: LeapDayPolicy | str
    ) -> list[Occurrence]:
        """The anniversaries of ``anchor`` in ``[start, end]``."""
        return [Occurrence(f"y{n}", d) for n, d in anniversary_dates(anchor, start, end, policy)]


# --- lifecycle offsets ------------------------------------------------------------------------


def _whole(instance: Any, attribute: Any, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValueError(
            field_path(instance, attribute), f"must be a whole number, got {value!r}"
        )


def _with_implied(events: Sequence[LifeEvent], person: Person | None) -> list[LifeEvent]:
    """``events``, plus ``hired``/``last_day`` from the person when none were reported."""
    result = list(events)
    if person is None:
        return result
    kinds = {event.kind for event in result}
    if LifeEventKind.HIRED not in kinds:
        result.append(LifeEvent(on=person.hire_date, person_id=person.id, kind=LifeEventKind.HIRED))
    if LifeEventKind.LAST_DAY not in kinds and person.end_date is not None:
        result.append(
            LifeEvent(on=person.end_date, person_id=person.id, kind=LifeEventKind.LAST_DAY)
        )
    return result


@frozen
class LifecycleOffset:
    """A date at a fixed offset from each life event of one kind.

    The event's date is moved by ``offset_months`` (closed-form month arithmetic, e.g. the end
    of a two-month probation) and then by ``offset_days``: calendar days, or working days when
    ``working_days`` is set (negative values go back: an exit interview 5 working days before
    the last day is ``LifecycleOffset("last_day", -5, working_days=True)``). Working days need
    an ``add_working_days`` function from a calendar. The key names the event kind, its date and
    the offset, e.g. ``hired:2026-01-05:+30d``.

    >>> from gesprekscyclus.domain.events import LifeEvent
    >>> hired = LifeEvent(on=date(2026, 1, 5), person_id="e-1", kind="hired")
    >>> [tuple(o) for o in LifecycleOffset("hired", 30).occurrences([hired], date(2026, 1, 1),
    ...                                                             date(2026, 12, 31))]
    [('hired:2026-01-05:+30d', datetime.date(2026, 2, 4))]
    """

    KIND: ClassVar[str] = "lifecycle"

    event: LifeEventKind = field(converter=LifeEventKind)
    offset_days: int = field(default=0, validator=_whole)
    working_days: bool = False
    label: str | None = field(default=None, validator=non_blank)
    offset_months: int = field(default=0, validator=_whole)

    @property
    def offset_text(self) -> str:
        """The offset as it appears in keys: ``+2m-1d``, ``+30d``, ``-5wd``."""
        text = f"{self.offset_months:+d}m" if self.offset_months else ""
        return text + f"{self.offset_days:+d}" + ("wd" if self.working_days else "d")

    def date_for(self, event_on: date, add_working_days: AddWorkingDays | None = None) -> date:
        """The nominal date for an event on ``event_on``."""
        day = add_months(event_on, self.offset_months) if self.offset_months else event_on
        if not self.working_days:
            return day + timedelta(days=self.offset_days)
        if add_working_days is None:
            raise InvalidValueError(
                "add_working_days", "a working-day offset needs a calendar's add_working_days"
            )
        return add_working_days(day, self.offset_days)

    def occurrences(
        self,
        events: Sequence[LifeEvent],
        start: date,
        end: date,
        add_working_days: AddWorkingDays | None = None,
    ) -> list[Occurrence]:
        """One occurrence per event of :attr:`event` whose date lands in ``[start, end]``."""
        seen: set[date] = set()
        result: list[Occurrence] = []
        for event in sorted(events):
            if event.kind is not self.event or event.on in seen:
                continue
            seen.add(event.on)
            day = self.date_for(event.on, add_working_days)
            if start <= day <= end:
                key = f"{self.event.value}:{event.on.isoformat()}:{self.offset_text}"
                result.append(Occurrence(key, day))
        result.sort(key=lambda occurrence: occurrence.nominal)
        return result


# --- thresholds -------------------------------------------------------------------------------


def _non_negative(instance: Any, attribute: Any, value: int) -> None:
    _whole(instance, attribute, value)
    if value < 0:
        raise InvalidValueError(
            field_path(instance, attribute), f"must not be negative, got {value}"
        )


def _optional_kind(value: LifeEventKind | str | None) -> LifeEventKind | None:
    return None if value is None else LifeEventKind(value)


@frozen
class Threshold:
    """The ``count``-th ``event`` within ``window_days`` triggers one conversation.

    The events counted lie within ``window_days`` consecutive days ending on the triggering
    one. After a trigger the count starts again with the next event, so three further
    reports are needed for another. The conversation falls ``offset_days`` after the first
    ``after`` event on or after the trigger (the recovery that ends that sick spell), or after
    the trigger itself when ``after`` is ``None``; until that event exists nothing is planned.
    The key is ``trigger:<date of the triggering event>``.

    >>> from gesprekscyclus.domain.events import LifeEvent
    >>> def ev(kind, day):
    ...     return LifeEvent(on=date.fromisoformat(day), person_id="e-1", kind=kind)
    >>> history = [ev("sick_report", "2026-01-05"), ev("recovery", "2026-01-08"),
    ...            ev("sick_report", "2026-04-01"), ev("recovery", "2026-04-03"),
    ...            ev("sick_report", "2026-09-14"), ev("recovery", "2026-09-21")]
    >>> [tuple(o) for o in Threshold(offset_days=7).occurrences(history, date(2026, 1, 1),
    ...                                                         date(2026, 12, 31))]
    [('trigger:2026-09-14', datetime.date(2026, 9, 28))]
    """

    KIND: ClassVar[str] = "threshold"

    event: LifeEventKind = field(default=LifeEventKind.SICK_REPORT, converter=LifeEventKind)
    count: int = field(default=3, validator=positive)
    window_days: int = field(default=365, validator=positive)
    after: LifeEventKind | None = field(default=LifeEventKind.RECOVERY, converter=_optional_kind)
    offset_days: int = field(default=0, validator=_non_negative)

    def triggers(self, events: Sequence[LifeEvent]) -> list[date]:
        """The dates of the events that reach the threshold."""
        days = sorted({event.on for event in events if event.kind is self.event})
        result: list[date] = []
        first = 0  # index of the oldest event that may still count
        for index, day in enumerate(days):
            while day.toordinal() - days[first].toordinal() >= self.window_days:
                first += 1
            if index - first + 1 >= self.count:
                result.append(day)
                first = index + 1
        return result

    def occurrences(self, events: Sequence[LifeEvent], start: date, end: date) -> list[Occurrence]:
        """The conversations the thresholds call for, in ``[start, end]``."""
        follow = (
            []
            if self.after is None
            else sorted(event.on for event in events if event.kind is self.after)
        )
        result: list[Occurrence] = []
        for trigger in self.triggers(events):
            if self.after is None:
                base: date | None = trigger
            else:
                base = next((day for day in follow if day >= trigger), None)
            if base is None:
                continue
            day = base + timedelta(days=self.offset_days)
            if start <= day <= end:
                result.append(Occurrence(f"trigger:{trigger.isoformat()}", day))
        return result


# --- answer-triggered follow-ups --------------------------------------------------------------


class AnswerOperator(ClosedSet):
    """How an answer is compared with an :class:`AnswerTrigger`'s value."""

    EQUALS = "equals"
    AT_MOST = "at_most"
    AT_LEAST = "at_least"


@frozen
class AnswerTrigger:
    """An answer in a held conversation of ``type_key`` that asks for a follow-up.

    When the answer to ``question_key`` compares to ``value`` by ``operator``, a conversation
    of ``schedule_type`` is due within ``within_days`` after the one that was held.
    ``equals`` compares type and value (``True`` does not equal ``1``); ``at_most`` and
    ``at_least`` need a number.

    >>> leaving = AnswerTrigger("growth_review", "considering_leaving", "equals", True,
    ...                         "stay_interview", 14)
    >>> leaving.fires({"considering_leaving": True}), leaving.fires({"considering_leaving": 1})
    (True, False)
    >>> leaving.follow_up(date(2026, 3, 2))
    (datetime.date(2026, 3, 3), datetime.date(2026, 3, 16))
    """

    type_key: str = field(validator=non_blank)
    question_key: str = field(validator=non_blank)
    operator: AnswerOperator = field(converter=AnswerOperator)
    value: str | int | bool
    schedule_type: str = field(validator=non_blank)
    within_days: int = field(validator=positive)

    def __attrs_post_init__(self) -> None:
        numeric = isinstance(self.value, int) and not isinstance(self.value, bool)
        if self.operator is not AnswerOperator.EQUALS and not numeric:
            raise InvalidValueError(
                "AnswerTrigger.value",
                f"{self.operator} needs a whole number, got {self.value!r}",
            )
        if not isinstance(self.value, str | int | bool):
            raise InvalidValueError(
                "AnswerTrigger.value",
                f"must be text, a whole number or a boolean, got {self.value!r}",
            )

    def fires(self, answers: Mapping[str, object]) -> bool:
        """Whether ``answers`` (question key → answer) call for the follow-up.

        A missing or empty answer never fires; a non-numeric answer to ``at_most`` or
        ``at_least`` raises :class:`~gesprekscyclus.errors.InvalidValueError`.
        """
        answer = answers.get(self.question_key)
        if answer is None:
            return False
        if self.operator is AnswerOperator.EQUALS:
            return type(answer) is type(self.value) and answer == self.value
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            raise InvalidValueError(
                f"answers[{self.question_key!r}]",
                f"{self.operator} needs a number, got {answer!r}",
            )
        assert isinstance(self.value, int)
        if self.operator is AnswerOperator.AT_MOST:
            return answer <= self.value
        return answer >= self.value

    def follow_up(self, held_on: date) -> tuple[date, date]:
        """``(earliest, latest)`` for the follow-up of a conversation held on ``held_on``."""
        return held_on + timedelta(days=1), held_on + timedelta(days=self.within_days)


# --- one entry point --------------------------------------------------------------------------

#: Every kind of cadence; serialised as a tagged union on ``"kind"``.
Cadence: TypeAlias = Interval | RRuleCadence | Anniversary | LifecycleOffset | Threshold


def expand(
    cadence: Cadence,
    *,
    person: Person,
    cycle_start: date,
    events: Sequence[LifeEvent],
    start: date,
    end: date,
    add_working_days: AddWorkingDays | None = None,
    held: Sequence[date] = (),
    max_iterations: int = DEFAULT_MAX_ITERATIONS,
    max_seconds: float = DEFAULT_MAX_SECONDS,
) -> list[Occurrence]:
    """The occurrences of ``cadence`` for ``person`` in ``[start, end]``, sorted by date.

    The window is clipped to the person's employment (hire date to end date, inclusive).
    ``events`` are that person's life events (others are ignored); a missing ``hired`` or
    ``last_day`` event is taken from the person's hire and end dates. ``held`` lists the dates
    on which conversations of this type were held: an :class:`Interval` with
    ``anchor_to=held`` counts from the latest of them (and follows its planned grid until
    one was held). ``add_working_days`` is needed only for working-day offsets.
    """
    lo = max(start, person.hire_date)
    hi = end if person.end_date is None else min(end, person.end_date)
    if hi < lo:
        return []
    if isinstance(cadence, Interval):
        if cadence.anchor_to is AnchorTo.HELD and held:
            return cadence.after_held(max(held), lo, hi)
        anchor = cadence.anchor_date(hire_date=person.hire_date, cycle_start=cycle_start)
        return cadence.occurrences(anchor, lo, hi)
    if isinstance(cadence, RRuleCadence):
        anchor = person.hire_date if cadence.anchor is AnchorKind.HIRE_DATE else cycle_start
        return cadence.occurrences(
            anchor, lo, hi, max_iterations=max_iterations, max_seconds=max_seconds
        )
    if isinstance(cadence, Anniversary):
        anchor = person.hire_date if cadence.of is AnchorKind.HIRE_DATE else cycle_start
        return cadence.occurrences(anchor, lo, hi, person.leap_day_policy)
    own = [event for event in events if event.person_id == person.id]
    if isinstance(cadence, LifecycleOffset):
        return cadence.occurrences(_with_implied(own, person), lo, hi, add_working_days)
    return cadence.occurrences(own, lo, hi)
