"""Turning a plan into stored conversations, idempotently.

:func:`apply_plan` compares a :class:`~gesprekscyclus.planning.planner.Plan` with what the
store holds, conversation by conversation (the planner's ids are stable):

- a planned id that is not stored yet is **added** (state ``planned``); one whose target date
  has passed already is marked ``known_late``;
- a stored conversation that is still ``planned`` but whose window or manager differs from
  the plan is **moved** to the plan's window and manager;
- a stored conversation that is still ``planned``, that lies inside the horizon (by the rule
  below) and that the plan no longer asks for (notice given, population changed, type dropped
  by a new design) is **cancelled** with a reason that starts with :data:`VANISHED_REASON`
  and names the design versions, so it stays on file;
- a conversation that an earlier run cancelled that way and that the plan asks for again
  is **reinstated**: the same id, planned again, with a ``reinstate`` history entry;
- everything that has been scheduled, held, reported or closed is left alone: a person has
  acted on it.

**The horizon rule.** A run over ``[start, end]`` creates every planned conversation whose
target date lies in ``[start, end]``, and also every one whose target lies before ``start``
but whose window is still open on ``start`` (its latest date is ``start`` or later): an
obligation is not lost because it became known late. Conversations of the absence
(Poortwachter) timeline are created even when their window has closed already: they are
stored as overdue and show in the overdue queries, never skipped. Other conversations whose
window closed before ``start`` are not created (a first install does not fill the store with
last year's check-ins). See :func:`in_horizon`.

Applying the same plan twice changes nothing the second time.

>>> from datetime import date
>>> from gesprekscyclus.planning.planner import PlannedConversation
>>> row = PlannedConversation(id="c-1", type_key="check_in", employee_id="e-1", manager_id="m-1",
...     occurrence="n0", nominal=date(2026, 2, 2), earliest=date(2026, 1, 26),
...     target=date(2026, 2, 2), latest=date(2026, 2, 16))
>>> talk = conversation_from_plan(row, time_zone="Europe/Amsterdam")
>>> talk.status.value, talk.window.target.isoformat(), [p.person_id for p in talk.participants]
('planned', '2026-02-02', ['e-1', 'm-1'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from datetime import date, datetime, timedelta

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import checked_arguments, shown
from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.conversations import (
    Conversation,
    ConversationAction,
    ConversationStatus,
    Participant,
    Window,
)
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.new_conversations import NewConversation, NewConversations, PlannedKind
from gesprekscyclus.domain.people import Person, Role
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.planner import (
    FIRST_PLAN_DAY,
    LAST_PLAN_DAY,
    Plan,
    PlannedConversation,
    plan,
)
from gesprekscyclus.ports.store import (
    ConversationState,
    DesignVersion,
    UnitOfWork,
    state_of,
    version_of,
)
from gesprekscyclus.service.events import NO_STATE_CHANGES, StateChanges
from gesprekscyclus.service.reminders import withdrawal_for

__all__ = [
    "ABSENCE_LOOKBACK_DAYS",
    "PLAN_MARGIN_DAYS",
    "VANISHED_REASON",
    "MaterialiseReport",
    "apply_plan",
    "apply_to_states",
    "conversation_from_plan",
    "horizon_end",
    "in_horizon",
    "participant_roles",
    "plan_horizon",
    "planned_kind",
    "planned_manager",
    "with_manager",
]

#: The reason recorded on a planned conversation that the plan no longer asks for; every
#: cancellation by the planner starts with it (so that a later plan can reinstate it).
VANISHED_REASON = "no longer part of the plan"

#: Days planned on either side of a materialise horizon, so that an occurrence whose date
#: a business-day convention or load levelling moved across the edge is still recognised.
PLAN_MARGIN_DAYS = 45


def horizon_end(start: date, horizon_days: int, *, name: str = "horizon_days") -> date:
    """The last day of a horizon of ``horizon_days`` from ``start``; raises
    :class:`InvalidValueError` naming ``name`` unless it is a whole number of 0 or more whose
    days stay within the last day a plan can cover.

    >>> horizon_end(date(2026, 1, 1), 365)
    datetime.date(2027, 1, 1)
    >>> horizon_end(date(2026, 1, 1), 10**8)
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: horizon_days: 100000000 days from 2026-01-01 \
reach past 4097-12-31, the last day a plan can cover
    """
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 0:
        raise InvalidValueError(
            name, f"must be a whole number of 0 or more, got {shown(horizon_days)}"
        )
    if horizon_days > (LAST_PLAN_DAY - start).days:
        raise InvalidValueError(
            name,
            f"{horizon_days} days from {start} reach past {LAST_PLAN_DAY}, "
            "the last day a plan can cover",
        )
    return start + timedelta(days=horizon_days)


#: How far before a horizon an absence case that is still open is followed back (a little
#: over the two years of the Poortwachter timeline), so that its obligations are created
#: even when the sick report was entered late.
ABSENCE_LOOKBACK_DAYS = 800

#: The plan rows of the absence (Poortwachter) timeline: created even when overdue.
_ABSENCE_ORIGIN = "absence"


def _count(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValueError(
            f"{type(instance).__name__}.{attribute.name}", f"must be 0 or more, got {shown(value)}"
        )


@frozen
class MaterialiseReport:
    """What one materialise run did over the horizon ``[start, end]``.

    ``unchanged`` counts planned rows that were stored already and needed no change;
    ``reinstated`` the conversations planned again after an earlier plan had dropped them;
    ``late`` the added ones whose target date had passed already (marked ``known_late``),
    of which ``overdue`` were added with their window already closed; ``skipped`` and
    ``conflicts`` repeat the plan's counts of left-out occurrences and of capacity conflicts.
    """

    start: date
    end: date
    added: int = field(default=0, validator=_count)
    moved: int = field(default=0, validator=_count)
    cancelled: int = field(default=0, validator=_count)
    unchanged: int = field(default=0, validator=_count)
    skipped: int = field(default=0, validator=_count)
    conflicts: int = field(default=0, validator=_count)
    reinstated: int = field(default=0, validator=_count)
    late: int = field(default=0, validator=_count)
    overdue: int = field(default=0, validator=_count)

    @property
    def changed(self) -> bool:
        """Whether the run wrote anything."""
        return bool(self.added or self.moved or self.cancelled or self.reinstated)


def in_horizon(row: PlannedConversation, start: date, end: date) -> bool:
    """Whether a run over ``[start, end]`` stores ``row`` (the module's horizon rule).

    >>> from gesprekscyclus.planning.planner import PlannedConversation
    >>> def row(target: date, latest: date, origin: str = "cadence") -> PlannedConversation:
    ...     return PlannedConversation(id="c", type_key="t", employee_id="e", manager_id=None,
    ...         occurrence="n0", nominal=target, earliest=target, target=target, latest=latest,
    ...         origin=origin)
    >>> start, end = date(2026, 1, 4), date(2026, 12, 31)
    >>> in_horizon(row(date(2026, 1, 2), date(2026, 1, 16)), start, end)  # still open
    True
    >>> in_horizon(row(date(2025, 12, 1), date(2025, 12, 15)), start, end)  # closed
    False
    >>> in_horizon(row(date(2025, 12, 1), date(2025, 12, 15), "absence"), start, end)
    True
    """
    if row.target > end:
        return False
    return row.target >= start or row.latest >= start or row.origin == _ABSENCE_ORIGIN


def _late_absence_people(events: Iterable[LifeEvent], before: date) -> dict[str, date]:
    """Per person with an absence case that was open on ``before`` and was reported within
    :data:`ABSENCE_LOOKBACK_DAYS` of it: the first sick day of that case's earliest report."""
    horizon = before - timedelta(days=ABSENCE_LOOKBACK_DAYS)
    reports: dict[str, list[date]] = {}
    recoveries: dict[str, list[date]] = {}
    for event in events:
        if event.kind is LifeEventKind.SICK_REPORT and horizon <= event.on < before:
            reports.setdefault(event.person_id, []).append(event.on)
        elif event.kind is LifeEventKind.RECOVERY and event.on < before:
            recoveries.setdefault(event.person_id, []).append(event.on)
    found: dict[str, date] = {}
    for person_id, days in reports.items():
        last = max(days)
        if any(recovered > last for recovered in recoveries.get(person_id, ())):
            continue  # the case had ended before the horizon
        found[person_id] = min(days)
    return found


@checked_arguments
def plan_horizon(
    design: CycleDesign,
    people: Sequence[Person],
    events: Sequence[LifeEvent],
    *,
    start: date,
    end: date,
    existing: Iterable[Conversation] = (),
    catalog: Catalog | None = None,
) -> tuple[Plan, tuple[PlannedConversation, ...]]:
    """The plan a run over ``[start, end]`` works from, and the rows it stores.

    The plan covers :data:`PLAN_MARGIN_DAYS` more on either side, so that rows whose date
    moved across an edge are still recognised; the rows are those :func:`in_horizon` keeps,
    plus the absence obligations of cases still open when the margin begins whose sick report
    lies further back (entered late), ordered by target date, then id. Cases that ended
    before the margin are not filled in.
    """
    for name, day in (("start", start), ("end", end)):
        if not FIRST_PLAN_DAY <= day <= LAST_PLAN_DAY:  # nor can its margins be counted
            raise InvalidValueError(
                name,
                f"{day} lies outside the days a plan can cover ({FIRST_PLAN_DAY} to "
                f"{LAST_PLAN_DAY})",
            )
    margin = timedelta(days=PLAN_MARGIN_DAYS)
    talks = list(existing)
    result = plan(
        design,
        people,
        events,
        start=start - margin,
        end=end + margin,
        catalog=catalog,
        existing=talks,
    )
    # The plan's rows come ordered by target date, then id: the kept ones stay so.
    rows = [
        row
        for row in result.conversations
        if row.target <= end
        and (row.target >= start or row.latest >= start or row.origin == _ABSENCE_ORIGIN)
    ]  # in_horizon, inline: there are many rows
    late = _late_absence_people(events, start - margin)
    if not late:
        return result, tuple(rows)
    kept = {row.id for row in rows}
    earlier = plan(
        design,
        [person for person in people if person.id in late],
        [event for event in events if event.person_id in late],
        start=min(late.values()),
        end=start - margin - timedelta(days=1),
        catalog=catalog,
        existing=[talk for talk in talks if talk.employee_id in late],
    )
    rows.extend(
        row for row in earlier.conversations if row.origin == _ABSENCE_ORIGIN and row.id not in kept
    )
    return result, tuple(sorted(rows, key=lambda row: (row.target, row.id)))


def participant_roles(catalog: Catalog | None, type_key: str) -> tuple[Role, ...]:
    """The roles taking part in conversations of ``type_key``: the catalog type's
    participants, or employee and manager for a type the catalog does not know."""
    if catalog is None or type_key not in catalog:
        return (Role.EMPLOYEE, Role.MANAGER)
    return catalog.type(type_key).participants


def planned_manager(row: PlannedConversation, catalog: Catalog | None) -> str | None:
    """The manager of ``row`` if the manager takes part in its type, else ``None``."""
    return row.manager_id if Role.MANAGER in participant_roles(catalog, row.type_key) else None


def _participants(
    row: PlannedConversation, catalog: Catalog | None, hr_contact_id: str | None
) -> tuple[Participant, ...]:
    """Who takes part besides the employee and the manager, from the type's roles: the HR
    contact for a type with an HR participant (unless they are the employee or the manager
    already). The employee, and the manager only where the type lists one, are added by
    :meth:`Conversation.plan` from the same roles."""
    roles = participant_roles(catalog, row.type_key)
    if hr_contact_id is None or Role.HR not in roles:
        return ()
    if hr_contact_id in (row.employee_id, planned_manager(row, catalog)):
        return ()
    return (Participant(hr_contact_id, Role.HR),)


def conversation_from_plan(
    row: PlannedConversation,
    *,
    time_zone: str,
    catalog: Catalog | None = None,
    hr_contact_id: str | None = None,
    design_version: int | None = None,
    known_late: bool = False,
) -> Conversation:
    """A new ``planned`` conversation for one plan row.

    The participants, the duration and whether a report is required come from the
    catalog's type when it is known (employee and manager, 60 minutes and no report
    otherwise). A type without a manager role (the exit interview) gets no manager; types
    with an HR participant get ``hr_contact_id`` as HR when one is given. ``design_version``
    names the stored design that planned it; ``known_late`` marks it as created after its
    target date.
    """
    known = catalog is not None and row.type_key in catalog
    kind = catalog.type(row.type_key) if catalog is not None and known else None
    return Conversation.plan(
        id=row.id,
        type_key=row.type_key,
        employee_id=row.employee_id,
        manager_id=row.manager_id,
        window=Window(row.earliest, row.target, row.latest),
        participants=_participants(row, catalog, hr_contact_id),
        roles=participant_roles(catalog, row.type_key),
        duration_minutes=kind.duration_minutes if kind is not None else 60,
        time_zone=time_zone,
        requires_report=kind.report if kind is not None else False,
        design_version=design_version,
        known_late=known_late,
    )


def planned_kind(
    type_key: str,
    *,
    time_zone: str,
    catalog: Catalog | None = None,
    hr_contact_id: str | None = None,
    design_version: int | None = None,
    known_late: bool = False,
) -> PlannedKind:
    """What the new conversations of ``type_key`` share, from the catalog as
    :func:`conversation_from_plan` takes it (for creating many at once).

    >>> from datetime import date
    >>> from gesprekscyclus.domain.new_conversations import NewConversations
    >>> kind = planned_kind("check_in", time_zone="Europe/Amsterdam")
    >>> new = NewConversations().add(kind, "c-1", "e-1", "m-1", date(2026, 1, 26),
    ...     date(2026, 2, 2), date(2026, 2, 16))
    >>> row = PlannedConversation(id="c-1", type_key="check_in", employee_id="e-1",
    ...     manager_id="m-1", occurrence="n0", nominal=date(2026, 2, 2),
    ...     earliest=date(2026, 1, 26), target=date(2026, 2, 2), latest=date(2026, 2, 16))
    >>> new.conversation() == conversation_from_plan(row, time_zone="Europe/Amsterdam")
    True
    """
    kind = catalog.type(type_key) if catalog is not None and type_key in catalog else None
    return PlannedKind(
        type_key=type_key,
        roles=participant_roles(catalog, type_key),
        duration_minutes=kind.duration_minutes if kind is not None else 60,
        time_zone=time_zone,
        requires_report=kind.report if kind is not None else False,
        hr_contact_id=hr_contact_id,
        design_version=design_version,
        known_late=known_late,
    )


def with_manager(conversation: Conversation, manager_id: str | None) -> Conversation:
    """``conversation`` led by ``manager_id`` instead of its current manager.

    The history is kept as it is (this is a correction of who takes part, not a lifecycle
    step). Raises :class:`InvalidValueError` when the old manager wrote notes on it, since
    their notes must stay readable by their author.
    """
    if manager_id == conversation.manager_id:
        return conversation
    old = conversation.manager_id
    if old is not None and any(note.author_id == old for note in conversation.notes_for(old)):
        raise InvalidValueError(
            "Conversation.manager_id",
            f"{conversation.id!r} holds notes by its manager {old!r}; it keeps that manager",
        )
    employee = [p for p in conversation.participants if p.role is Role.EMPLOYEE]
    manager = [] if manager_id is None else [Participant(manager_id, Role.MANAGER)]
    others = [
        p
        for p in conversation.participants
        if p.role not in (Role.EMPLOYEE, Role.MANAGER) and p.person_id != manager_id
    ]
    return attrs.evolve(
        conversation, manager_id=manager_id, participants=(*employee, *manager, *others)
    )


def _cancelled_by_planner(conversation: Conversation) -> bool:
    """Whether the last step of ``conversation`` was the planner's own cancellation."""
    if conversation.status is not ConversationStatus.CANCELLED or not conversation.history:
        return False
    last = conversation.history[-1]
    return (
        last.action is ConversationAction.CANCEL
        and last.from_status is ConversationStatus.PLANNED
        and last.reason is not None
        and last.reason.startswith(VANISHED_REASON)
    )


def _vanished_reason(stored: Conversation, design: DesignVersion | None) -> str:
    if design is None:
        return VANISHED_REASON
    planned_by = (
        f"planned by design version {stored.design_version}"
        if stored.design_version is not None
        else "planned without a stored design"
    )
    return f"{VANISHED_REASON}: design {design.label} does not plan it ({planned_by})"


def _reinstated_reason(stored: Conversation, design: DesignVersion | None) -> str:
    if design is None:
        return "part of the plan again"
    return f"part of the plan again: design {design.label} plans it"


def _placed(
    stored: Conversation, row: PlannedConversation, catalog: Catalog | None
) -> Conversation:
    """``stored`` with the plan's window and, where its notes allow, the plan's manager (none
    for a type the manager takes no part in)."""
    try:
        changed = with_manager(stored, planned_manager(row, catalog))
    except InvalidValueError:
        changed = stored
    window = Window(row.earliest, row.target, row.latest)
    return changed if changed.window == window else attrs.evolve(changed, window=window)


def _replanned_between(target: date, latest: date, start: date, end: date) -> bool:
    """Whether a run over ``[start, end]`` speaks for a stored conversation with ``target``
    and ``latest`` dates: its target lies in the horizon, or it lies within the planning
    margin before ``start`` with the window still open (the rows :func:`in_horizon` adds)."""
    if target > end:
        return False
    if target >= start:
        return True
    return latest >= start and target >= start - timedelta(days=PLAN_MARGIN_DAYS)


def _add_new(uow: UnitOfWork, new: _NewRows, changes: StateChanges, at: datetime) -> int:
    """Store the new conversations not stored yet, each with its state change."""
    if not new.rows:
        return 0
    present: set[str] = set()
    if changes.enabled:
        present = {talk.id for talk in uow.conversations.by_ids(row.id for _, row in new.rows)}
    # In id order: a store's id index then grows at its end instead of all over.
    added = uow.conversations.add_planned(new.conversations(by_id=True), skip_existing=True)
    if changes.enabled:
        changes.planned(uow, (talk for talk in new.conversations() if talk.id not in present), at)
    return added


@checked_arguments
def apply_plan(
    uow: UnitOfWork,
    result: Plan,
    *,
    start: date,
    end: date,
    existing: Mapping[str, Conversation],
    people: Mapping[str, Person],
    at: datetime,
    catalog: Catalog | None = None,
    hr_contact_id: str | None = None,
    design: DesignVersion | None = None,
    rows: Sequence[PlannedConversation] | None = None,
    changes: StateChanges = NO_STATE_CHANGES,
) -> MaterialiseReport:
    """Bring the stored conversations in line with ``result``; see the module docstring.

    Every conversation it adds, moves, cancels or reinstates is written to ``changes``.

    ``result`` may cover a wider horizon than ``[start, end]`` (so that rows whose date was
    moved across the edge are still recognised). ``rows`` are the rows to store (by default
    those of ``result`` that :func:`in_horizon` keeps; :func:`plan_horizon` gives both);
    only planned conversations with a target inside ``[start, end]``, or with a window still
    open on ``start`` and a target within :data:`PLAN_MARGIN_DAYS` before it, are cancelled.
    ``existing`` maps the stored conversations by id. ``design`` is the stored design version
    the plan comes from: new conversations record its number, and cancellations and
    reinstatements name it. A new conversation whose target lies before the day of ``at``
    is marked ``known_late``.
    """
    return apply_to_states(
        uow,
        result,
        start=start,
        end=end,
        states={key: state_of(talk) for key, talk in existing.items()},
        load=lambda ids: {key: existing[key] for key in ids},
        people=people,
        at=at,
        catalog=catalog,
        hr_contact_id=hr_contact_id,
        design=design,
        rows=rows,
        changes=changes,
    )


def apply_to_states(
    uow: UnitOfWork,
    result: Plan,
    *,
    start: date,
    end: date,
    states: MutableMapping[str, ConversationState],
    load: Callable[[Sequence[str]], Mapping[str, Conversation]],
    people: Mapping[str, Person],
    at: datetime,
    catalog: Catalog | None = None,
    hr_contact_id: str | None = None,
    design: DesignVersion | None = None,
    rows: Sequence[PlannedConversation] | None = None,
    changes: StateChanges = NO_STATE_CHANGES,
    rank: Mapping[str, int] | None = None,
) -> MaterialiseReport:
    """:func:`apply_plan` deciding on the :class:`~gesprekscyclus.ports.store.ConversationState`
    of the stored conversations, by id: ``load`` gives the whole conversations for the ids
    it changes. ``states`` must hold every stored conversation among the rows' ids and every
    one with a target in ``[start - PLAN_MARGIN_DAYS, end]``; it is used up (each row takes
    its state out, so that the decided ones are freed as it goes). Cancellations are written
    in the order of ``states``, or with ``rank`` (a position per employee id) by the
    employee's rank, then target and id."""
    if rows is None:
        rows = [row for row in result.conversations if in_horizon(row, start, end)]
    new = _NewRows(people, catalog, hr_contact_id, design, at.date())
    managers = _Managers(catalog)
    touched: list[PlannedConversation] = []
    unchanged = 0
    planned, cancelled_ = ConversationStatus.PLANNED, ConversationStatus.CANCELLED
    for row in rows:
        state = states.pop(row.id, None)
        if state is None:
            new.add(row)
            continue
        status = state.status
        if status is cancelled_:
            touched.append(row)  # perhaps the planner's own cancellation: to reinstate
        elif status is not planned or (
            state[4:] == (row.earliest, row.target, row.latest)  # the window
            and state.manager_id == managers.of(row)
        ):
            unchanged += 1
        else:
            touched.append(row)
    settled = _settle(uow, touched, load, catalog, design, at, changes)
    del touched
    vanished = _vanished(result, states, start, end, rank)
    cancelled = _cancel(uow, vanished, load, design, at, changes)
    added = _add_new(uow, new, changes, at)
    return MaterialiseReport(
        start=start,
        end=end,
        added=added,
        moved=settled.moved,
        cancelled=cancelled,
        unchanged=unchanged + settled.unchanged,
        skipped=sum(1 for skip in result.skipped if start <= skip.nominal <= end),
        conflicts=len(result.conflicts),
        reinstated=settled.reinstated,
        late=new.late,
        overdue=new.overdue,
    )


def _vanished(
    result: Plan,
    states: Mapping[str, ConversationState],
    start: date,
    end: date,
    rank: Mapping[str, int] | None,
) -> list[str]:
    """The ids of the planned conversations in ``states`` that a run over ``[start, end]``
    speaks for and that ``result`` does not ask for (the rows took theirs out), in the order
    of ``rank`` (by employee, then target and id) or else of ``states``."""
    found = [
        state
        for state in states.values()
        if state.status is ConversationStatus.PLANNED
        and _replanned_between(state.target, state.latest, start, end)
    ]
    if not found:
        return []
    planned = {row.id for row in result.conversations}
    gone = {state.id for state in found if state.id not in planned}
    if rank is None:
        return [key for key in states if key in gone]
    ordered = sorted(
        (states[key] for key in gone),
        key=lambda state: (rank[state.employee_id], state.target, state.id),
    )
    return [state.id for state in ordered]


class _Managers:
    """Per type, whether its manager takes part (:func:`planned_manager`, remembered)."""

    def __init__(self, catalog: Catalog | None):
        self._catalog = catalog
        self._takes_part: dict[str, bool] = {}

    def of(self, row: PlannedConversation) -> str | None:
        takes_part = self._takes_part.get(row.type_key)
        if takes_part is None:
            roles = participant_roles(self._catalog, row.type_key)
            takes_part = self._takes_part[row.type_key] = Role.MANAGER in roles
        return row.manager_id if takes_part else None


class _NewRows:
    """The plan rows not stored yet, with their late and overdue counts; their new
    conversations are made as they are stored (there are many)."""

    def __init__(
        self,
        people: Mapping[str, Person],
        catalog: Catalog | None,
        hr_contact_id: str | None,
        design: DesignVersion | None,
        today: date,
    ):
        self._people, self._catalog, self._hr_contact_id = people, catalog, hr_contact_id
        self._number = None if design is None else design.number
        self._today = today
        self._kinds: dict[tuple[str, str, bool], PlannedKind] = {}
        self.rows: list[tuple[PlannedKind, PlannedConversation]] = []
        self.late = self.overdue = 0

    def add(self, row: PlannedConversation) -> None:
        person = self._people.get(row.employee_id)
        zone = person.time_zone if person is not None else "Europe/Amsterdam"
        is_late = row.target < self._today
        self.late += is_late
        self.overdue += row.latest < self._today
        key = (row.type_key, zone, is_late)
        kind = self._kinds.get(key)
        if kind is None:
            kind = self._kinds[key] = planned_kind(
                row.type_key,
                time_zone=zone,
                catalog=self._catalog,
                hr_contact_id=self._hr_contact_id,
                design_version=self._number,
                known_late=is_late,
            )
        self.rows.append((kind, row))

    def conversations(self, *, by_id: bool = False) -> Iterator[NewConversation]:
        """The new conversations, in the order of the rows or ``by_id`` (made afresh on each
        call)."""
        making = NewConversations()
        rows = sorted(self.rows, key=_row_id) if by_id else self.rows
        for kind, row in rows:
            yield making.add(
                kind, row.id, row.employee_id, row.manager_id, row.earliest, row.target, row.latest
            )


def _row_id(pending: tuple[PlannedKind, PlannedConversation]) -> str:
    return pending[1].id


@frozen
class _Settled:
    moved: int = 0
    reinstated: int = 0
    unchanged: int = 0


def _settle(
    uow: UnitOfWork,
    rows: Sequence[PlannedConversation],
    load: Callable[[Sequence[str]], Mapping[str, Conversation]],
    catalog: Catalog | None,
    design: DesignVersion | None,
    at: datetime,
    changes: StateChanges,
) -> _Settled:
    """Reinstate or move the stored conversations of ``rows`` where the plan asks for it,
    in the order of ``rows``."""
    if not rows:
        return _Settled()
    stored_by = load([row.id for row in rows])
    number = None if design is None else design.number
    moved = reinstated = unchanged = 0
    for row in rows:
        stored = stored_by[row.id]
        if _cancelled_by_planner(stored):
            back = stored.reinstate(
                reason=_reinstated_reason(stored, design), at=at, design_version=number
            )
            placed = _placed(back, row, catalog)
            uow.conversations.update(placed, expected_version=version_of(stored))
            changes.conversation(uow, stored, placed, at)
            reinstated += 1
            continue
        if stored.status is not ConversationStatus.PLANNED:
            unchanged += 1
            continue
        changed = _placed(stored, row, catalog)
        if changed == stored:
            unchanged += 1
            continue
        if number is not None:
            changed = attrs.evolve(changed, design_version=number)
        uow.conversations.update(changed, expected_version=version_of(stored))
        changes.conversation(uow, stored, changed, at)
        moved += 1
    return _Settled(moved, reinstated, unchanged)


def _cancel(
    uow: UnitOfWork,
    ids: Sequence[str],
    load: Callable[[Sequence[str]], Mapping[str, Conversation]],
    design: DesignVersion | None,
    at: datetime,
    changes: StateChanges,
) -> int:
    """Cancel the planned conversations ``ids`` the plan no longer asks for, in that order,
    withdrawing their pending messages."""
    if not ids:
        return 0
    stored_by = load(ids)
    for key in ids:
        stored = stored_by[key]
        gone = stored.cancel(reason=_vanished_reason(stored, design), at=at)
        uow.conversations.update(gone)
        changes.conversation(uow, stored, gone, at)
        if (withdrawal := withdrawal_for(gone)) is not None:
            uow.outbox.withdraw(withdrawal)
    return len(ids)


def stored_by_id(conversations: Iterable[Conversation]) -> dict[str, Conversation]:
    """Conversations keyed by id."""
    return {conversation.id: conversation for conversation in conversations}
