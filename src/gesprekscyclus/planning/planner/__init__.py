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

The modules of this package follow those steps: ``context`` (one person's facts and the
run's shared memos), ``occurrences`` (steps 1 to 3, with ``adjusting`` for working days),
``absence`` and ``follow_ups`` (step 4), ``drop_near`` (the ``DropNear`` part of step 2,
once a person's rows are all known), ``levelling`` (step 5); ``rows`` holds the result types
and the list rows they are built from, ``ids`` the stable ids. This module ties them together.

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
True"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from operator import attrgetter
from typing import Any, TypeAlias

from attrs import frozen

from gesprekscyclus.domain.absence import Prognosis
from gesprekscyclus.domain.catalog import Catalog, built_in_catalog
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.dates import DateLike, as_date
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.planner.absence import _plan_absence
from gesprekscyclus.planning.planner.context import _Context, _held_on, _manager_types, _Run
from gesprekscyclus.planning.planner.drop_near import _drop_near
from gesprekscyclus.planning.planner.follow_ups import _plan_follow_ups
from gesprekscyclus.planning.planner.ids import conversation_id, person_digest
from gesprekscyclus.planning.planner.levelling import _level
from gesprekscyclus.planning.planner.occurrences import ABSENCE_TYPE, _plan_rule
from gesprekscyclus.planning.planner.occurrences import (
    PAUSE_POSTPONE_DAYS as PAUSE_POSTPONE_DAYS,
)
from gesprekscyclus.planning.planner.rows import (
    CapacityConflict,
    Obligation,
    PlannedConversation,
    Skipped,
    _conversations,
    _Row,
)

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


def plan(
    design: CycleDesign,
    people: Iterable[Person],
    events: Iterable[LifeEvent] = (),
    *,
    start: DateLike,
    end: DateLike,
    catalog: Catalog | None = None,
    existing: Iterable[Conversation] = (),
    prognoses: Mapping[str, Sequence[Prognosis]] | None = None,
) -> Plan:
    """Plan every conversation of ``design`` for ``people`` in ``[start, end]``.

    ``events`` are the life events of all people (hired, notice, last day, sick report,
    recovery, leave); ``existing`` conversations supply held dates (for rhythms anchored on
    the held date) and answers (for follow-ups); ``prognoses`` per person id feed the absence
    timeline. See the module docstring for the steps. ``start`` and ``end`` may be dates or
    ``YYYY-MM-DD`` text (or a date-time at midnight, such as a pandas Timestamp).

    The cyclic garbage collector is paused while planning: the plan holds millions of small
    objects without cycles, and repeated collections over them cost about a third of the time.
    """
    start, end = as_date(start, "start"), as_date(end, "end")
    _check_horizon(start, end)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _plan(design, people, events, start, end, catalog, existing, prognoses)
    finally:
        if collecting:
            gc.enable()


def _check_horizon(start: date, end: date) -> None:
    if end < start:
        raise InvalidValueError("end", f"{end} lies before start {start}")


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
