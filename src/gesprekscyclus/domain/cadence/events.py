"""Cadences driven by life events: fixed offsets and rolling-window thresholds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import ClassVar

from attrs import field, frozen

from gesprekscyclus.domain._checks import non_blank, typed_fields, whole_in_range
from gesprekscyclus.domain.cadence._common import (
    AddWorkingDays,
    Occurrence,
    add_months,
)
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import InvalidValueError

#: The largest offset from a life event, in days (ten years) and in months.
MAX_OFFSET_DAYS = 3660
MAX_OFFSET_MONTHS = 120
#: The most events a threshold may count.
MAX_THRESHOLD_COUNT = 100

# --- lifecycle offsets ------------------------------------------------------------------------


def with_implied_events(events: Sequence[LifeEvent], person: Person | None) -> list[LifeEvent]:
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


@frozen(field_transformer=typed_fields)
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
    offset_days: int = field(default=0, validator=whole_in_range(-MAX_OFFSET_DAYS, MAX_OFFSET_DAYS))
    working_days: bool = False
    label: str | None = field(default=None, validator=non_blank)
    offset_months: int = field(
        default=0, validator=whole_in_range(-MAX_OFFSET_MONTHS, MAX_OFFSET_MONTHS)
    )

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


def _optional_kind(value: LifeEventKind | str | None) -> LifeEventKind | None:
    return None if value is None else LifeEventKind(value)


@frozen(field_transformer=typed_fields)
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
    count: int = field(default=3, validator=whole_in_range(1, MAX_THRESHOLD_COUNT))
    window_days: int = field(default=365, validator=whole_in_range(1, MAX_OFFSET_DAYS))
    after: LifeEventKind | None = field(default=LifeEventKind.RECOVERY, converter=_optional_kind)
    offset_days: int = field(default=0, validator=whole_in_range(0, MAX_OFFSET_DAYS))

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
