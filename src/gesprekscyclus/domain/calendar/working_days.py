"""Working-day calendars: public holidays, company closures and part-time patterns.

A :class:`WorkingCalendar` knows the *days off* of an organisation: public holidays, company
closures and any extra days. Weekends are not days off in that sense; which weekdays count
is up to the working patterns passed to each question, so one calendar serves full-timers and
part-timers alike. A conversation belongs on a day that every participant works, so the
methods take the patterns of all of them (the employee's and the manager's).

Dutch calendars (``country="NL"``, the default) are computed by this library and filtered by a
:class:`~gesprekscyclus.domain.calendar.dutch_holidays.DutchDayOffPolicy`. Other countries use
the optional ``holidays`` package (``pip install gesprekscyclus[holidays]``); for them
``dutch_policy`` is not used.

>>> from gesprekscyclus.domain.people import WorkingPattern
>>> calendar = WorkingCalendar()
>>> calendar.is_day_off(date(2026, 4, 27))  # Koningsdag
True
>>> calendar.is_working_day(date(2026, 4, 28))
True
>>> calendar.is_working_day(date(2026, 4, 28), WorkingPattern.of("mon", "wed"))
False
>>> calendar.add_working_days(date(2026, 4, 24), 1)  # Friday, then weekend and Koningsdag
datetime.date(2026, 4, 28)
>>> calendar.adjust(date(2026, 4, 27), "preceding")
datetime.date(2026, 4, 24)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from types import ModuleType
from typing import Any

from attrs import field, frozen

from gesprekscyclus.domain._checks import field_path, non_blank, shown, typed_fields
from gesprekscyclus.domain.calendar.conventions import BusinessDayConvention
from gesprekscyclus.domain.calendar.conventions import adjust as adjust_day
from gesprekscyclus.domain.calendar.dutch_holidays import DutchDayOffPolicy
from gesprekscyclus.domain.people import WorkingPattern
from gesprekscyclus.errors import InvalidValueError, NoWorkingDayError

__all__ = ["Closure", "WorkingCalendar"]

_ONE_DAY = timedelta(days=1)
_MONDAY_TO_FRIDAY = frozenset({1, 2, 3, 4, 5})
#: Longest run of non-working days a search steps over before giving up.
MAX_GAP_DAYS = 366
_HOLIDAYS_EXTRA = "pip install gesprekscyclus[holidays]"


def _plain_date(instance: object, attribute: Any, value: date) -> None:
    if type(value) is not date:
        raise InvalidValueError(
            field_path(instance, attribute), f"must be a date (not a datetime), got {shown(value)}"
        )


@frozen(field_transformer=typed_fields)
class Closure:
    """A company closure from ``start`` to ``end``, both days included.

    >>> Closure(date(2026, 12, 28), date(2026, 12, 31), "Kerstsluiting").days
    4
    """

    start: date = field(validator=_plain_date)
    end: date = field(validator=_plain_date)
    label: str = field(validator=non_blank)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidValueError("Closure.end", f"{self.end} lies before the start {self.start}")

    @property
    def days(self) -> int:
        """How many calendar days the closure covers."""
        return (self.end - self.start).days + 1

    def covers(self, day: date) -> bool:
        """Whether ``day`` falls within the closure."""
        return self.start <= day <= self.end


def _country(value: object) -> str | None:
    if value is None:
        return None  # no public holidays at all (closures and extra days off still count)
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(
            "WorkingCalendar.country", f"must be an ISO 3166-1 country code, got {shown(value)}"
        )
    return value.strip().upper()


def _days_off(instance: object, attribute: Any, value: frozenset[date]) -> None:
    if not isinstance(value, frozenset):
        raise InvalidValueError(
            field_path(instance, attribute), f"must be a frozenset of dates, got {shown(value)}"
        )
    for day in value:
        if type(day) is not date:
            raise InvalidValueError(
                field_path(instance, attribute), f"must hold dates only, got {shown(day)}"
            )


def _closures(instance: object, attribute: Any, value: tuple[Closure, ...]) -> None:
    if not isinstance(value, tuple):
        raise InvalidValueError(
            field_path(instance, attribute), f"must be a tuple of Closure, got {shown(value)}"
        )
    for index, closure in enumerate(value):
        if not isinstance(closure, Closure):
            raise InvalidValueError(
                f"{field_path(instance, attribute)}[{index}]",
                f"must be a Closure, got {shown(closure)}",
            )


def _holidays_module() -> ModuleType:
    try:
        return importlib.import_module("holidays")
    except ImportError:
        raise InvalidValueError(
            "WorkingCalendar.country",
            "holidays outside the Netherlands need the optional 'holidays' package "
            f"({_HOLIDAYS_EXTRA})",
        ) from None


def _weekdays_of(patterns: tuple[WorkingPattern, ...]) -> frozenset[int]:
    if not patterns:
        return _MONDAY_TO_FRIDAY
    weekdays = patterns[0].weekdays
    for pattern in patterns[1:]:
        weekdays = weekdays & pattern.weekdays
    return weekdays


def _require_common_weekday(day: date, weekdays: frozenset[int]) -> None:
    if not weekdays:
        raise NoWorkingDayError(day, "the working patterns given share no weekday")


@frozen(field_transformer=typed_fields)
class WorkingCalendar:
    """The days off of an organisation, and working-day arithmetic on top of them.

    ``country`` is an ISO 3166-1 code; ``subdivision`` a region code of the ``holidays``
    package (not used for the Netherlands, whose statutory days are national).
    ``closures`` and ``extra_days_off`` add company-specific days off. ``country=None`` means
    no public holidays at all, for a what-if ("the same year without holidays").

    Lookups are cheap: the days off of each year are computed once per calendar instance and
    kept in a set, so :meth:`is_working_day` is a set lookup plus a weekday check. Years
    outside the supported range (1982–4099 for the Netherlands) raise
    :class:`~gesprekscyclus.errors.InvalidValueError`.
    """

    country: str | None = field(default="NL", converter=_country)
    subdivision: str | None = field(default=None, validator=non_blank)
    dutch_policy: DutchDayOffPolicy = field(factory=DutchDayOffPolicy)
    closures: tuple[Closure, ...] = field(default=(), validator=_closures)
    extra_days_off: frozenset[date] = field(default=frozenset(), validator=_days_off)
    _cache: dict[int, frozenset[date]] = field(
        init=False, factory=dict, eq=False, hash=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.dutch_policy, DutchDayOffPolicy):
            raise InvalidValueError(
                "WorkingCalendar.dutch_policy",
                f"must be a DutchDayOffPolicy, got {shown(self.dutch_policy)}",
            )
        if self.country == "NL":
            if self.subdivision is not None:
                raise InvalidValueError(
                    "WorkingCalendar.subdivision",
                    f"must be left out for NL (Dutch holidays are national), got "
                    f"{self.subdivision!r}",
                )
            return
        if self.country is not None:
            self._foreign_holidays(())

    def _foreign_holidays(self, years: Iterable[int]) -> Any:
        module = _holidays_module()
        try:
            # Names in the country's own language: left to the package, they would follow the
            # machine's locale and so differ between machines (and Python versions).
            language = module.country_holidays(self.country, subdiv=self.subdivision)
            return module.country_holidays(
                self.country,
                subdiv=self.subdivision,
                years=years,
                language=language.default_language,
            )
        except NotImplementedError:
            supported: dict[str, list[str]] = module.list_supported_countries()
            if self.country not in supported:
                raise InvalidValueError(
                    "WorkingCalendar.country",
                    f"unknown country code {self.country!r}; use an ISO 3166-1 code the "
                    "holidays package supports, e.g. 'NL', 'BE', 'DE', 'GB'",
                ) from None
            raise InvalidValueError(
                "WorkingCalendar.subdivision",
                f"unknown subdivision {self.subdivision!r} of {self.country}",
                allowed=supported[self.country],
            ) from None

    # --- days off -----------------------------------------------------------------------

    def holidays(self, year: int) -> dict[date, str]:
        """The public holidays of ``year`` that are days off, with their names."""
        if self.country is None:
            return {}
        if self.country == "NL":
            return self.dutch_policy.days_off(year)
        found = self._foreign_holidays((year - 1, year, year + 1))
        return {day: str(name) for day, name in sorted(found.items()) if day.year == year}

    def days_off(self, year: int) -> dict[date, str]:
        """Every day off in ``year`` (holidays, closures, extra days) with a reason, by date."""
        reasons = self.holidays(year)
        for closure in self.closures:
            day = max(closure.start, date(year, 1, 1))
            last = min(closure.end, date(year, 12, 31))
            while day <= last:
                reasons.setdefault(day, closure.label)
                day += _ONE_DAY
        for day in self.extra_days_off:
            if day.year == year:
                reasons.setdefault(day, "extra day off")
        return dict(sorted(reasons.items()))

    def _days_off_set(self, year: int) -> frozenset[date]:
        days = self._cache.get(year)
        if days is None:
            days = frozenset(self.days_off(year))
            self._cache[year] = days
        return days

    def is_day_off(self, day: date) -> bool:
        """Whether ``day`` is a holiday, closure or extra day off (a weekend alone is not)."""
        days = self._cache.get(day.year)
        if days is None:
            days = self._days_off_set(day.year)
        return day in days

    # --- working days -------------------------------------------------------------------

    def is_working_day(self, day: date, *patterns: WorkingPattern) -> bool:
        """Whether ``day`` is no day off and a working weekday of every pattern given.

        Without patterns, Monday to Friday are working weekdays.
        """
        days = self._cache.get(day.year)
        if days is None:
            days = self._days_off_set(day.year)
        if day in days:
            return False
        weekday = day.isoweekday()
        if not patterns:
            return weekday < 6
        # A plain loop: measurably faster than all() over a generator on this hot path.
        for pattern in patterns:  # noqa: SIM110
            if weekday not in pattern.weekdays:
                return False
        return True

    def predicate(self, *patterns: WorkingPattern) -> Callable[[date], bool]:
        """A fast ``is_working_day`` for fixed patterns, for hot loops over many days.

        >>> from gesprekscyclus.domain.people import WorkingPattern
        >>> works = WorkingCalendar().predicate(WorkingPattern.of("mon", "tue"))
        >>> works(date(2026, 4, 27)), works(date(2026, 4, 28))
        (False, True)
        """
        weekdays = _weekdays_of(patterns)
        cache = self._cache
        off = self._days_off_set

        def is_working_day(day: date) -> bool:
            days = cache.get(day.year)
            if days is None:
                days = off(day.year)
            return day not in days and day.isoweekday() in weekdays

        return is_working_day

    def working_days(self, start: date, end: date, *patterns: WorkingPattern) -> tuple[date, ...]:
        """The working days from ``start`` to ``end``, both included (empty if end < start)."""
        works = self.predicate(*patterns)
        result: list[date] = []
        day = start
        while day <= end:
            if works(day):
                result.append(day)
            day += _ONE_DAY
        return tuple(result)

    def add_working_days(self, day: date, n: int, *patterns: WorkingPattern) -> date:
        """The ``n``-th working day after ``day`` (before it when ``n`` is negative).

        ``day`` itself is not counted, so ``add_working_days(last_day, -5)`` is "five working
        days before the last day". With ``n == 0`` a day that is not a working day moves to
        the next working day. Raises :class:`~gesprekscyclus.errors.NoWorkingDayError` if
        more than a year passes without a working day.
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise InvalidValueError("n", f"must be a whole number, got {shown(n)}")
        weekdays = _weekdays_of(patterns)
        _require_common_weekday(day, weekdays)
        works = self.predicate(*patterns)
        if n == 0:
            return adjust_day(day, BusinessDayConvention.FOLLOWING, works, max_days=MAX_GAP_DAYS)
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        gap = 0
        current = day
        while remaining:
            try:
                current += step
            except OverflowError:
                raise NoWorkingDayError(day, "ran past the supported dates") from None
            if works(current):
                remaining -= 1
                gap = 0
            else:
                gap += 1
                if gap > MAX_GAP_DAYS:
                    raise NoWorkingDayError(
                        current, "too long a run of non-working days", max_days=MAX_GAP_DAYS
                    )
        return current

    def adjust(
        self,
        day: date,
        convention: BusinessDayConvention | str,
        *patterns: WorkingPattern,
        max_days: int = MAX_GAP_DAYS,
    ) -> date:
        """Move ``day`` onto a working day of every pattern, by ``convention``.

        See :class:`~gesprekscyclus.domain.calendar.conventions.BusinessDayConvention`.
        """
        rule = BusinessDayConvention(convention)
        if rule is BusinessDayConvention.UNADJUSTED:
            return day
        _require_common_weekday(day, _weekdays_of(patterns))
        return adjust_day(day, rule, self.predicate(*patterns), max_days=max_days)
