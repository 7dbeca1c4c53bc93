"""Dutch public holidays, computed here, and which of them staff actually have off.

Two different questions get two different answers:

- :func:`dutch_statutory_holidays` lists the days of the Algemene termijnenwet (Atw) art. 3
  (lid 1 plus Goede Vrijdag from lid 2). These decide statutory deadlines
  (:func:`statutory_deadline`, Atw art. 1), not who is at work.
- :class:`DutchDayOffPolicy` says which of those days are days off, which is a matter of the
  CAO or contract: Good Friday is often a working day, and many CAOs give 5 May off only in
  lustrum years (2025, 2030, ...).

Supported years are :data:`FIRST_YEAR` (1982, the first year 5 May counts every year) up to
:data:`LAST_YEAR` (4099, the end of the Easter computation's range). The King's birthday:
from 2014 Koningsdag on 27 April, on Saturday 26 April when the 27th is a Sunday; 1982–2013
Koninginnedag on 30 April, on Saturday 29 April when the 30th is a Sunday. Years ahead use the
rules as they stand today; a future change of monarch would need a new rule.

>>> holidays = dutch_statutory_holidays(2025)
>>> holidays[date(2025, 4, 26)]
'Koningsdag'
>>> statutory_deadline(date(2025, 4, 26))  # Saturday Koningsdag, Sunday, then Monday
datetime.date(2025, 4, 28)
>>> sorted(DutchDayOffPolicy().days_off(2026).values())[:3]
['Eerste Kerstdag', 'Hemelvaartsdag', 'Koningsdag']
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, timedelta
from functools import lru_cache

from attrs import field, frozen
from dateutil.easter import EASTER_WESTERN, easter

from gesprekscyclus.domain._checks import ClosedSet, shown, typed_fields
from gesprekscyclus.errors import InvalidValueError

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "DutchDayOffPolicy",
    "LiberationDayPolicy",
    "dutch_statutory_holidays",
    "is_statutory_working_day",
    "statutory_deadline",
]

#: First year whose statutory list this module computes.
FIRST_YEAR = 1982
#: Last year whose statutory list this module computes.
LAST_YEAR = 4099

NEW_YEAR = "Nieuwjaarsdag"
GOOD_FRIDAY = "Goede Vrijdag"
EASTER_MONDAY = "Tweede Paasdag"
KINGS_DAY = "Koningsdag"
QUEENS_DAY = "Koninginnedag"
LIBERATION_DAY = "Bevrijdingsdag"
ASCENSION_DAY = "Hemelvaartsdag"
WHIT_MONDAY = "Tweede Pinksterdag"
CHRISTMAS_DAY = "Eerste Kerstdag"
BOXING_DAY = "Tweede Kerstdag"

_SUNDAY = 7


def _check_year(year: int) -> None:
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidValueError(
            "year",
            f"Dutch holidays are computed for {FIRST_YEAR}–{LAST_YEAR}, got {shown(year)}",
        )


def _monarchs_day(year: int) -> tuple[date, str]:
    if year >= 2014:
        day, name = date(year, 4, 27), KINGS_DAY
    else:
        day, name = date(year, 4, 30), QUEENS_DAY
    if day.isoweekday() == _SUNDAY:
        day -= timedelta(days=1)
    return day, name


def dutch_statutory_holidays(year: int) -> dict[date, str]:
    """The Atw art. 3 days of ``year``, in date order, with their Dutch names.

    When two fall on one date (5 May and Ascension Day in 2005 and 2016) the names are
    joined with " / ".

    >>> for day, name in dutch_statutory_holidays(2026).items():
    ...     print(day, name)
    2026-01-01 Nieuwjaarsdag
    2026-04-03 Goede Vrijdag
    2026-04-06 Tweede Paasdag
    2026-04-27 Koningsdag
    2026-05-05 Bevrijdingsdag
    2026-05-14 Hemelvaartsdag
    2026-05-25 Tweede Pinksterdag
    2026-12-25 Eerste Kerstdag
    2026-12-26 Tweede Kerstdag
    """
    _check_year(year)
    easter_sunday = easter(year, EASTER_WESTERN)
    monarch_day, monarch_name = _monarchs_day(year)
    entries = [
        (date(year, 1, 1), NEW_YEAR),
        (easter_sunday - timedelta(days=2), GOOD_FRIDAY),
        (easter_sunday + timedelta(days=1), EASTER_MONDAY),
        (monarch_day, monarch_name),
        (date(year, 5, 5), LIBERATION_DAY),
        (easter_sunday + timedelta(days=39), ASCENSION_DAY),
        (easter_sunday + timedelta(days=50), WHIT_MONDAY),
        (date(year, 12, 25), CHRISTMAS_DAY),
        (date(year, 12, 26), BOXING_DAY),
    ]
    result: dict[date, str] = {}
    for day, name in sorted(entries):
        result[day] = f"{result[day]} / {name}" if day in result else name
    return result


@lru_cache(maxsize=256)
def _statutory_days(year: int) -> frozenset[date]:
    return frozenset(dutch_statutory_holidays(year))


def is_statutory_working_day(day: date) -> bool:
    """Whether ``day`` counts as a working day for a statutory deadline (Atw art. 1, 3).

    Monday to Friday, except the Atw art. 3 days, Good Friday and 5 May included every year,
    whatever the company's day-off policy: legal deadlines (the Poortwachter timeline, the
    42nd-week report) are counted with this, never with who is at work.

    >>> is_statutory_working_day(date(2026, 4, 3)), is_statutory_working_day(date(2027, 5, 5))
    (False, False)
    >>> is_statutory_working_day(date(2026, 12, 24)), is_statutory_working_day(date(2026, 12, 25))
    (True, False)
    """
    return day.isoweekday() <= 5 and day not in _statutory_days(day.year)


def statutory_deadline(day: date, *, equivalent_days: Collection[date] = ()) -> date:
    """Where a statutory deadline that ends on ``day`` really ends (Atw art. 1 lid 1).

    A deadline ending on a Saturday, a Sunday or an Atw art. 3 day runs on to the next day
    that is none of these. ``equivalent_days`` adds days the government declared equal to
    a holiday under art. 3 lid 3 (such as the Friday after Ascension Day); they are
    announced every few years and are not computed here.

    >>> statutory_deadline(date(2026, 4, 3))  # Good Friday, then a weekend and Easter Monday
    datetime.date(2026, 4, 7)
    >>> statutory_deadline(date(2026, 5, 14), equivalent_days={date(2026, 5, 15)})
    datetime.date(2026, 5, 18)
    """
    extra = frozenset(equivalent_days)
    holidays: Mapping[date, str] = dutch_statutory_holidays(day.year)
    while day.isoweekday() > 5 or day in holidays or day in extra:
        following = day + timedelta(days=1)
        if following.year != day.year:
            holidays = dutch_statutory_holidays(following.year)
        day = following
    return day


class LiberationDayPolicy(ClosedSet):
    """Whether 5 May (Bevrijdingsdag) is a day off."""

    EVERY_YEAR = "every_year"
    LUSTRUM = "lustrum"
    """Only in years divisible by 5 (2025, 2030, ...), as many CAOs have it."""
    NEVER = "never"


@frozen(field_transformer=typed_fields)
class DutchDayOffPolicy:
    """Which statutory days staff have off; every other Atw day is always a day off.

    ``good_friday``: whether Good Friday is a day off (default: it is a working day).
    ``liberation_day``: when 5 May is a day off (default: lustrum years only).

    >>> policy = DutchDayOffPolicy(good_friday=True, liberation_day="every_year")
    >>> date(2026, 4, 3) in policy.days_off(2026), date(2026, 5, 5) in policy.days_off(2026)
    (True, True)
    >>> date(2026, 5, 5) in DutchDayOffPolicy().days_off(2026)
    False
    """

    good_friday: bool = False
    liberation_day: LiberationDayPolicy = field(
        default=LiberationDayPolicy.LUSTRUM, converter=LiberationDayPolicy
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.good_friday, bool):
            raise InvalidValueError(
                "DutchDayOffPolicy.good_friday",
                f"must be true or false, got {shown(self.good_friday)}",
            )

    def liberation_day_off(self, year: int) -> bool:
        """Whether 5 May of ``year`` is a day off under this policy."""
        if self.liberation_day is LiberationDayPolicy.EVERY_YEAR:
            return True
        if self.liberation_day is LiberationDayPolicy.LUSTRUM:
            return year % 5 == 0
        return False

    def days_off(self, year: int) -> dict[date, str]:
        """The statutory days of ``year`` that are days off under this policy."""
        statutory = dutch_statutory_holidays(year)
        result: dict[date, str] = {}
        liberation_off = self.liberation_day_off(year)
        good_friday = easter(year, EASTER_WESTERN) - timedelta(days=2)
        may_fifth = date(year, 5, 5)
        for day, name in statutory.items():
            if day == good_friday and not self.good_friday:
                continue
            if day == may_fifth and not liberation_off:
                # When 5 May is also Ascension Day, that one stays a day off.
                kept = [part for part in name.split(" / ") if part != LIBERATION_DAY]
                if kept:
                    result[day] = " / ".join(kept)
                continue
            result[day] = name
        return result
