"""People, their roles and when they work.

A :class:`Person` carries only what planning needs; the embedding HR system stays the owner
of everything else about them.

>>> from datetime import date
>>> part_timer = WorkingPattern.of("mon", "tue", "thu")
>>> part_timer.works_on(date(2026, 11, 26))  # a Thursday
True
>>> anna = Person(id="e-1", name="Anna de Vries", manager_id="m-1", hire_date=date(2021, 3, 1),
...               working_pattern=part_timer)
>>> anna.time_zone, anna.locale.value
('Europe/Amsterdam', 'nl')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import (
    ClosedSet,
    field_path,
    iana_zone,
    non_blank,
    one_line,
    typed_fields,
)
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.errors import InvalidValueError

__all__ = ["EMAIL_ADDRESS", "LeapDayPolicy", "Person", "Role", "WorkingPattern"]

#: The shape of an e-mail address: one ``@`` with text on both sides, no spaces or controls.
EMAIL_ADDRESS = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+")


class Role(ClosedSet):
    """The parts people play in a conversation; each reads records differently."""

    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR = "hr"
    OCCUPATIONAL_PHYSICIAN = "occupational_physician"
    CASE_MANAGER = "case_manager"
    NEUTRAL_INTERVIEWER = "neutral_interviewer"


class LeapDayPolicy(ClosedSet):
    """Where a 29 February anniversary falls in a common year."""

    FEB28 = "feb28"
    MAR1 = "mar1"
    OMIT = "omit"


_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ENGLISH_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DUTCH_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_DUTCH_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")
#: What may stand between day names in one text: ``"ma di do"``, ``"mon,tue"``.
DAY_SEPARATORS = re.compile(r"[\s,;/+|]+")


def weekday_number(name: str) -> int | None:
    """The ISO weekday of a day name (``mon``, ``Monday``, Dutch ``ma``, ``maandag``), or None.

    >>> weekday_number("do"), weekday_number("Thursday"), weekday_number("thu"), weekday_number("x")
    (4, 4, 4, None)
    """
    key = name.strip().lower()
    for table in (_DUTCH_SHORT, _DUTCH_DAYS, _ENGLISH_DAYS):
        if key in table:
            return table.index(key) + 1
    if len(key) >= 3:
        for index, full in enumerate(_ENGLISH_DAYS):
            if full.startswith(key):
                return index + 1
    return None


def unknown_day(name: str) -> str:
    """The message for a day name :func:`weekday_number` does not know."""
    return f"unknown day {name!r} (Dutch names such as 'ma', 'di' work too)"


def _weekdays(value: Iterable[int]) -> frozenset[int]:
    days = frozenset(value)
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int) or not 1 <= day <= 7:
            raise InvalidValueError(
                "WorkingPattern.weekdays",
                f"{day!r} is not an ISO weekday",
                allowed=range(1, 8),
            )
    if not days:
        raise InvalidValueError("WorkingPattern.weekdays", "a working pattern needs a day")
    return days


@frozen(field_transformer=typed_fields)
class WorkingPattern:
    """The ISO weekdays (1 = Monday … 7 = Sunday) on which someone works."""

    weekdays: frozenset[int] = field(default=frozenset({1, 2, 3, 4, 5}), converter=_weekdays)

    @classmethod
    def of(cls, *names: str | Iterable[str]) -> WorkingPattern:
        """Build a pattern from day names, as a people file's ``working_days`` column does.

        Names may be English or Dutch, short or long, given one by one, as one text or as a
        list: ``of("mon", "wed")``, ``of("ma wo")``, ``of(["maandag", "woensdag"])``.

        >>> WorkingPattern.of(["ma", "Wednesday"]) == WorkingPattern.of("mon wed")
        True
        """
        days = []
        for given in names:
            for name in _split_names(given):
                number = weekday_number(name)
                if number is None:
                    raise InvalidValueError(
                        "WorkingPattern.weekdays", unknown_day(name), allowed=_DAY_NAMES
                    )
                days.append(number)
        return cls(frozenset(days))

    @property
    def names(self) -> tuple[str, ...]:
        """The working days as short names, Monday first."""
        return tuple(_DAY_NAMES[day - 1] for day in sorted(self.weekdays))

    def works_on(self, day: date) -> bool:
        """Whether ``day`` falls on one of the working weekdays."""
        return day.isoweekday() in self.weekdays


def _split_names(given: str | Iterable[str]) -> list[str]:
    if isinstance(given, str):
        return [name for name in DAY_SEPARATORS.split(given) if name]
    names: list[str] = []
    for name in given:
        if not isinstance(name, str):
            raise InvalidValueError(
                "WorkingPattern.weekdays", f"{name!r} is not a day name", allowed=_DAY_NAMES
            )
        names.extend(part for part in DAY_SEPARATORS.split(name) if part)
    return names


FULL_TIME = WorkingPattern()


def _email(instance: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    one_line(instance, attribute, value)
    if value is not None and not EMAIL_ADDRESS.fullmatch(value):
        raise InvalidValueError(
            field_path(instance, attribute), f"{value!r:.200} is not an e-mail address"
        )


@frozen(field_transformer=typed_fields)
class Person:
    """Someone in the organisation, as far as conversation planning needs to know.

    ``manager_id`` is ``None`` for the top of the organisation. ``end_date`` is the last
    working day once notice has been given. ``contract`` and ``location`` are free labels
    that design populations can filter on. Text fields refuse what no store can hold (NUL
    characters, lone surrogates); ``email`` must be one address on one line; ``time_zone``
    an IANA name.

    >>> Person(id="e-1", name="Anna", hire_date=date(2021, 3, 1), time_zone="Europe")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: Person.time_zone: unknown IANA time zone 'Europe' \
(e.g. 'Europe/Amsterdam', 'UTC')
    >>> Person(id="e-1", name="Anna", hire_date=date(2021, 3, 1), email="a@b.nl\\nBcc: x@y.nl")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: Person.email: contains a line break (U+000A) at \
position 6; the value must be one line
    """

    id: str = field(validator=non_blank)
    name: str = field(validator=non_blank)
    hire_date: date
    manager_id: str | None = field(default=None, validator=non_blank)
    end_date: date | None = None
    team: str | None = field(default=None, validator=non_blank)
    locale: Locale = field(default=Locale.NL, converter=Locale)
    time_zone: str = field(default="Europe/Amsterdam", validator=iana_zone)
    working_pattern: WorkingPattern = FULL_TIME
    contract: str | None = field(default=None, validator=non_blank)
    location: str | None = field(default=None, validator=non_blank)
    email: str | None = field(default=None, validator=_email)
    leap_day_policy: LeapDayPolicy = field(default=LeapDayPolicy.FEB28, converter=LeapDayPolicy)

    def __attrs_post_init__(self) -> None:
        if self.end_date is not None and self.end_date < self.hire_date:
            raise InvalidValueError(
                "Person.end_date",
                f"{self.end_date} lies before the hire date {self.hire_date}",
            )
        if self.manager_id == self.id:
            raise InvalidValueError("Person.manager_id", "a person cannot manage themselves")

    def is_employed_on(self, day: date) -> bool:
        """Whether ``day`` lies between the hire date and the end date (inclusive)."""
        return self.hire_date <= day and (self.end_date is None or day <= self.end_date)
