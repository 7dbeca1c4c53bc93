"""What a plan is made of, and the rows conversations live in while being planned.

While planning, a conversation is a :class:`_Row`: a :class:`PlannedConversation` that is
not frozen yet, so the later steps (drop-near, levelling) can move it in place.
:func:`_conversations` gives the rows of the plan their class once, at the end.
:class:`Skipped`, :class:`CapacityConflict` and :class:`Obligation` are the other lines of a
plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from attrs import frozen

from gesprekscyclus.domain.absence import LegalBasis, Milestone

__all__ = ["MOVE_REASONS", "CapacityConflict", "Obligation", "PlannedConversation", "Skipped"]


@frozen
class PlannedConversation:
    """One conversation the plan asks for.

    ``occurrence`` is the cadence's stable key; ``nominal`` the date the rhythm gives before
    moving to a working day; ``target`` the planned day inside ``[earliest, latest]``;
    ``starts_at`` an aware datetime when the design fixes a time of day. ``origin`` says what
    caused it (``cadence``, ``absence``, ``follow_up``); ``basis`` is set for absence
    milestones (law, guidance, practice) and ``milestone`` names it. ``moved_by`` says why the
    target is not the nominal date, one :data:`MOVE_REASONS` entry per step that moved it, in
    the order the steps ran (empty when it was not moved).
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
    moved_by: tuple[str, ...] = ()


#: Why a planned conversation's target differs from its nominal date
#: (:attr:`PlannedConversation.moved_by`), with what each reason means.
MOVE_REASONS = {
    "weekend": "the day fell on a Saturday or Sunday nobody involved works",
    "holiday": "the day was a public holiday that is a day off in the calendar",
    "closure": "the day was a company closure or an extra day off",
    "part_time": "the employee or the manager does not work on that weekday",
    "absence_pause": "paused during an absence case: moved to the first day back",
    "employment": "moved back inside the employment (after the hire date, before the last day)",
    "capacity": "the manager's day or week was full: levelled to the nearest day with room",
}


class _Row(PlannedConversation):
    """A :class:`PlannedConversation` while it is planned: the same slots, set by plain
    attribute stores (the frozen class's ``__setattr__`` refuses them, and calling each
    slot's setter costs a call per field). :func:`_conversations` gives every row of the
    plan the class :class:`PlannedConversation`; the layout is the parent's, so Python
    allows that."""

    __slots__ = ()
    # Both: with either one inherited, attribute stores would call the frozen parent's.
    __setattr__ = object.__setattr__
    __delattr__ = object.__delattr__
    # Writable here (annotations only: the slots are the parent's).
    id: str
    type_key: str
    employee_id: str
    manager_id: str | None
    occurrence: str
    nominal: date
    earliest: date
    target: date
    latest: date
    starts_at: datetime | None
    origin: str
    basis: LegalBasis | None
    milestone: str | None
    moved_by: tuple[str, ...]

    def __init__(
        self,
        id: str,
        type_key: str,
        employee_id: str,
        manager_id: str | None,
        occurrence: str,
        nominal: date,
        earliest: date,
        target: date,
        latest: date,
        starts_at: datetime | None,
        origin: str,
        basis: LegalBasis | None,
        milestone: str | None,
        moved_by: tuple[str, ...],
    ) -> None:
        self.id = id
        self.type_key = type_key
        self.employee_id = employee_id
        self.manager_id = manager_id
        self.occurrence = occurrence
        self.nominal = nominal
        self.earliest = earliest
        self.target = target
        self.latest = latest
        self.starts_at = starts_at
        self.origin = origin
        self.basis = basis
        self.milestone = milestone
        self.moved_by = moved_by


def _extend_from_tails(
    rows: list[_Row],
    prefix: str,
    type_key: str,
    employee_id: str,
    manager_id: str | None,
    tails: Iterable[tuple[Any, ...]],
) -> None:
    """Append to ``rows`` one row per tail of a shared template (the fields from the
    occurrence key on), with the id ``prefix`` and the key. The slots are set here, not in
    ``_Row.__init__``: for the most common rows a call per row costs a third more."""
    new = object.__new__
    append = rows.append
    for (
        occurrence,
        nominal,
        earliest,
        target,
        latest,
        starts_at,
        origin,
        basis,
        milestone,
        moved_by,
    ) in tails:
        row = new(_Row)
        row.id = prefix + occurrence
        row.type_key = type_key
        row.employee_id = employee_id
        row.manager_id = manager_id
        row.occurrence = occurrence
        row.nominal = nominal
        row.earliest = earliest
        row.target = target
        row.latest = latest
        row.starts_at = starts_at
        row.origin = origin
        row.basis = basis
        row.milestone = milestone
        row.moved_by = moved_by
        append(row)


def _conversations(rows: Iterable[_Row]) -> list[PlannedConversation]:
    """The rows as the frozen conversations they stand for, in order (the same objects).

    The class has neither validators nor converters, so these are the objects its
    ``__init__`` would build with the same fields, at about a third of the cost, which
    counts for a million conversations.
    """
    kind = PlannedConversation
    result: list[PlannedConversation] = []
    for row in rows:
        conversation: PlannedConversation = row
        conversation.__class__ = kind
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


#: ``moved_by`` of a conversation on its nominal date (shared: rows only ever replace it).
_NOT_MOVED: tuple[str, ...] = ()
_MOVES: dict[tuple[tuple[str, ...], str], tuple[str, ...]] = {}


def _moved(reasons: tuple[str, ...], reason: str) -> tuple[str, ...]:
    """``reasons`` with ``reason`` added; one shared tuple per combination, not one per row."""
    key = (reasons, reason)
    found = _MOVES.get(key)
    if found is None:
        found = _MOVES[key] = (*reasons, reason)
    return found
