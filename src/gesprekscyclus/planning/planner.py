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

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import TypeAlias
from zoneinfo import ZoneInfo

from attrs import evolve, frozen

from gesprekscyclus.domain.absence import (
    AbsenceCase,
    LegalBasis,
    Milestone,
    Prognosis,
    absence_cases,
    absence_timeline,
    periods_from_events,
)
from gesprekscyclus.domain.cadence import Anniversary, Interval, RRuleCadence, expand
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

    >>> conversation_id("e-1", "check_in", "n3")
    'check_in-6b6555b07b130c0c9689ed01'
    """
    digest = hashlib.blake2b(
        f"{person_id}\x1f{type_key}\x1f{occurrence}".encode(), digest_size=12
    ).hexdigest()
    return f"{type_key}-{digest}"


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
        self.adjusters = adjusters
        self._people = people
        self.patterns: tuple[WorkingPattern, ...] = (
            (person.working_pattern,)
            if manager is None
            else (person.working_pattern, manager.working_pattern)
        )
        self.events = events
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
        self.calendar = design.calendar

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
    """
    _check_horizon(start, end)
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
    with_manager = _manager_types(catalog)
    adjusters: Adjusters = {}

    planned: list[PlannedConversation] = []
    skipped: list[Skipped] = []
    obligations: list[Obligation] = []
    for person in staff:
        manager = by_id.get(person.manager_id) if person.manager_id else None
        context = _Context(design, person, manager, events_of.get(person.id, ()), adjusters, by_id)
        for rule in design.types:
            if not rule.population.includes_statically(person):
                continue
            if person.manager_id is None and rule.type in with_manager:
                continue  # nobody to hold it with: the top of the organisation
            held = [
                day
                for conversation in history.get((person.id, rule.type), ())
                if (day := _held_on(conversation)) is not None
            ]
            _plan_rule(design, rule, context, start, end, held, planned, skipped)
            if rule.type == ABSENCE_TYPE:
                _plan_absence(
                    context,
                    start,
                    end,
                    (*context.prognoses, *prognoses.get(person.id, ())),
                    planned,
                    obligations,
                )
        _plan_follow_ups(design, context, history, start, end, planned)
    planned, dropped = _apply_drop_near(design, planned)
    skipped.extend(dropped)
    planned, conflicts = _level(design, catalog, planned, by_id)
    planned.sort(key=lambda conversation: (conversation.target, conversation.id))
    skipped.sort(key=lambda skip: (skip.nominal, skip.id))
    return Plan(
        start=start,
        end=end,
        conversations=tuple(planned),
        skipped=tuple(skipped),
        conflicts=tuple(conflicts),
        obligations=tuple(obligations),
    )


def _window(rule: TypeRule, context: _Context, target: date) -> tuple[date, date]:
    earliest = target - timedelta(days=rule.window_before)
    latest = target + timedelta(days=rule.window_after)
    person = context.person
    earliest = max(earliest, person.hire_date)
    if context.last_day is not None:
        latest = max(min(latest, context.last_day), earliest)
    return earliest, max(latest, target)


def _starts_at(design: CycleDesign, rule: TypeRule, person: Person, day: date) -> datetime | None:
    wall: time | None = rule.time or design.default_time
    return None if wall is None else localize(day, wall, person.time_zone)


def _plan_rule(
    design: CycleDesign,
    rule: TypeRule,
    context: _Context,
    start: date,
    end: date,
    held: Sequence[date],
    planned: list[PlannedConversation],
    skipped: list[Skipped],
) -> None:
    person = context.person
    end_for_person = end if context.last_day is None else min(end, context.last_day)
    adjust = _adjuster(design.calendar, rule.convention, context.patterns, context.adjusters)
    last_day = date.max if context.last_day is None else context.last_day
    for position, cadence in enumerate(rule.cadence):
        # Counted keys (n3, y2) of a second rhythm of the same type would collide with the
        # first one's; they get the rhythm's position. Event keys name their event already.
        prefix = f"c{position}:" if position and isinstance(cadence, _COUNTED) else ""
        occurrences = expand(
            cadence,
            person=person,
            cycle_start=design.cycle_start,
            events=context.events,
            start=start,
            end=end_for_person,
            add_working_days=context.add_working_days,
            held=held,
        )
        for occurrence in occurrences:
            nominal = occurrence.nominal
            key = prefix + occurrence.key
            identifier = conversation_id(person.id, rule.type, key)
            reason = _skip_reason(design, rule, context, nominal)
            due = nominal
            if reason is None and rule.pause_during_absence:
                due, reason = _after_pause(context, nominal)
            if reason is not None:
                skipped.append(Skipped(identifier, rule.type, person.id, nominal, reason))
                continue
            manager_id = context.manager_on(due)
            target = (
                adjust(due)
                if manager_id == person.manager_id
                else _adjuster(
                    design.calendar,
                    rule.convention,
                    context.patterns_with(manager_id),
                    context.adjusters,
                )(due)
            )
            if not person.hire_date <= target <= last_day:
                inside = _inside_employment(design.calendar, context, nominal, target)
                if inside is None:
                    reason = "no working day inside the employment for it"
                    skipped.append(Skipped(identifier, rule.type, person.id, nominal, reason))
                    continue
                target = inside
            earliest, latest = _window(rule, context, target)
            planned.append(
                PlannedConversation(
                    id=identifier,
                    type_key=rule.type,
                    employee_id=person.id,
                    manager_id=manager_id,
                    occurrence=key,
                    nominal=nominal,
                    earliest=min(earliest, target),
                    target=target,
                    latest=latest,
                    starts_at=_starts_at(design, rule, person, target),
                )
            )


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
    planned: list[PlannedConversation],
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
            planned.append(
                PlannedConversation(
                    id=conversation_id(person.id, milestone.conversation_type, occurrence),
                    type_key=milestone.conversation_type,
                    employee_id=person.id,
                    manager_id=context.manager_on(target),
                    occurrence=occurrence,
                    nominal=milestone.due,
                    earliest=earliest,
                    target=target,
                    latest=latest,
                    origin="absence",
                    basis=milestone.basis,
                    milestone=milestone.key,
                )
            )


def _plan_follow_ups(
    design: CycleDesign,
    context: _Context,
    history: Mapping[tuple[str, str], Sequence[Conversation]],
    start: date,
    end: date,
    planned: list[PlannedConversation],
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
                planned.append(
                    PlannedConversation(
                        id=conversation_id(person.id, trigger.schedule_type, occurrence),
                        type_key=trigger.schedule_type,
                        employee_id=person.id,
                        manager_id=context.manager_on(target),
                        occurrence=occurrence,
                        nominal=latest,
                        earliest=earliest,
                        target=target,
                        latest=latest,
                        starts_at=_starts_at(design, follow_rule, person, target),
                        origin="follow_up",
                    )
                )


def _apply_drop_near(
    design: CycleDesign, planned: list[PlannedConversation]
) -> tuple[list[PlannedConversation], list[Skipped]]:
    if not design.interactions:
        return planned, []
    targets: dict[tuple[str, str], list[date]] = defaultdict(list)
    for conversation in planned:
        targets[conversation.employee_id, conversation.type_key].append(conversation.target)
    kept: list[PlannedConversation] = []
    dropped: list[Skipped] = []
    for conversation in planned:
        reason = None
        for rule in design.interactions:
            if rule.drop != conversation.type_key:
                continue
            near = targets.get((conversation.employee_id, rule.near), ())
            if any(abs((day - conversation.target).days) <= rule.within_days for day in near):
                reason = f"within {rule.within_days} days of a {rule.near}"
                break
        if reason is None:
            kept.append(conversation)
        else:
            dropped.append(
                Skipped(
                    conversation.id,
                    conversation.type_key,
                    conversation.employee_id,
                    conversation.nominal,
                    reason,
                )
            )
    return kept, dropped


def _manager_types(catalog: Catalog) -> frozenset[str]:
    return frozenset(
        key
        for key in catalog.keys()  # noqa: SIM118 - a Catalog is not a dict
        if Role.MANAGER in catalog.type(key).participants
    )


def _level(
    design: CycleDesign,
    catalog: Catalog,
    planned: list[PlannedConversation],
    people: Mapping[str, Person],
) -> tuple[list[PlannedConversation], list[CapacityConflict]]:
    """Spread each manager's conversations so no day or week holds more than capacity."""
    capacity = design.capacity
    if capacity is None:
        return planned, []
    with_manager = _manager_types(catalog)
    groups: dict[str, list[int]] = defaultdict(list)
    for index, conversation in enumerate(planned):
        if conversation.manager_id is not None and conversation.type_key in with_manager:
            groups[conversation.manager_id].append(index)
    conflicts: list[CapacityConflict] = []
    result = list(planned)
    predicates: dict[tuple[frozenset[int], ...], Callable[[date], bool]] = {}
    weeks: dict[date, tuple[int, int]] = {}
    day_limit, week_limit = capacity.per_day, capacity.per_week
    for manager_id in sorted(groups):
        manager = people.get(manager_id)
        per_day: dict[date, int] = defaultdict(int)
        per_week: dict[tuple[int, int], int] = defaultdict(int)
        order = sorted(
            groups[manager_id], key=lambda i: (planned[i].latest, planned[i].target, planned[i].id)
        )
        for index in order:
            conversation = planned[index]
            target = conversation.target
            week = weeks.get(target)
            if week is None:
                week = weeks[target] = _iso_week(target)
            if per_day[target] < day_limit and per_week[week] < week_limit:
                # The common case: the target itself has room.
                per_day[target] += 1
                per_week[week] += 1
                continue
            employee = people.get(conversation.employee_id)
            patterns = tuple(
                person.working_pattern for person in (employee, manager) if person is not None
            )
            pattern_key = tuple(pattern.weekdays for pattern in patterns)
            works = predicates.get(pattern_key)
            if works is None:
                works = predicates[pattern_key] = design.calendar.predicate(*patterns)
            day = _free_day(conversation, works, per_day, per_week, day_limit, week_limit)
            if day is None:
                conflicts.append(
                    CapacityConflict(
                        conversation.id,
                        manager_id,
                        conversation.earliest,
                        conversation.latest,
                        f"no working day in the window has room (at most {capacity.per_day} a "
                        f"day, {capacity.per_week} a week)",
                    )
                )
                day = target
            per_day[day] += 1
            per_week[_iso_week(day)] += 1
            if day != target:
                employee_zone = employee.time_zone if employee is not None else "Europe/Amsterdam"
                starts_at = None
                if conversation.starts_at is not None:
                    wall = conversation.starts_at.astimezone(ZoneInfo(employee_zone)).time()
                    starts_at = localize(day, wall, employee_zone)
                result[index] = evolve(conversation, target=day, starts_at=starts_at)
    return result, conflicts


def _iso_week(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def _free_day(
    conversation: PlannedConversation,
    works: Callable[[date], bool],
    per_day: Mapping[date, int],
    per_week: Mapping[tuple[int, int], int],
    day_limit: int,
    week_limit: int,
) -> date | None:
    """The working day nearest the target (earlier first on a tie) that still has room."""
    target = conversation.target
    span = max((target - conversation.earliest).days, (conversation.latest - target).days)
    for distance in range(span + 1):
        for day in (target - timedelta(days=distance), target + timedelta(days=distance)):
            if not conversation.earliest <= day <= conversation.latest:
                continue
            if not works(day) and day != target:
                continue
            if (
                per_day.get(day, 0) < day_limit
                and per_week.get(day.isocalendar()[:2], 0) < week_limit
            ):
                return day
            if distance == 0:
                break
    return None
