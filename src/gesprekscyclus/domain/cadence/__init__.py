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

from collections.abc import Sequence
from datetime import date
from typing import TypeAlias

from gesprekscyclus.domain.cadence._common import (
    DEFAULT_MAX_ITERATIONS,
    AddWorkingDays,
    AnchorKind,
    Occurrence,
    add_months,
)
from gesprekscyclus.domain.cadence.anniversary import Anniversary, anniversary_dates
from gesprekscyclus.domain.cadence.events import LifecycleOffset, Threshold, with_implied_events
from gesprekscyclus.domain.cadence.follow_ups import AnswerOperator, AnswerTrigger
from gesprekscyclus.domain.cadence.interval import AnchorTo, Interval, IntervalUnit
from gesprekscyclus.domain.cadence.rrule import RRuleCadence
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person

__all__ = [
    "DEFAULT_MAX_ITERATIONS",
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
        return cadence.occurrences(anchor, lo, hi, max_iterations=max_iterations)
    if isinstance(cadence, Anniversary):
        anchor = person.hire_date if cadence.of is AnchorKind.HIRE_DATE else cycle_start
        return cadence.occurrences(anchor, lo, hi, person.leap_day_policy)
    own = [event for event in events if event.person_id == person.id]
    if isinstance(cadence, LifecycleOffset):
        return cadence.occurrences(with_implied_events(own, person), lo, hi, add_working_days)
    return cadence.occurrences(own, lo, hi)
