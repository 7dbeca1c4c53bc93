"""Turning a plan into stored conversations, idempotently.

:func:`apply_plan` compares a :class:`~gesprekscyclus.planning.planner.Plan` with what the
store holds, conversation by conversation (the planner's ids are stable):

- a planned id that is not stored yet is **added** (state ``planned``);
- a stored conversation that is still ``planned`` but whose window or manager differs from
  the plan is **moved** to the plan's window and manager;
- a stored conversation that is still ``planned``, whose target lies inside the horizon and
  that the plan no longer asks for (notice given, population changed, type dropped) is
  **cancelled** with a reason, so it stays on file;
- everything that has been scheduled, held or closed is left alone: a person has acted on it.

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

from collections.abc import Iterable, Mapping
from datetime import date, datetime

import attrs
from attrs import field, frozen

from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.conversations import (
    Conversation,
    ConversationStatus,
    Participant,
    Window,
)
from gesprekscyclus.domain.people import Person, Role
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.planner import Plan, PlannedConversation
from gesprekscyclus.ports.store import UnitOfWork, version_of

__all__ = [
    "VANISHED_REASON",
    "MaterialiseReport",
    "apply_plan",
    "conversation_from_plan",
    "participant_roles",
    "planned_manager",
    "with_manager",
]

#: The reason recorded on a planned conversation that the plan no longer asks for.
VANISHED_REASON = "no longer part of the plan"


def _count(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValueError(
            f"{type(instance).__name__}.{attribute.name}", f"must be 0 or more, got {value!r}"
        )


@frozen
class MaterialiseReport:
    """What one materialise run did over the horizon ``[start, end]``.

    ``unchanged`` counts planned rows that were stored already and needed no change;
    ``skipped`` and ``conflicts`` repeat the plan's counts of left-out occurrences and of
    capacity conflicts.
    """

    start: date
    end: date
    added: int = field(default=0, validator=_count)
    moved: int = field(default=0, validator=_count)
    cancelled: int = field(default=0, validator=_count)
    unchanged: int = field(default=0, validator=_count)
    skipped: int = field(default=0, validator=_count)
    conflicts: int = field(default=0, validator=_count)

    @property
    def changed(self) -> bool:
        """Whether the run wrote anything."""
        return bool(self.added or self.moved or self.cancelled)


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
) -> Conversation:
    """A new ``planned`` conversation for one plan row.

    The participants, the duration and whether a report is required come from the
    catalog's type when it is known (employee and manager, 60 minutes and no report
    otherwise). A type without a manager role (the exit interview) gets no manager; types
    with an HR participant get ``hr_contact_id`` as HR when one is given.
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
) -> MaterialiseReport:
    """Bring the stored conversations in line with ``result``; see the module docstring.

    ``result`` may cover a wider horizon than ``[start, end]`` (so that rows whose date was
    moved across the edge are still recognised): only rows whose nominal date lies inside
    are added or moved, and only planned conversations with a target inside are cancelled.
    ``existing`` maps the stored conversations by id.
    """
    wanted = result.by_id()
    new: list[Conversation] = []
    moved = cancelled = unchanged = 0
    for row in result.conversations:
        if not start <= row.nominal <= end:
            continue
        stored = existing.get(row.id)
        if stored is None:
            person = people.get(row.employee_id)
            zone = person.time_zone if person is not None else "Europe/Amsterdam"
            new.append(
                conversation_from_plan(
                    row, time_zone=zone, catalog=catalog, hr_contact_id=hr_contact_id
                )
            )
            continue
        window = Window(row.earliest, row.target, row.latest)
        manager_id = planned_manager(row, catalog)
        if stored.status is not ConversationStatus.PLANNED or (
            stored.window == window and stored.manager_id == manager_id
        ):
            unchanged += 1
            continue
        try:
            changed = with_manager(stored, manager_id)
        except InvalidValueError:
            changed = stored
        changed = attrs.evolve(changed, window=window)
        if changed == stored:
            unchanged += 1
            continue
        uow.conversations.update(changed, expected_version=version_of(stored))
        moved += 1
    for stored in existing.values():
        if (
            stored.status is ConversationStatus.PLANNED
            and stored.id not in wanted
            and start <= stored.window.target <= end
        ):
            uow.conversations.update(stored.cancel(reason=VANISHED_REASON, at=at))
            cancelled += 1
    added = uow.conversations.add_many(new) if new else 0
    return MaterialiseReport(
        start=start,
        end=end,
        added=added,
        moved=moved,
        cancelled=cancelled,
        unchanged=unchanged,
        skipped=sum(1 for skip in result.skipped if start <= skip.nominal <= end),
        conflicts=len(result.conflicts),
    )


def stored_by_id(conversations: Iterable[Conversation]) -> dict[str, Conversation]:
    """Conversations keyed by id."""
    return {conversation.id: conversation for conversation in conversations}
