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

**The horizon.** A plan for ``[start, end]`` holds exactly the conversations whose (final)
target lies in ``[start, end]``, whatever their nominal date: a New Year's check-in that a
convention moves back to 31 December belongs to the year before, and one on 2 January whose
nominal date is 29 December belongs to this year. Skipped occurrences are listed by their
nominal date, obligations by their due date, conflicts with their conversation. Internally
the planner plans a margin of :func:`plan_margin_days` on both sides, wide enough for every
business-day move and for the levelling windows, so the result equals a longer plan cut to
the window. (One exception: a manager whose capacity is exceeded for good, with capacity
conflicts, has conversations placed by where levelling starts, in any plan; the horizon
rule still holds.) A horizon of more than :data:`MAX_HORIZON_DAYS` days is refused (pass
``max_horizon_days`` to plan further), as are days outside :data:`FIRST_PLAN_DAY` to
:data:`LAST_PLAN_DAY`.

The modules of this package follow those steps: ``context`` (one person's facts and the
run's shared memos), ``occurrences`` (steps 1 to 3, with ``adjusting`` for working days),
``absence`` and ``follow_ups`` (step 4), ``drop_near`` (the ``DropNear`` part of step 2,
once a person's rows are all known), ``levelling`` (step 5); ``rows`` holds the result types
and the unfrozen rows they start as, ``ids`` the stable ids. This module ties them together.

>>> from datetime import date, timedelta
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

The horizon counts target dates. A check-in on the first of the month that the ``nearest``
convention moves off a weekend: 1 January 2028 is a Saturday, so January's check-in is held
on Friday 31 December 2027 and belongs to a plan of 2027, not of 2028:

>>> nearest = CycleDesign(name="demo", cycle_start=date(2026, 1, 1), types=(
...     TypeRule(type="check_in", convention="nearest", cadence=(
...         Interval(every=1, unit="months", anchor="cycle_start"),)),))
>>> december = plan(nearest, people, start=date(2027, 12, 1), end=date(2027, 12, 31))
>>> [(c.nominal.isoformat(), c.target.isoformat()) for c in december.conversations]
[('2027-12-01', '2027-12-01'), ('2028-01-01', '2027-12-31')]
>>> january = plan(nearest, people, start=date(2028, 1, 1), end=date(2028, 1, 31))
>>> [c.target.isoformat() for c in january.conversations]
[]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from operator import attrgetter
from typing import Any, TypeAlias

from attrs import frozen

from gesprekscyclus._collector import paused
from gesprekscyclus.domain._checks import checked_arguments, checks_own, shown
from gesprekscyclus.domain.absence import LATEST_SICK_DAY, Prognosis
from gesprekscyclus.domain.calendar.working_days import MAX_GAP_DAYS
from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.dates import DateLike, as_date
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import CycleDesign, _months_between
from gesprekscyclus.planning.planner.absence import _plan_absence
from gesprekscyclus.planning.planner.context import (
    _NOTHING,
    _NOTHING_WITHOUT_END,
    ABSENCE_TYPE,
    _Context,
    _held_on,
    _manager_types,
    _Run,
)
from gesprekscyclus.planning.planner.drop_near import _drop_near, _drop_near_templated
from gesprekscyclus.planning.planner.follow_ups import _plan_follow_ups
from gesprekscyclus.planning.planner.ids import conversation_id, person_digest
from gesprekscyclus.planning.planner.levelling import _level
from gesprekscyclus.planning.planner.occurrences import (
    PAUSE_POSTPONE_DAYS as PAUSE_POSTPONE_DAYS,
)
from gesprekscyclus.planning.planner.occurrences import _plan_rule, _rule_template
from gesprekscyclus.planning.planner.rows import (
    CapacityConflict,
    Obligation,
    PlannedConversation,
    Skipped,
    _conversations,
    _extend_from_tails,
    _Row,
)

__all__ = [
    "FIRST_PLAN_DAY",
    "LAST_PLAN_DAY",
    "MAX_HORIZON_DAYS",
    "CapacityConflict",
    "Obligation",
    "Plan",
    "PlannedConversation",
    "Skipped",
    "check_horizon",
    "conversation_id",
    "person_digest",
    "plan",
    "plan_margin_days",
]

#: The longest horizon :func:`plan` accepts by default, in days (about eleven years: ten
#: years and the margins a materialise run adds): a plan's cost grows with its horizon, so
#: a typing error such as a year 3026 is refused instead of running for minutes. Pass
#: ``max_horizon_days`` to plan further.
MAX_HORIZON_DAYS = 4000
#: The first day a plan may start: the Dutch holiday calendar starts in 1982, and the
#: planner looks up to a year before ``start``.
FIRST_PLAN_DAY = date(1983, 1, 1)
#: The last day a plan may end: the statutory holidays that legal deadlines are counted
#: with are known up to 4099, and absence timelines run two years past their first day.
LAST_PLAN_DAY = LATEST_SICK_DAY
#: Days a business-day convention may move a date, besides closures: a part-time pattern
#: of one day a week next to a week of holidays.
_CONVENTION_SLACK_DAYS = 21
#: The longest window of an absence milestone (the first-year evaluation, weeks 46 to 52).
_ABSENCE_WINDOW_DAYS = 49


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


@checked_arguments
@checks_own("start", "end")  # as_date says what it takes: a date or YYYY-MM-DD text
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
    max_horizon_days: int = MAX_HORIZON_DAYS,
) -> Plan:
    """Plan every conversation of ``design`` for ``people`` whose target lies in
    ``[start, end]`` (see "The horizon" in the module docstring).

    ``events`` are the life events of all people (hired, notice, last day, sick report,
    recovery, leave); ``existing`` conversations supply held dates (for rhythms anchored on
    the held date) and answers (for follow-ups); ``prognoses`` per person id feed the absence
    timeline. See the module docstring for the steps. ``start`` and ``end`` may be dates or
    ``YYYY-MM-DD`` text (or a date-time at midnight, such as a pandas Timestamp). A horizon
    longer than ``max_horizon_days`` days, or days outside :data:`FIRST_PLAN_DAY` to
    :data:`LAST_PLAN_DAY`, raise :class:`~gesprekscyclus.errors.InvalidValueError`.

    The cyclic garbage collector is paused while planning: the plan holds millions of small
    objects without cycles, and repeated collections over them cost about a third of the time.
    """
    start, end = as_date(start, "start"), as_date(end, "end")
    check_horizon(start, end, max_horizon_days=max_horizon_days)
    with paused():
        return _plan(design, people, events, start, end, catalog, existing, prognoses)


def check_horizon(start: date, end: date, *, max_horizon_days: int = MAX_HORIZON_DAYS) -> None:
    """Refuse a planning horizon :func:`plan` would refuse, with a typed error.

    >>> try:
    ...     check_horizon(date(2026, 1, 1), date(3025, 5, 5))
    ... except InvalidValueError as error:
    ...     print(error.problem)  # doctest: +NORMALIZE_WHITESPACE
    the horizon from 2026-01-01 to 3025-05-05 is 365002 days long, more than
    max_horizon_days (4000); plan in parts or raise the limit
    """
    for name, day in (("start", start), ("end", end)):
        if type(day) is not date:
            raise InvalidValueError(name, f"must be a date, got {type(day).__name__}")
        if not FIRST_PLAN_DAY <= day <= LAST_PLAN_DAY:
            raise InvalidValueError(
                name,
                f"{day} lies outside the days a plan can cover ({FIRST_PLAN_DAY} to "
                f"{LAST_PLAN_DAY})",
            )
    if end < start:
        raise InvalidValueError("end", f"{end} lies before start {start}")
    if isinstance(max_horizon_days, bool) or not isinstance(max_horizon_days, int):
        raise InvalidValueError(
            "max_horizon_days", f"must be a whole number, got {shown(max_horizon_days)}"
        )
    days = (end - start).days + 1
    if days > max_horizon_days:
        raise InvalidValueError(
            "end",
            f"the horizon from {start} to {end} is {days} days long, more than "
            f"max_horizon_days ({max_horizon_days}); plan in parts or raise the limit",
        )


def plan_margin_days(design: CycleDesign) -> int:
    """The days :func:`plan` plans beyond each side of its horizon for ``design``.

    Wide enough for a business-day convention to move a date across the edge (the longest
    closure included) and, when the design levels capacity, for every levelling window that
    reaches into the horizon and for the windows of the conversations they compete with
    (twice the widest window), so that the conversations inside come out as in a longer plan.

    >>> from attrs import evolve
    >>> from gesprekscyclus.domain.cadence import Interval
    >>> from gesprekscyclus.planning.design import Capacity, TypeRule
    >>> base = CycleDesign(name="demo", cycle_start=date(2026, 1, 1), types=(
    ...     TypeRule(type="check_in", window_before=7, window_after=14),))
    >>> plan_margin_days(base), plan_margin_days(evolve(base, capacity=Capacity()))
    (21, 63)
    """
    longest_closure = max((closure.days for closure in design.calendar.closures), default=0)
    margin = _CONVENTION_SLACK_DAYS + min(longest_closure, MAX_GAP_DAYS)
    if design.capacity is None:
        return margin
    widths = [rule.window_before + rule.window_after for rule in design.types]
    widths += [trigger.within_days for rule in design.types for trigger in rule.follow_ups]
    if ABSENCE_TYPE in design.type_keys:
        widths.append(_ABSENCE_WINDOW_DAYS)
    return margin + 2 * max(widths, default=0)


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
    catalog = catalog if catalog is not None else design.full_catalog()
    staff = sorted(people, key=lambda person: person.id)
    by_id = {person.id: person for person in staff}
    events_of: dict[str, list[LifeEvent]] = defaultdict(list)
    for event in sorted(events):
        events_of[event.person_id].append(event)
    history: dict[tuple[str, str], list[Conversation]] = defaultdict(list)
    for conversation in existing:
        history[conversation.employee_id, conversation.type_key].append(conversation)
    prognoses = prognoses or {}
    # Planned with a margin on both sides, then cut to the targets inside [start, end].
    margin = timedelta(days=plan_margin_days(design))
    run = _Run(design, start - margin, end + margin)
    inputs = _Inputs(run, catalog, by_id, events_of, history, prognoses, end)
    all_rows, skipped, obligations, levelled = _plan_part(staff, inputs)
    # A conflict's row keeps its target: it is kept when that target is.
    conflicts = [conflict for conflict, day in levelled if start <= day <= end]
    skipped = [skip for skip in skipped if start <= skip.nominal <= end]
    obligations = [item for item in obligations if start <= item.milestone.due <= end]
    # Frozen in the order the rows were made, then sorted: by id and then, stably, by target
    # gives (target, id) order without building key tuples (this beats sorting each target
    # day's bucket by id: the rows come in long sorted runs).
    conversations = _conversations(row for row in all_rows if start <= row.target <= end)
    del all_rows
    conversations.sort(key=attrgetter("id"))
    conversations.sort(key=attrgetter("target"))
    # (nominal, id) order the same way: two stable sorts on one field each, no key tuples.
    skipped.sort(key=attrgetter("id"))
    skipped.sort(key=attrgetter("nominal"))
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
    list[_Row],
    list[Skipped],
    list[Obligation],
    list[tuple[CapacityConflict, date]],
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
        last: date,
    ):
        self.run = run
        #: The last day of the horizon (the run plans a margin past it).
        self.last = last
        self.catalog = catalog
        self.people = people
        self.events_of = events_of
        self.history = history
        self.prognoses = prognoses


def _plan_part(staff: Sequence[Person], inputs: _Inputs) -> _Part:  # noqa: PLR0915 - hot loop
    """Plan ``staff`` (sorted by id): each person, drop-near rules, then levelling."""
    run = inputs.run
    design, start, end = run.design, run.start, run.end
    by_id, events_of, history = inputs.people, inputs.events_of, inputs.history
    prognoses = inputs.prognoses
    with_manager = _manager_types(inputs.catalog)
    adjusters = run.adjusters
    no_events: Sequence[LifeEvent] = ()
    unplanned_absence = (
        ABSENCE_TYPE not in design.type_keys and not design.absence_handled_elsewhere
    )
    rows: list[_Row] = []
    skipped: list[Skipped] = []
    obligations: list[Obligation] = []
    dropped: list[Skipped] = []
    templated, hired_reach, min_tenure = run.templated, run.hired_reach, run.min_tenure
    eventless = run.eventless
    # Populations with a team, contract or location filter (the others include everyone).
    filtered = [
        bool(rule.population.teams or rule.population.contracts or rule.population.locations)
        for rule in design.types
    ]
    near_or_dropped, columns = run.near_or_dropped, run.columns
    run_start = start.toordinal()
    for person in staff:
        first = len(rows)
        manager = by_id.get(person.manager_id) if person.manager_id else None
        context = _Context(
            design, person, manager, events_of.get(person.id, no_events), adjusters, by_id
        )
        plain = not context.events  # no notice, absence or manager change to look at
        # Where the rows of the types drop-near rules name came from rule templates whole.
        sources: dict[str, tuple[int, Sequence[Any]]] = {}
        templated_only = columns and plain and not history
        person_id, manager_id, hire_date = person.id, person.manager_id, person.hire_date
        last_day = context.last_day
        for index, rule in enumerate(design.types):
            if filtered[index] and not rule.population.includes_statically(person):
                continue
            if manager_id is None and rule.type in with_manager:
                continue  # nobody to hold it with: the top of the organisation
            if plain:
                reach, silent = hired_reach[index], eventless[index]
                if reach is not None and hire_date.toordinal() + reach < run_start:
                    continue  # onboarding long done: every offset from the hire date is past
                if silent == _NOTHING or (
                    silent == _NOTHING_WITHOUT_END and person.end_date is None
                ):
                    continue  # it counts events this person does not have
            tenure = min_tenure[index]
            if (
                plain
                and templated[index]
                and (tenure is None or _months_between(hire_date, start) >= tenure)
            ):
                earliest, latest, tails = _rule_template(run, index, rule, context)
                if hire_date <= earliest and (last_day is None or latest <= last_day):
                    # Employed over every window: the rows are the template's (column-wise).
                    type_key = rule.type
                    if type_key in near_or_dropped:
                        sources[type_key] = (len(rows), tails)
                    prefix = f"{type_key}-{context.digest}-"
                    _extend_from_tails(rows, prefix, type_key, person_id, manager_id, tails)
                    continue
            if rule.type in near_or_dropped:
                templated_only = False
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
        if unplanned_absence and context.cases:
            for case in context.cases:
                skipped.append(_absence_not_planned(person.id, case.first_day))
        if history:
            _plan_follow_ups(design, context, history, start, end, rows)
        if design.interactions and len(rows) > first:
            # A person's rows are contiguous, and drop-near rules look only at one person.
            if templated_only:
                _drop_near_templated(run, rows, sources, dropped)
            else:
                _drop_near(run, rows, first, dropped)
    skipped.extend(dropped)
    conflicts = _level(design, inputs.catalog, rows, by_id, run.starts_at, inputs.last)
    return rows, skipped, obligations, conflicts


def _absence_not_planned(person_id: str, first_day: date) -> Skipped:
    """A sick-leave case the design plans nothing for: listed, never silently left out."""
    occurrence = f"{first_day.isoformat()}:case"
    return Skipped(
        conversation_id(person_id, ABSENCE_TYPE, occurrence),
        ABSENCE_TYPE,
        person_id,
        first_day,
        "the design has no absence type: the Poortwachter obligations of this sick-leave "
        "case are not planned (set absence_handled_elsewhere when another system follows them)",
    )
