"""What planning needs, worked out once: per person and per planning run.

:class:`_Context` holds one person's facts (working days with the manager, notice, last day,
absence cases, manager changes); :class:`_Run` holds the memos many people share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from gesprekscyclus.domain.absence import (
    AbsenceCase,
    Prognosis,
    absence_cases,
    periods_from_events,
)
from gesprekscyclus.domain.cadence import (
    AnchorKind,
    AnchorTo,
    Cadence,
    Interval,
    LifecycleOffset,
    RRuleCadence,
    Threshold,
)
from gesprekscyclus.domain.calendar import BusinessDayConvention, localize
from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.manager_history import manager_changes
from gesprekscyclus.domain.people import Person, Role, WorkingPattern
from gesprekscyclus.errors import NoWorkingDayError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.planner.adjusting import Adjusters, _adjuster
from gesprekscyclus.planning.planner.ids import person_digest

_NO_CASES: tuple[AbsenceCase, ...] = ()
#: The type the absence step plans (Poortwachter milestones) instead of the cadence step.
ABSENCE_TYPE = "absence"


class _Context:
    """What planning one person needs, computed once."""

    def __init__(
        self,
        design: CycleDesign,
        person: Person,
        manager: Person | None,
        events: Sequence[LifeEvent],
        adjusters: Adjusters,
        people: Mapping[str, Person],
    ):
        self.person = person
        self.digest = person_digest(person.id)
        self.adjusters = adjusters
        self._people = people
        self.patterns: tuple[WorkingPattern, ...] = (
            (person.working_pattern,)
            if manager is None
            else (person.working_pattern, manager.working_pattern)
        )
        self.weekdays = frozenset.intersection(*(pattern.weekdays for pattern in self.patterns))
        if manager is not None and not self.weekdays:
            _no_common_day(person, manager)
        self.events = events
        self.calendar = design.calendar
        if not events:
            # Most people have no life events: nothing to scan.
            self.manager_changes: list[tuple[date, str | None]] = []
            self.prognoses: tuple[Prognosis, ...] = ()
            self.notice_on: date | None = None
            self.last_day: date | None = person.end_date
            self.cases = _NO_CASES
            return
        changes = manager_changes(events)
        self.manager_changes = [(event.on, event.detail) for event in changes]
        # Before the first change, the manager it took over from (when recorded) leads.
        if changes and changes[0].previous is not None:
            self.manager_changes.insert(0, (date.min, changes[0].previous))
        self.prognoses = tuple(
            Prognosis(event.on, long_term_expected=event.detail == "long_term")
            for event in events
            if event.kind is LifeEventKind.PROGNOSIS
        )
        notices = [event.on for event in events if event.kind is LifeEventKind.NOTICE_GIVEN]
        self.notice_on = min(notices) if notices else None
        last_days = [event.on for event in events if event.kind is LifeEventKind.LAST_DAY]
        self.last_day = min(last_days) if last_days else person.end_date
        self.cases = absence_cases(periods_from_events(events))

    def absence_on(self, day: date) -> AbsenceCase | None:
        """The absence case ``day`` falls in, from its first sick day to the day back."""
        for case in self.cases:
            if case.first_day <= day and (case.recovered_on is None or day < case.recovered_on):
                return case
        return None

    def manager_on(self, day: date) -> str | None:
        """The manager on ``day``: the latest manager change on or before it, if any."""
        manager = self.person.manager_id
        for on, new_manager in self.manager_changes:
            if on > day:
                break
            manager = new_manager
        return manager

    def patterns_with(self, manager_id: str | None) -> tuple[WorkingPattern, ...]:
        """The employee's working pattern and that of ``manager_id`` (when known)."""
        manager = self._people.get(manager_id) if manager_id is not None else None
        if manager is None:
            return (self.person.working_pattern,)
        if not self.person.working_pattern.weekdays & manager.working_pattern.weekdays:
            _no_common_day(self.person, manager)
        return (self.person.working_pattern, manager.working_pattern)

    def add_working_days(self, day: date, n: int) -> date:
        return self.calendar.add_working_days(day, n, *self.patterns)


def _no_common_day(person: Person, manager: Person) -> NoReturn:
    """Say who cannot meet: no conversation between them can ever be planned."""
    own, theirs = " ".join(person.working_pattern.names), " ".join(manager.working_pattern.names)
    raise NoWorkingDayError(
        person.hire_date,
        f"{person.id!r} ({own}) and their manager {manager.id!r} ({theirs}) share no working "
        "day; give one of them a day the other works",
    )


class _Run:
    """Memos of one planning run: what many people share is computed once.

    Rhythms counted from the cycle start (or a fixed month) give everyone the same dates,
    so their expansion is kept per (rule, rhythm, employment window); adjusted days are kept
    per (convention, common weekdays); start times per (day, wall time, zone). With
    :attr:`columns` (the default), a shared rhythm's rows are built from one template per
    (rhythm, employment window, common weekdays, time zone); without it every occurrence
    takes the per-person path and every rule is planned for everyone, which gives the same
    plan more slowly (the tests compare them).
    """

    #: Whether shared rhythms are planned from templates (the fast path).
    columns = True

    def __init__(self, design: CycleDesign, start: date, end: date):
        self.design = design
        self.start = start
        self.end = end
        self.adjusters: Adjusters = {}
        self.expansions: dict[tuple[int, int, date, date], list[tuple[str, date]]] = {}
        self.templates: dict[
            tuple[int, int, date, date, frozenset[int], str], list[tuple[date, date, Any]]
        ] = {}
        #: Anniversary templates, per (rule, rhythm, employment window, weekdays, zone, day
        #: of the year hired, leap-day policy); their occurrence keys are the first hire's.
        self.anniversaries: dict[tuple[Any, ...], list[tuple[date, date, Any]]] = {}
        #: Templates of intervals counted from hire dates before the run, per (rule, rhythm,
        #: employment window, weekdays, zone, phase of the hire date in the step).
        self.hired_intervals: dict[tuple[Any, ...], list[tuple[date, date, Any]]] = {}
        #: Per (rule, employment window, weekdays, zone): the rows of a rule whose rhythms
        #: are all shared, with the earliest and latest day of their windows.
        self.rule_templates: dict[
            tuple[int, date, date, frozenset[int], str], tuple[date, date, list[Any]]
        ] = {}
        self.moments: dict[tuple[date, time, str], datetime] = {}
        self.before = [timedelta(days=rule.window_before) for rule in design.types]
        self.after = [timedelta(days=rule.window_after) for rule in design.types]
        self.shared = [[_is_shared(cadence) for cadence in rule.cadence] for rule in design.types]
        #: Per type to drop: (type it must not be near, within days, reason), in order.
        self.drops: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
        for rule in design.interactions:
            reason = f"within {rule.within_days} days of a {rule.near}"
            self.drops[rule.drop].append((rule.near, rule.within_days, reason))
        self.drops = dict(self.drops)
        self.near_types = frozenset(rule.near for rule in design.interactions)
        #: The types the drop-near rules name, and what they drop per combination of rule
        #: templates (keyed by the templates' identities; the run keeps the templates).
        self.near_or_dropped = self.near_types | self.drops.keys()
        self.template_drops: dict[tuple[int, ...], list[tuple[int, str]]] = {}
        self.dated_population = [
            rule.population.min_tenure_months is not None
            or rule.population.max_tenure_months is not None
            for rule in design.types
        ]
        #: Per rule whose rhythms are all calendar-day offsets forward from the hire date:
        #: how many days after it the last one can fall (a month counts 31 days). A person
        #: without life events hired longer ago than that before the run has none of them.
        self.hired_reach = [
            _hired_reach(rule.cadence) if self.columns else None for rule in design.types
        ]
        #: Rules whose rows a person without life events takes whole from a template (every
        #: rhythm shared, no upper bound on tenure, not the absence type with its own step);
        #: with a minimum tenure, only people who have it when the run starts (tenure only
        #: grows, so they have it on every date of the run).
        #: The same per rhythm: a rhythm with a reach gives a person without life events
        #: hired longer ago than that before the run nothing, whatever the other rhythms do.
        self.cadence_reach = [
            [_hired_reach((cadence,)) if self.columns else None for cadence in rule.cadence]
            for rule in design.types
        ]
        self.templated = [
            self.columns
            and bool(rule.cadence)
            and all(shared)
            and rule.population.max_tenure_months is None
            and rule.type != ABSENCE_TYPE
            for rule, shared in zip(design.types, self.shared, strict=True)
        ]
        self.min_tenure = [rule.population.min_tenure_months for rule in design.types]
        #: Per rule, whether a person without life events gets nothing from it: always
        #: (every rhythm counts events they do not have), without an end date (the rest
        #: count from the last day), or not known beforehand.
        self.eventless = [
            _eventless(rule.cadence) if self.columns else _MAY_PLAN for rule in design.types
        ]

    def adjust_for(
        self, convention: BusinessDayConvention, context: _Context
    ) -> Callable[[date], date]:
        """The memoised adjuster of ``convention`` for the person and their manager."""
        found = self.adjusters.get((convention, context.weekdays))
        if found is None:
            found = _adjuster(self.design.calendar, convention, context.patterns, self.adjusters)
        return found

    def starts_at(self, wall: time | None, zone: str, day: date) -> datetime | None:
        if wall is None:
            return None
        key = (day, wall, zone)
        moment = self.moments.get(key)
        if moment is None:
            moment = self.moments[key] = localize(day, wall, zone)
        return moment


#: What :func:`_eventless` says of a rule for a person without life events.
_MAY_PLAN, _NOTHING_WITHOUT_END, _NOTHING = 0, 1, 2


def _eventless(cadences: tuple[Cadence, ...]) -> int:
    """Whether ``cadences`` give a person without life events nothing: :data:`_NOTHING` when
    each counts events other than the hire and the last day (the only ones such a person
    has, implied by the hire and end dates), :data:`_NOTHING_WITHOUT_END` when the others
    count from the last day, :data:`_MAY_PLAN` otherwise."""
    verdict = _NOTHING
    for cadence in cadences:
        if isinstance(cadence, Threshold):
            continue
        if not isinstance(cadence, LifecycleOffset) or cadence.event is LifeEventKind.HIRED:
            return _MAY_PLAN
        if cadence.event is LifeEventKind.LAST_DAY:
            verdict = _NOTHING_WITHOUT_END
    return verdict


def _hired_reach(cadences: tuple[Cadence, ...]) -> int | None:
    """The days after the hire date within which every one of ``cadences`` falls, when they
    are all offsets of calendar days and months forward from it; otherwise ``None``."""
    if not cadences:
        return None
    reach = 0
    for cadence in cadences:
        if not (
            isinstance(cadence, LifecycleOffset)
            and cadence.event is LifeEventKind.HIRED
            and not cadence.working_days
            and cadence.offset_days >= 0
            and cadence.offset_months >= 0
        ):
            return None
        reach = max(reach, 31 * cadence.offset_months + cadence.offset_days)
    return reach


def _is_shared(cadence: Cadence) -> bool:
    """Whether ``cadence`` gives the same dates to everyone employed over the same window."""
    if isinstance(cadence, Interval):
        return cadence.anchor is not AnchorKind.HIRE_DATE and cadence.anchor_to is AnchorTo.PLANNED
    return isinstance(cadence, RRuleCadence) and cadence.anchor is AnchorKind.CYCLE_START


def _held_on(conversation: Conversation) -> date | None:
    """The local day a conversation really took place (``held_at``), if it did."""
    held = conversation.held_on_instant
    return None if held is None else held.astimezone(ZoneInfo(conversation.time_zone)).date()


def _manager_types(catalog: Catalog) -> frozenset[str]:
    return frozenset(
        key
        for key in catalog.keys()  # noqa: SIM118 - a Catalog is not a dict
        if Role.MANAGER in catalog.type(key).participants
    )
