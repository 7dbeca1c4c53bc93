"""The planner: a cycle design, people and their events in; a deterministic plan out.

:func:`plan` is a pure function. The same input gives the same plan, always; every planned
conversation has an id derived from (person, type, occurrence), so planning again over a
longer or shifted horizon yields the same ids for the same conversations and two plans can be
compared conversation by conversation.

The steps, per person:

1. each type of the design whose population includes the person expands its cadences into
   nominal dates (:func:`gesprekscyclus.domain.cadence.expand`), inside the employment;
2. interaction rules apply: after notice only the ``after_notice`` types remain; a type with
   ``pause_during_absence`` whose date falls in an absence case moves to the first day back
   when the employee recovered within :data:`PAUSE_POSTPONE_DAYS` days, and is skipped
   otherwise (planning again after the recovery brings it back, with the same id);
   ``DropNear`` rules drop a type near another; every skip is listed in :attr:`Plan.skipped`
   with its reason;
3. the nominal date moves to a working day of both the employee and the manager by the
   type's business-day convention, and gets a window ``[target - before, target + after]``.
   The manager is the one on that date: ``manager_change`` events (new manager in
   ``detail``) take over from ``Person.manager_id`` on their date;
4. absence cases add the Poortwachter milestones (conversations and obligations; the
   prognoses come from ``prognosis`` events and the ``prognoses`` argument), answers of held
   conversations add follow-ups;
5. per manager, capacity levels the load: each conversation takes the working day nearest its
   target inside its window with room left that day and week; when no day has room, it stays
   on its target and a :class:`CapacityConflict` says so.

>>> from datetime import date
>>> from gesprekscyclus.domain.cadence import Interval
>>> from gesprekscyclus.domain.people import Person
>>> from gesprekscyclus.planning.design import CycleDesign, TypeRule
>>> design = CycleDesign(name="demo", cycle_start=date(2026, 1, 1), types=(
...     TypeRule(type="check_in", cadence=(Interval(every=1, unit="months",
...                                                 anchor="cycle_start"),)),))
>>> people = [Person(id="m", name="Mia", hire_date=date(2020, 1, 1)),
...           Person(id="e", name="Eva", hire_date=date(2024, 5, 1), manager_id="m")]
>>> result = plan(design, people, start=date(2026, 1, 1), end=date(2026, 3, 31))
>>> [(c.employee_id, c.target.isoformat()) for c in result.conversations][:3]
[('e', '2026-01-02'), ('e', '2026-02-02'), ('e', '2026-03-02')]
>>> plan(design, people, start=date(2026, 1, 1), end=date(2026, 3, 31)) == result
True
"""

from __future__ import annotations

import gc
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from operator import attrgetter, itemgetter
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from attrs import frozen

from gesprekscyclus.domain.absence import (
    AbsenceCase,
    LegalBasis,
    Milestone,
    Prognosis,
    absence_cases,
    absence_timeline,
    periods_from_events,
)
from gesprekscyclus.domain.cadence import (
    AnchorKind,
    AnchorTo,
    Anniversary,
    Cadence,
    Interval,
    LifecycleOffset,
    Occurrence,
    RRuleCadence,
    expand,
)
from gesprekscyclus.domain.calendar import BusinessDayConvention, WorkingCalendar, localize
from gesprekscyclus.domain.catalog import Catalog, built_in_catalog
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import Person, Role, WorkingPattern
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import CycleDesign, TypeRule

__all__ = [
    "CapacityConflict",
    "Obligation",
    "Plan",
    "PlannedConversation",
    "Skipped",
    "conversation_id",
    "person_digest",
    "plan",
]

ABSENCE_TYPE = "absence"

#: A paused occurrence moves to the first day back when the employee recovers within this
#: many days of its date; a longer absence skips it, and the next occurrence takes over.
PAUSE_POSTPONE_DAYS = 90
_COUNTED = (Interval, RRuleCadence, Anniversary)
#: Adjusters of one planning run, per (convention, common weekdays); the calendar is fixed.
Adjusters: TypeAlias = dict[tuple[BusinessDayConvention, frozenset[int]], Callable[[date], date]]


def conversation_id(person_id: str, type_key: str, occurrence: str) -> str:
    """The stable id of an occurrence: the same inputs give the same id on every run.

    The id reads ``<type>-<digest of the person>-<occurrence key>``: the person id is hashed
    (ids travel in calendar invitations and links), the occurrence key is already unique per
    person and type and stays readable.

    >>> conversation_id("e-1", "check_in", "n3")
    'check_in-317386494bf10d9f-n3'
    """
    return f"{type_key}-{person_digest(person_id)}-{occurrence}"


def person_digest(person_id: str) -> str:
    """The 16 hex digits that stand for ``person_id`` in conversation ids.

    >>> person_digest("e-1")
    '317386494bf10d9f'
    """
    return hashlib.blake2b(person_id.encode(), digest_size=8).hexdigest()


@frozen
class PlannedConversation:
    """One conversation the plan asks for.

    ``occurrence`` is the cadence's stable key; ``nominal`` the date the rhythm gives before
    moving to a working day; ``target`` the planned day inside ``[earliest, latest]``;
    ``starts_at`` an aware datetime when the design fixes a time of day. ``origin`` says what
    caused it (``cadence``, ``absence``, ``follow_up``); ``basis`` is set for absence
    milestones (law, guidance, practice) and ``milestone`` names it.
    """

    id: str
    type_key: str
    employee_id: str
    manager_id: str | None
    occurrence: str
    nominal: date
    earliest: date
    target: date
    latest: date
    starts_at: datetime | None = None
    origin: str = "cadence"
    basis: LegalBasis | None = None
    milestone: str | None = None


#: The fields of :class:`PlannedConversation` in order, and their slot setters.
_FIELDS = tuple(attribute.name for attribute in PlannedConversation.__attrs_attrs__)
_SETTERS = tuple(PlannedConversation.__dict__[name].__set__ for name in _FIELDS)


def _conversations(rows: Iterable[Sequence[Any]]) -> list[PlannedConversation]:
    """``PlannedConversation(*row)`` for every row, filling the slots directly.

    The class has neither validators nor converters, so this builds the same objects as its
    ``__init__`` at about half the cost, which counts for a million conversations.
    """
    new = object.__new__
    kind = PlannedConversation
    (s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12) = _SETTERS
    result = []
    for row in rows:
        conversation = new(kind)
        s0(conversation, row[0])
        s1(conversation, row[1])
        s2(conversation, row[2])
        s3(conversation, row[3])
        s4(conversation, row[4])
        s5(conversation, row[5])
        s6(conversation, row[6])
        s7(conversation, row[7])
        s8(conversation, row[8])
        s9(conversation, row[9])
        s10(conversation, row[10])
        s11(conversation, row[11])
        s12(conversation, row[12])
        result.append(conversation)
    return result


@frozen
class Skipped:
    """An occurrence the rules left out, and why (nothing is dropped silently)."""

    id: str
    type_key: str
    employee_id: str
    nominal: date
    reason: str


@frozen
class CapacityConflict:
    """A conversation whose window had no day with room left for its manager."""

    conversation_id: str
    manager_id: str
    earliest: date
    latest: date
    reason: str


@frozen
class Obligation:
    """An absence obligation without a conversation (e.g. the week-42 report to UWV)."""

    employee_id: str
    case_start: date
    milestone: Milestone


@frozen
class Plan:
    """The outcome of :func:`plan`: conversations by (target, id), and what was left out."""

    start: date
    end: date
    conversations: tuple[PlannedConversation, ...]
    skipped: tuple[Skipped, ...] = ()
    conflicts: tuple[CapacityConflict, ...] = ()
    obligations: tuple[Obligation, ...] = ()

    def by_id(self) -> dict[str, PlannedConversation]:
        """The conversations keyed by id."""
        return {conversation.id: conversation for conversation in self.conversations}


def _check_horizon(start: date, end: date) -> None:
    if end < start:
        raise InvalidValueError("end", f"{end} lies before start {start}")


def _held_on(conversation: Conversation) -> date | None:
    for step in reversed(conversation.history):
        if step.to_status is ConversationStatus.HELD:
            return step.at.astimezone(ZoneInfo(conversation.time_zone)).date()
    return None


#: A conversation while planning: the fields of :class:`PlannedConversation` in order, as a
#: list, so levelling can move it without copying; objects are built once, at the end.
_Row: TypeAlias = list[Any]
_ID, _TYPE, _EMPLOYEE, _MANAGER, _OCCURRENCE, _NOMINAL = 0, 1, 2, 3, 4, 5
_EARLIEST, _TARGET, _LATEST, _STARTS_AT = 6, 7, 8, 9
_NO_CASES: tuple[AbsenceCase, ...] = ()


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
        self.manager_changes = [
            (event.on, event.detail)
            for event in events
            if event.kind is LifeEventKind.MANAGER_CHANGE and event.detail is not None
        ]
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
        return (self.person.working_pattern, manager.working_pattern)

    def add_working_days(self, day: date, n: int) -> date:
        return self.calendar.add_working_days(day, n, *self.patterns)


class _Run:
    """Memos of one planning run: what many people share is computed once.

    Rhythms counted from the cycle start (or a fixed month) give everyone the same dates,
    so their expansion is kept per (rule, rhythm, employment window); adjusted days are kept
    per (convention, common weekdays); start times per (day, wall time, zone).
    """

    def __init__(self, design: CycleDesign, start: date, end: date):
        self.design = design
        self.start = start
        self.end = end
        self.adjusters: Adjusters = {}
        self.expansions: dict[tuple[int, int, date, date], list[tuple[str, date]]] = {}
        self.templates: dict[
            tuple[int, int, date, date, frozenset[int]], list[tuple[str, date, date, date, date]]
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
        self.dated_population = [
            rule.population.min_tenure_months is not None
            or rule.population.max_tenure_months is not None
            for rule in design.types
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


def _is_shared(cadence: Cadence) -> bool:
    """Whether ``cadence`` gives the same dates to everyone employed over the same window."""
    if isinstance(cadence, Interval):
        return cadence.anchor is not AnchorKind.HIRE_DATE and cadence.anchor_to is AnchorTo.PLANNED
    return isinstance(cadence, RRuleCadence) and cadence.anchor is AnchorKind.CYCLE_START


def plan(
    design: CycleDesign,
    people: Iterable[Person],
    events: Iterable[LifeEvent] = (),
    *,
    start: date,
    end: date,
    catalog: Catalog | None = None,
    existing: Iterable[Conversation] = (),
    prognoses: Mapping[str, Sequence[Prognosis]] | None = None,
) -> Plan:
    """Plan every conversation of ``design`` for ``people`` in ``[start, end]``.

    ``events`` are the life events of all people (hired, notice, last day, sick report,
    recovery, leave); ``existing`` conversations supply held dates (for rhythms anchored on
    the held date) and answers (for follow-ups); ``prognoses`` per person id feed the absence
    timeline. See the module docstring for the steps.

    The cyclic garbage collector is paused while planning: the plan holds millions of small
    objects without cycles, and repeated collections over them cost about a third of the time.
    """
    _check_horizon(start, end)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _plan(design, people, events, start, end, catalog, existing, prognoses)
    finally:
        if collecting:
            gc.enable()


def _plan(
    design: CycleDesign,
    people: Iterable[Person],
    events: Iterable[LifeEvent],
    start: date,
    end: date,
    catalog: Catalog | None,
    existing: Iterable[Conversation],
    prognoses: Mapping[str, Sequence[Prognosis]] | None,
) -> Plan:
    catalog = catalog if catalog is not None else built_in_catalog()
    staff = sorted(people, key=lambda person: person.id)
    by_id = {person.id: person for person in staff}
    events_of: dict[str, list[LifeEvent]] = defaultdict(list)
    for event in sorted(events):
        events_of[event.person_id].append(event)
    history: dict[tuple[str, str], list[Conversation]] = defaultdict(list)
    for conversation in existing:
        history[conversation.employee_id, conversation.type_key].append(conversation)
    prognoses = prognoses or {}
    run = _Run(design, start, end)
    inputs = _Inputs(run, catalog, by_id, events_of, history, prognoses)
    rows, skipped, obligations, conflicts = _plan_part(staff, inputs)
    # Built in the order the rows were made (neighbours in memory), then sorted: by id and
    # then, stably, by target gives (target, id) order without building key tuples.
    conversations = _conversations(rows)
    del rows
    conversations.sort(key=attrgetter("id"))
    conversations.sort(key=attrgetter("target"))
    skipped.sort(key=lambda skip: (skip.nominal, skip.id))
    return Plan(
        start=start,
        end=end,
        conversations=tuple(conversations),
        skipped=tuple(skipped),
        conflicts=tuple(conflicts),
        obligations=tuple(obligations),
    )


#: What planning the staff produces: rows, skipped, obligations, capacity conflicts.
_Part: TypeAlias = tuple[
    Iterable[Sequence[Any]], list[Skipped], list[Obligation], list[CapacityConflict]
]


class _Inputs:
    """The inputs every part of the staff is planned with."""

    def __init__(
        self,
        run: _Run,
        catalog: Catalog,
        people: dict[str, Person],
        events_of: Mapping[str, list[LifeEvent]],
        history: Mapping[tuple[str, str], list[Conversation]],
        prognoses: Mapping[str, Sequence[Prognosis]],
    ):
        self.run = run
        self.catalog = catalog
        self.people = people
        self.events_of = events_of
        self.history = history
        self.prognoses = prognoses


def _plan_part(staff: Sequence[Person], inputs: _Inputs) -> _Part:
    """Plan ``staff`` (sorted by id): each person, drop-near rules, then levelling."""
    run = inputs.run
    design, start, end = run.design, run.start, run.end
    by_id, events_of, history = inputs.people, inputs.events_of, inputs.history
    prognoses = inputs.prognoses
    with_manager = _manager_types(inputs.catalog)
    adjusters = run.adjusters
    no_events: Sequence[LifeEvent] = ()
    rows: list[_Row] = []
    skipped: list[Skipped] = []
    obligations: list[Obligation] = []
    dropped: list[Skipped] = []
    for person in staff:
        first = len(rows)
        manager = by_id.get(person.manager_id) if person.manager_id else None
        context = _Context(
            design, person, manager, events_of.get(person.id, no_events), adjusters, by_id
        )
        for index, rule in enumerate(design.types):
            if not rule.population.includes_statically(person):
                continue
            if person.manager_id is None and rule.type in with_manager:
                continue  # nobody to hold it with: the top of the organisation
            held = (
                [
                    day
                    for conversation in history.get((person.id, rule.type), ())
                    if (day := _held_on(conversation)) is not None
                ]
                if history
                else []
            )
            _plan_rule(run, index, rule, context, held, rows, skipped)
            if rule.type == ABSENCE_TYPE:
                _plan_absence(
                    context,
                    start,
                    end,
                    (*context.prognoses, *prognoses.get(person.id, ())),
                    rows,
                    obligations,
                )
        if history:
            _plan_follow_ups(design, context, history, start, end, rows)
        if design.interactions and len(rows) > first:
            # A person's rows are contiguous, and drop-near rules look only at one person.
            _drop_near(run, rows, first, dropped)
    skipped.extend(dropped)
    conflicts = _level(design, inputs.catalog, rows, by_id)
    return rows, skipped, obligations, conflicts


def _plan_rule(  # noqa: PLR0915 - the per-occurrence hot loop, kept in one piece for speed
    run: _Run,
    index: int,
    rule: TypeRule,
    context: _Context,
    held: Sequence[date],
    rows: list[_Row],
    skipped: list[Skipped],
) -> None:
    design = run.design
    person = context.person
    person_id = person.id
    type_key = rule.type
    id_prefix = f"{type_key}-{context.digest}-"  # conversation_id() without the call
    hire_date = person.hire_date
    context_last_day = context.last_day
    end_for_person = run.end if context_last_day is None else min(run.end, context_last_day)
    adjust = run.adjust_for(rule.convention, context)
    last_day = date.max if context_last_day is None else context_last_day
    # The employment window ``expand`` clips to; shared rhythms are expanded once per window.
    lo = max(run.start, hire_date)
    hi = end_for_person if person.end_date is None else min(end_for_person, person.end_date)
    # Per-occurrence checks that cannot apply to this person and rule are skipped entirely.
    dated_population = run.dated_population[index]
    notice_on = context.notice_on
    if notice_on is not None and (type_key in design.after_notice or type_key == ABSENCE_TYPE):
        notice_on = None
    paused = rule.pause_during_absence and bool(context.cases)
    changes = bool(context.manager_changes)
    simple = not (dated_population or notice_on is not None or paused or changes)
    manager_id = person.manager_id
    before, after = run.before[index], run.after[index]
    wall: time | None = rule.time or design.default_time
    zone = person.time_zone
    shared = run.shared[index]
    for position, cadence in enumerate(rule.cadence):
        # Counted keys (n3, y2) of a second rhythm of the same type would collide with the
        # first one's; they get the rhythm's position. Event keys name their event already.
        prefix = f"c{position}:" if position and isinstance(cadence, _COUNTED) else ""
        occurrences: Sequence[tuple[str, date]]
        if shared[position]:
            memo_key = (index, position, lo, hi)
            cached = run.expansions.get(memo_key)
            if cached is None:
                cached = run.expansions[memo_key] = [
                    (prefix + key, day)
                    for key, day in _expand(cadence, person, context, run, end_for_person, held)
                ]
            occurrences = cached
            if simple:
                # Everyone with these working days gets the same targets and windows; only
                # a window that runs outside the employment needs the full treatment below.
                template_key = (index, position, lo, hi, context.weekdays)
                template = run.templates.get(template_key)
                if template is None:
                    template = run.templates[template_key] = [
                        (key, nominal, target, target - before, target + after)
                        for key, nominal in cached
                        for target in (adjust(nominal),)
                    ]
                rest: list[tuple[str, date]] = []
                for key, nominal, target, earliest, latest in template:
                    if hire_date <= earliest and (
                        context_last_day is None or latest <= context_last_day
                    ):
                        rows.append(
                            [
                                id_prefix + key,
                                type_key,
                                person_id,
                                manager_id,
                                key,
                                nominal,
                                earliest,
                                target,
                                latest,
                                None if wall is None else run.starts_at(wall, zone, target),
                                "cadence",
                                None,
                                None,
                            ]
                        )
                    else:
                        rest.append((key, nominal))
                occurrences = rest
        else:
            found = _expand(cadence, person, context, run, end_for_person, held)
            occurrences = [(prefix + key, day) for key, day in found] if prefix else found
        for key, nominal in occurrences:
            identifier = id_prefix + key
            due = nominal
            if dated_population or notice_on is not None:
                reason = _skip_reason(design, rule, context, nominal)
                if reason is not None:
                    skipped.append(Skipped(identifier, type_key, person_id, nominal, reason))
                    continue
            if paused:
                due, reason = _after_pause(context, nominal)
                if reason is not None:
                    skipped.append(Skipped(identifier, type_key, person_id, nominal, reason))
                    continue
            if changes:
                manager_id = context.manager_on(due)
            target = (
                adjust(due)
                if manager_id == person.manager_id
                else _adjuster(
                    design.calendar,
                    rule.convention,
                    context.patterns_with(manager_id),
                    run.adjusters,
                )(due)
            )
            if not hire_date <= target <= last_day:
                inside = _inside_employment(design.calendar, context, nominal, target)
                if inside is None:
                    reason = "no working day inside the employment for it"
                    skipped.append(Skipped(identifier, type_key, person_id, nominal, reason))
                    continue
                target = inside
            # The window [target - before, target + after], kept inside the employment.
            earliest = target - before
            earliest = max(earliest, hire_date)
            latest = target + after
            if context_last_day is not None:
                latest = min(latest, context_last_day)
                latest = max(latest, earliest)
            latest = max(latest, target)
            rows.append(
                [
                    identifier,
                    type_key,
                    person_id,
                    manager_id,
                    key,
                    nominal,
                    target if target < earliest else earliest,
                    target,
                    latest,
                    None if wall is None else run.starts_at(wall, zone, target),
                    "cadence",
                    None,
                    None,
                ]
            )


def _expand(
    cadence: Cadence,
    person: Person,
    context: _Context,
    run: _Run,
    end_for_person: date,
    held: Sequence[date],
) -> list[Occurrence]:
    if not context.events and isinstance(cadence, LifecycleOffset):
        return _implied_offset(cadence, context, run.start, end_for_person)
    return expand(
        cadence,
        person=person,
        cycle_start=run.design.cycle_start,
        events=context.events,
        start=run.start,
        end=end_for_person,
        add_working_days=context.add_working_days,
        held=held,
    )


def _implied_offset(
    offset: LifecycleOffset, context: _Context, start: date, end: date
) -> list[Occurrence]:
    """``expand`` of ``offset`` for someone without life events, without building events.

    Such a person has only the implied ``hired`` event (hire date) and, with an end date,
    the implied ``last_day`` event; see :func:`~gesprekscyclus.domain.cadence.expand`.
    """
    person = context.person
    lo = max(start, person.hire_date)
    hi = end if person.end_date is None else min(end, person.end_date)
    if hi < lo:
        return []
    if offset.event is LifeEventKind.HIRED:
        on = person.hire_date
    elif offset.event is LifeEventKind.LAST_DAY and person.end_date is not None:
        on = person.end_date
    else:
        return []
    day = offset.date_for(on, context.add_working_days)
    if not lo <= day <= hi:
        return []
    return [Occurrence(f"{offset.event.value}:{on.isoformat()}:{offset.offset_text}", day)]


def _starts_at(design: CycleDesign, rule: TypeRule, person: Person, day: date) -> datetime | None:
    wall: time | None = rule.time or design.default_time
    return None if wall is None else localize(day, wall, person.time_zone)


def _inside_employment(
    calendar: WorkingCalendar, context: _Context, nominal: date, target: date
) -> date | None:
    """A convention moved ``target`` out of the employment: turn back towards ``nominal``."""
    first = context.person.hire_date
    last = date.max if context.last_day is None else context.last_day
    works = calendar.predicate(*context.patterns)
    step = timedelta(days=-1 if target > last else 1)
    day = nominal
    while first <= day <= last:
        if works(day):
            return day
        day += step
    return None


def _adjuster(
    calendar: WorkingCalendar,
    convention: BusinessDayConvention,
    patterns: tuple[WorkingPattern, ...],
    memos: Adjusters,
) -> Callable[[date], date]:
    """``calendar.adjust`` by ``convention`` for ``patterns``, memoised per day.

    Many people share nominal days (rhythms from the cycle start) and working weekdays, so
    one memo per (convention, common weekdays) in ``memos`` serves them all in one run.
    """
    if convention is BusinessDayConvention.UNADJUSTED:
        return _unadjusted
    weekdays = frozenset.intersection(*(pattern.weekdays for pattern in patterns))
    key = (convention, weekdays)
    cached = memos.get(key)
    if cached is not None:
        return cached
    works = calendar.predicate(*patterns)
    memo: dict[date, date] = {}

    def adjust(day: date) -> date:
        moved = memo.get(day)
        if moved is None:
            moved = day if works(day) else calendar.adjust(day, convention, *patterns)
            memo[day] = moved
        return moved

    memos[key] = adjust
    return adjust


def _unadjusted(day: date) -> date:
    return day


def _skip_reason(
    design: CycleDesign, rule: TypeRule, context: _Context, nominal: date
) -> str | None:
    if not rule.population.includes(context.person, on=nominal):
        return "outside the population on that date"
    if (
        context.notice_on is not None
        and nominal >= context.notice_on
        and rule.type not in design.after_notice
        and rule.type != ABSENCE_TYPE
    ):
        return "notice given: only the after-notice types remain"
    return None


def _after_pause(context: _Context, nominal: date) -> tuple[date, str | None]:
    """Where a paused type's occurrence goes: the first day back, or nowhere (with why)."""
    case = context.absence_on(nominal)
    if case is None:
        return nominal, None
    back = case.recovered_on
    if back is None:
        return nominal, "paused while an absence case is open"
    if (back - nominal).days > PAUSE_POSTPONE_DAYS:
        return nominal, f"paused: the absence lasted more than {PAUSE_POSTPONE_DAYS} days after it"
    return back, None


def _plan_absence(
    context: _Context,
    start: date,
    end: date,
    prognoses: Sequence[Prognosis],
    rows: list[_Row],
    obligations: list[Obligation],
) -> None:
    person = context.person
    statutory = context.calendar.predicate()
    both = context.calendar.predicate(*context.patterns)
    for case in context.cases:
        if context.last_day is not None and case.first_day > context.last_day:
            continue  # reported after employment ended: nothing left to plan
        milestones = absence_timeline(
            case,
            prognosis=[p for p in prognoses if p.recorded_on >= case.first_day],
            last_working_day=context.last_day,
            until=end,
            is_working_day=statutory,
        )
        for milestone in milestones:
            if not start <= milestone.due <= end and not (
                milestone.earliest is not None and start <= milestone.earliest <= end
            ):
                continue
            if milestone.conversation_type is None:
                obligations.append(Obligation(person.id, case.first_day, milestone))
                continue
            occurrence = f"{case.first_day.isoformat()}:{milestone.key}"
            latest = milestone.due
            earliest = milestone.earliest or max(case.first_day, latest - timedelta(days=7))
            target = latest
            # "At the latest" deadlines move back (Preceding) onto a day both can meet.
            for _ in range((latest - earliest).days + 1):
                if both(target):
                    break
                target -= timedelta(days=1)
            else:
                target = latest
            rows.append(
                [
                    conversation_id(person.id, milestone.conversation_type, occurrence),
                    milestone.conversation_type,
                    person.id,
                    context.manager_on(target),
                    occurrence,
                    milestone.due,
                    earliest,
                    target,
                    latest,
                    None,
                    "absence",
                    milestone.basis,
                    milestone.key,
                ]
            )


def _plan_follow_ups(
    design: CycleDesign,
    context: _Context,
    history: Mapping[tuple[str, str], Sequence[Conversation]],
    start: date,
    end: date,
    rows: list[_Row],
) -> None:
    person = context.person
    for rule in design.types:
        for conversation in history.get((person.id, rule.type), ()):
            held_on = _held_on(conversation)
            if held_on is None or not rule.follow_ups:
                continue
            answers = {answer.question_key: answer.value for answer in conversation.answers}
            for trigger in rule.follow_ups:
                if not trigger.fires(answers):
                    continue
                earliest, latest = trigger.follow_up(held_on)
                if latest < start or earliest > end:
                    continue
                follow_rule = design.rule(trigger.schedule_type)
                adjust = _adjuster(
                    design.calendar,
                    BusinessDayConvention.PRECEDING,
                    context.patterns,
                    context.adjusters,
                )
                target = max(adjust(latest), earliest)
                occurrence = f"follow-up:{conversation.id}:{trigger.question_key}"
                rows.append(
                    [
                        conversation_id(person.id, trigger.schedule_type, occurrence),
                        trigger.schedule_type,
                        person.id,
                        context.manager_on(target),
                        occurrence,
                        latest,
                        earliest,
                        target,
                        latest,
                        _starts_at(design, follow_rule, person, target),
                        "follow_up",
                        None,
                        None,
                    ]
                )


def _drop_near(run: _Run, rows: list[_Row], first: int, dropped: list[Skipped]) -> None:
    """Apply the drop-near rules to ``rows[first:]``, the rows of one person.

    Dropped rows leave ``rows`` and are listed in ``dropped`` with the reason.
    """
    near_types = run.near_types
    mine = rows[first:]
    targets: dict[str, list[int]] = {}
    for row in mine:
        if row[_TYPE] in near_types:
            targets.setdefault(row[_TYPE], []).append(row[_TARGET].toordinal())
    if not targets:
        return
    drops = run.drops
    kept: list[_Row] = []
    for row in mine:
        rules = drops.get(row[_TYPE])
        reason = None
        if rules is not None:
            target = row[_TARGET].toordinal()
            for near_type, within, text in rules:
                for day in targets.get(near_type, ()):
                    if -within <= day - target <= within:
                        reason = text
                        break
                if reason is not None:
                    break
        if reason is None:
            kept.append(row)
        else:
            dropped.append(Skipped(row[_ID], row[_TYPE], row[_EMPLOYEE], row[_NOMINAL], reason))
    if len(kept) < len(mine):
        del rows[first:]
        rows.extend(kept)


def _manager_types(catalog: Catalog) -> frozenset[str]:
    return frozenset(
        key
        for key in catalog.keys()  # noqa: SIM118 - a Catalog is not a dict
        if Role.MANAGER in catalog.type(key).participants
    )


def _level(  # noqa: PLR0915 - one pass per manager, kept together for speed
    design: CycleDesign,
    catalog: Catalog,
    rows: list[_Row],
    people: Mapping[str, Person],
) -> list[CapacityConflict]:
    """Spread each manager's conversations so no day or week holds more than capacity.

    Per manager, in order of (latest, target, id), each conversation keeps its target when
    that day and week have room, and otherwise takes the nearest working day of employee and
    manager in its window with room (the earlier one on a tie). Rows move in place. Days are
    counted on ordinals, weeks on ``(ordinal - 1) // 7`` (ordinal 1 is a Monday, so that
    number stands for the ISO week).
    """
    capacity = design.capacity
    if capacity is None:
        return []
    with_manager = _manager_types(catalog)
    groups: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        manager_id = row[_MANAGER]
        if manager_id is not None and row[_TYPE] in with_manager:
            groups[manager_id].append(row)
    conflicts: list[CapacityConflict] = []
    calendar = design.calendar
    memos: dict[frozenset[int], dict[int, bool]] = {}
    day_limit, week_limit = capacity.per_day, capacity.per_week
    order = itemgetter(_LATEST, _TARGET, _ID)
    full = (
        f"no working day in the window has room (at most {capacity.per_day} a day, "
        f"{capacity.per_week} a week)"
    )
    for manager_id in sorted(groups):
        manager = people.get(manager_id)
        per_day: dict[int, int] = {}
        per_week: dict[int, int] = {}
        works_of: dict[str, tuple[frozenset[int], dict[int, bool]]] = {}
        resume: dict[tuple[int, int, int, frozenset[int]], tuple[int, int]] = {}
        group = groups[manager_id]
        group.sort(key=order)
        for row in group:
            target = row[_TARGET].toordinal()
            week = (target - 1) // 7
            on_day = per_day.get(target, 0)
            in_week = per_week.get(week, 0)
            if on_day < day_limit and in_week < week_limit:
                # The common case: the target itself has room.
                per_day[target] = on_day + 1
                per_week[week] = in_week + 1
                continue
            # The nearest working day with room, earlier first; the target itself is full.
            employee_id = row[_EMPLOYEE]
            found_works = works_of.get(employee_id)
            if found_works is None:
                weekdays = people[employee_id].working_pattern.weekdays
                if manager is not None:
                    weekdays = weekdays & manager.working_pattern.weekdays
                memo = memos.get(weekdays)
                if memo is None:
                    memo = memos[weekdays] = {}
                found_works = works_of[employee_id] = (weekdays, memo)
            weekdays, works = found_works
            earliest = row[_EARLIEST].toordinal()
            latest = row[_LATEST].toordinal()
            # Candidates in order: target - 1, target + 1, target - 2, ... Counts only grow,
            # so a day or week once found full stays full: the next conversation with the same
            # window and working days resumes the scan where the previous one stopped.
            scan = (target, earliest, latest, weekdays)
            left, right = resume.get(scan) or (target - 1, target + 1)
            found = None
            while True:
                # The nearer side next, the earlier day on a tie, inside the window.
                if left >= earliest and (right > latest or target - left <= right - target):
                    day = left
                    if per_week.get((day - 1) // 7, 0) >= week_limit:
                        left = day - (day - 1) % 7 - 1  # the whole week is full: skip it
                        continue
                    left -= 1
                elif right <= latest:
                    day = right
                    if per_week.get((day - 1) // 7, 0) >= week_limit:
                        right = day - (day - 1) % 7 + 7
                        continue
                    right += 1
                else:
                    break
                working = works.get(day)
                if working is None:
                    working = works[day] = _works(calendar, weekdays, day)
                if working and per_day.get(day, 0) < day_limit:
                    found = day
                    # Resume at this day next time: it may still have room then.
                    if day < target:
                        left = day
                    else:
                        right = day
                    break
            resume[scan] = (left, right)
            if found is None:
                conflicts.append(
                    CapacityConflict(
                        row[_ID],
                        manager_id,
                        row[_EARLIEST],
                        row[_LATEST],
                        full,
                    )
                )
                per_day[target] = on_day + 1
                per_week[week] = in_week + 1
                continue
            per_day[found] = per_day.get(found, 0) + 1
            week = (found - 1) // 7
            per_week[week] = per_week.get(week, 0) + 1
            day_moved = date.fromordinal(found)
            starts_at = row[_STARTS_AT]
            if starts_at is not None:
                zone = people[employee_id].time_zone
                wall = starts_at.astimezone(ZoneInfo(zone)).time()
                starts_at = localize(day_moved, wall, zone)
            row[_TARGET] = day_moved
            row[_STARTS_AT] = starts_at
    return conflicts


def _works(calendar: WorkingCalendar, weekdays: frozenset[int], ordinal: int) -> bool:
    day = date.fromordinal(ordinal)
    return not calendar.is_day_off(day) and day.isoweekday() in weekdays
