"""Agreements and the action items that carry them out.

A report's ``agreements`` are what was agreed, in words. An agreement is *concrete* once an
action item is linked to it (``ActionItem.agreement`` is its index) whose owner took part in
the conversation and which has a due date or says why it has none
(``ActionItem.no_due_reason``). A type with ``agreements_required_concrete`` refuses to file
a report until every agreement is (:func:`first_unconcrete`, raising
:class:`~gesprekscyclus.errors.AgreementNotConcreteError`).

:func:`agreement_states` tells per agreement where it stands, from its items: ``open``,
``carried`` (open and moved on to a later conversation), ``done``, ``dropped``, or
``unrecorded`` (no item yet). Carrying an item over keeps its origin and its agreement, so
an agreement and its items stay in step however often they travel.

>>> from datetime import date
>>> from gesprekscyclus.domain.action_items import ActionItem
>>> from gesprekscyclus.domain.reports import Report
>>> report = Report(conversation_id="c-1", employee_id="e-1", summary="Goed gesprek",
...                 agreements=("Cursus kiezen", "Vaker feedback"))
>>> item = ActionItem(id="a-1", title="Cursus kiezen", owner_id="e-1", due=date(2026, 5, 1),
...                   origin_conversation_id="c-1", employee_id="e-1", manager_id="m-1",
...                   agreement=0)
>>> [(s.index, s.state.value) for s in agreement_states(report, [item])]
[(0, 'open'), (1, 'unrecorded')]
>>> first_unconcrete(report, [item], participants=("e-1", "m-1"))
(1, 'no action item records it')
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from gesprekscyclus.domain._checks import ClosedSet, typed_fields
from gesprekscyclus.domain.action_items import ActionItem, ActionItemStatus
from gesprekscyclus.domain.reports import Report
from gesprekscyclus.errors import AgreementNotConcreteError

__all__ = [
    "AgreementState",
    "AgreementStatus",
    "agreement_states",
    "first_unconcrete",
    "is_concrete",
    "require_concrete",
]


class AgreementState(ClosedSet):
    """Where an agreement stands, from its action items; see the module docstring."""

    UNRECORDED = "unrecorded"
    OPEN = "open"
    CARRIED = "carried"
    DONE = "done"
    DROPPED = "dropped"


@frozen(field_transformer=typed_fields)
class AgreementStatus:
    """One agreement of a report: its ``index``, its ``text``, its state and the ids of the
    action items that carry it out."""

    index: int
    text: str
    state: AgreementState
    item_ids: tuple[str, ...] = ()


def _linked(report: Report, items: Iterable[ActionItem]) -> dict[int, list[ActionItem]]:
    found: dict[int, list[ActionItem]] = {}
    for item in items:
        if item.origin_conversation_id == report.conversation_id and item.agreement is not None:
            found.setdefault(item.agreement, []).append(item)
    return found


def _state(items: list[ActionItem]) -> AgreementState:
    if not items:
        return AgreementState.UNRECORDED
    open_items = [item for item in items if item.status is ActionItemStatus.OPEN]
    if any(item.carried_to for item in open_items):
        return AgreementState.CARRIED
    if open_items:
        return AgreementState.OPEN
    if all(item.status is ActionItemStatus.DROPPED for item in items):
        return AgreementState.DROPPED
    return AgreementState.DONE


def agreement_states(report: Report, items: Iterable[ActionItem]) -> tuple[AgreementStatus, ...]:
    """Per agreement of ``report``, in order, its state from the linked ``items`` (items of
    other conversations, and items linked to no agreement, are ignored)."""
    linked = _linked(report, items)
    return tuple(
        AgreementStatus(
            index=index,
            text=text,
            state=_state(linked.get(index, [])),
            item_ids=tuple(sorted(item.id for item in linked.get(index, []))),
        )
        for index, text in enumerate(report.agreements)
    )


def is_concrete(item: ActionItem, participants: Iterable[str]) -> bool:
    """Whether ``item`` is owned by one of ``participants`` and has a due date or a reason
    for having none."""
    return item.owner_id in set(participants) and (
        item.due is not None or item.no_due_reason is not None
    )


def first_unconcrete(
    report: Report, items: Iterable[ActionItem], *, participants: Iterable[str]
) -> tuple[int, str] | None:
    """The first agreement of ``report`` that is not concrete, with what it lacks; ``None``
    when every one is. A dropped item does not count."""
    people = tuple(participants)
    linked = _linked(report, items)
    for index in range(len(report.agreements)):
        mine = [i for i in linked.get(index, []) if i.status is not ActionItemStatus.DROPPED]
        if not mine:
            return index, "no action item records it"
        if not any(item.owner_id in people for item in mine):
            return index, "its action items are not owned by someone who took part"
        if not any(is_concrete(item, people) for item in mine):
            return index, "its action items have no due date and no reason for having none"
    return None


def require_concrete(
    report: Report, items: Iterable[ActionItem], *, participants: Iterable[str]
) -> None:
    """Raise :class:`~gesprekscyclus.errors.AgreementNotConcreteError` naming the first
    agreement of ``report`` that is not concrete."""
    found = first_unconcrete(report, items, participants=participants)
    if found is not None:
        index, missing = found
        raise AgreementNotConcreteError(
            report.conversation_id, index, report.agreements[index], missing
        )
