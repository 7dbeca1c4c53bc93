"""Action items: owned, dated follow-ups, and how they travel to the next conversation.

An item is ``open`` until it is completed (``done``) or dropped with a reason (``dropped``).
Open items between the same employee and manager are carried to the next conversation's
agenda by :func:`carry_over`, which counts every carry. Once another carry would push the count
past the limit, the item is not carried silently: it comes back as a :class:`NeedsDecision`
and someone has to re-scope it (:meth:`ActionItem.rescope`, which resets the count), close it
(:meth:`~ActionItem.complete` or :meth:`~ActionItem.drop`) or escalate it
(:meth:`~ActionItem.escalate`, which also resets the count).

>>> from datetime import date, datetime, timezone
>>> from gesprekscyclus.domain.conversations import Conversation, Window
>>> at = datetime(2026, 4, 1, 9, 0, tzinfo=timezone.utc)
>>> item = ActionItem(id="a-1", title="Cursus plannen", owner_id="e-1", due=date(2026, 5, 1),
...                   origin_conversation_id="c-1", employee_id="e-1", manager_id="m-1")
>>> april = Window(date(2026, 4, 1), date(2026, 4, 2), date(2026, 4, 9))
>>> def talk(id):
...     return Conversation.plan(id=id, type_key="check_in", employee_id="e-1", manager_id="m-1",
...                              window=april)
>>> first = carry_over([item], next_conversation=talk("c-2"), limit=1, at=at)
>>> [(i.id, i.carry_count, i.carried_to) for i in first.carried]
[('a-1', 1, ('c-2',))]
>>> second = carry_over(first.carried, next_conversation=talk("c-3"), limit=1, at=at)
>>> second.carried, [d.options for d in second.needs_decision]
((), [(<Decision.RESCOPE: 'rescope'>, <Decision.CLOSE: 'close'>, <Decision.ESCALATE: 'escalate'>)])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

import attrs
from attrs import field, frozen

from gesprekscyclus.domain import access
from gesprekscyclus.domain._checks import (
    ClosedSet,
    aware,
    non_blank,
    require_aware,
    require_reason,
    shown,
    typed_fields,
)
from gesprekscyclus.domain.conversation_types import ConversationType, Sensitivity
from gesprekscyclus.domain.conversations import (
    CONVERSATION_TRANSITIONS,
    Conversation,
    ConversationStatus,
)
from gesprekscyclus.errors import AccessDeniedError, InvalidTransitionError, InvalidValueError

__all__ = [
    "ACTION_ITEM_TRANSITIONS",
    "ALL_DECISIONS",
    "ActionItem",
    "ActionItemAction",
    "ActionItemStatus",
    "ActionItemTransition",
    "CarryOverOutcome",
    "Decision",
    "NeedsDecision",
    "carry_over",
]


class ActionItemStatus(ClosedSet):
    """Whether an item still needs doing."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class ActionItemAction(ClosedSet):
    """The commands on an action item, as they appear in ``history`` and error messages."""

    COMPLETE = "complete"
    DROP = "drop"
    RESCOPE = "rescope"
    ESCALATE = "escalate"
    CARRY = "carry"
    HAND_OVER = "hand_over"


class Decision(ClosedSet):
    """What can be done with an item that reached the carry-over limit.

    ``close`` means :meth:`ActionItem.complete` or :meth:`ActionItem.drop`.
    """

    RESCOPE = "rescope"
    CLOSE = "close"
    ESCALATE = "escalate"


_S = ActionItemStatus
_A = ActionItemAction

#: The one table of allowed actions: status -> action -> resulting status.
ACTION_ITEM_TRANSITIONS: Mapping[ActionItemStatus, Mapping[ActionItemAction, ActionItemStatus]] = (
    MappingProxyType(
        {
            _S.OPEN: MappingProxyType(
                {
                    _A.COMPLETE: _S.DONE,
                    _A.DROP: _S.DROPPED,
                    _A.RESCOPE: _S.OPEN,
                    _A.ESCALATE: _S.OPEN,
                    _A.CARRY: _S.OPEN,
                    _A.HAND_OVER: _S.OPEN,
                }
            ),
            _S.DONE: MappingProxyType({}),
            _S.DROPPED: MappingProxyType({}),
        }
    )
)


@frozen(field_transformer=typed_fields)
class ActionItemTransition:
    """One entry of an item's history.

    ``detail`` holds what the action was about: the conversation for ``carry``, the person
    escalated to for ``escalate``, the new terms for ``rescope``, the manager handed over to
    for ``hand_over`` (``reason`` then names the previous one).
    """

    action: ActionItemAction = field(converter=ActionItemAction)
    from_status: ActionItemStatus = field(converter=ActionItemStatus)
    to_status: ActionItemStatus = field(converter=ActionItemStatus)
    at: datetime = field(validator=aware)
    reason: str | None = field(default=None, validator=non_blank)
    detail: str | None = field(default=None, validator=non_blank)


@frozen(field_transformer=typed_fields)
class ActionItem:
    """A concrete, owned follow-up agreed in a conversation.

    ``employee_id`` and ``manager_id`` name the pair whose conversations it travels between;
    ``carried_to`` lists the conversations it has been carried to (in order) and
    ``carry_count`` counts the carries since it was last re-scoped or escalated.
    ``escalated_to`` names whom it was last escalated to. ``agreement`` links the item to
    the agreement it carries out: its index in the origin conversation's report's
    ``agreements``. ``no_due_reason`` says why an item has no due date, which makes an
    undated item concrete all the same (see :mod:`gesprekscyclus.domain.agreements`).
    """

    id: str = field(validator=non_blank)
    title: str = field(validator=non_blank)
    owner_id: str = field(validator=non_blank)
    due: date | None
    origin_conversation_id: str = field(validator=non_blank)
    employee_id: str = field(validator=non_blank)
    manager_id: str | None = field(validator=non_blank)
    status: ActionItemStatus = field(default=ActionItemStatus.OPEN, converter=ActionItemStatus)
    carry_count: int = 0
    carried_to: tuple[str, ...] = ()
    escalated_to: str | None = field(default=None, validator=non_blank)
    history: tuple[ActionItemTransition, ...] = ()
    agreement: int | None = None
    no_due_reason: str | None = field(default=None, validator=non_blank)

    def __attrs_post_init__(self) -> None:
        if self.agreement is not None and (
            isinstance(self.agreement, bool)
            or not isinstance(self.agreement, int)
            or self.agreement < 0
        ):
            raise InvalidValueError(
                "ActionItem.agreement",
                f"must be an agreement's index (0 or more), got {shown(self.agreement)}",
            )
        if self.due is not None and self.no_due_reason is not None:
            raise InvalidValueError(
                "ActionItem.no_due_reason", "give a due date or a reason for having none, not both"
            )
        if isinstance(self.carry_count, bool) or self.carry_count < 0:
            raise InvalidValueError("ActionItem.carry_count", "must be 0 or more")
        if self.carry_count > len(self.carried_to):
            raise InvalidValueError(
                "ActionItem.carry_count", "cannot exceed the number of conversations carried to"
            )
        for index, conversation_id in enumerate(self.carried_to):
            if not isinstance(conversation_id, str) or not conversation_id.strip():
                raise InvalidValueError(f"ActionItem.carried_to[{index}]", "must be an id")
        if len(set(self.carried_to)) != len(self.carried_to):
            raise InvalidValueError("ActionItem.carried_to", "lists a conversation twice")

    @classmethod
    def agreed_in(
        cls,
        conversation: Conversation,
        *,
        id: str,
        title: str,
        owner_id: str,
        due: date | None = None,
        hr_office: Iterable[str] = (),
        kind: ConversationType | None = None,
        agreement: int | None = None,
        no_due_reason: str | None = None,
    ) -> ActionItem:
        """A new item agreed in ``conversation``, between its employee and manager;
        ``agreement`` and ``no_due_reason`` as on the class.

        The owner must take part in the conversation or be the organisation's HR
        (``hr_office``); anyone else raises :class:`~gesprekscyclus.errors.AccessDeniedError`,
        so no item is owned by someone who never heard of it. With the conversation type
        ``kind`` the access policy also has its say (a manager does not own follow-ups of a
        confidential conversation).

        >>> from datetime import date
        >>> from gesprekscyclus.domain.conversations import Conversation, Window
        >>> talk = Conversation.plan(id="c-1", type_key="check_in", employee_id="e-1",
        ...     manager_id="m-1", window=Window(date(2026, 4, 1), date(2026, 4, 2),
        ...                                     date(2026, 4, 9)))
        >>> ActionItem.agreed_in(talk, id="a-1", title="Cursus", owner_id="x-9")
        Traceback (most recent call last):
        ...
        gesprekscyclus.errors.AccessDeniedError: ActionItem.owner_id: 'x-9' does not take \
part in 'c-1' and is not HR, so cannot own its action items
        """
        offices = tuple(hr_office)
        if owner_id not in conversation.participant_ids and owner_id not in offices:
            raise AccessDeniedError(
                "ActionItem.owner_id",
                owner_id,
                f"does not take part in {conversation.id!r} and is not HR, so cannot own its "
                "action items",
            )
        access.require(
            access.reader_role(conversation, owner_id, hr_office=offices),
            access.Content.ACTION_ITEM,
            Sensitivity.NORMAL if kind is None else kind.sensitivity,
            reader=owner_id,
            write=True,
            kind=kind,
        )
        return cls(
            id=id,
            title=title,
            owner_id=owner_id,
            due=due,
            origin_conversation_id=conversation.id,
            employee_id=conversation.employee_id,
            manager_id=conversation.manager_id,
            agreement=agreement,
            no_due_reason=no_due_reason,
        )

    def is_overdue(self, today: date) -> bool:
        """Whether the item is still open and ``today`` lies past its due date."""
        return self.status is _S.OPEN and self.due is not None and today > self.due

    def allowed_actions(self) -> tuple[ActionItemAction, ...]:
        """The actions allowed now, in table order."""
        return tuple(ACTION_ITEM_TRANSITIONS[self.status])

    def complete(self, *, at: datetime) -> ActionItem:
        """Mark the item done."""
        return self._step(_A.COMPLETE, at)

    def drop(self, *, reason: str, at: datetime) -> ActionItem:
        """Give the item up, saying why."""
        self._require(_A.DROP, at)
        require_reason(reason)
        return self._step(_A.DROP, at, reason=reason)

    def rescope(
        self, *, title: str | None = None, due: date | None = None, at: datetime
    ) -> ActionItem:
        """New terms for the item (``None`` keeps a value); the carry count starts again."""
        self._require(_A.RESCOPE, at)
        if title is None and due is None:
            raise InvalidValueError("rescope", "give a new title and/or due date")
        changes: dict[str, Any] = {"carry_count": 0}
        terms = []
        if title is not None:
            changes["title"] = title
            terms.append(f"title: {title}")
        if due is not None:
            changes["due"] = due
            changes["no_due_reason"] = None
            terms.append(f"due: {due.isoformat()}")
        return self._step(_A.RESCOPE, at, detail="; ".join(terms), **changes)

    def escalate(self, *, to_id: str, reason: str, at: datetime) -> ActionItem:
        """Bring the item to ``to_id``'s attention (e.g. the manager's manager or HR). It stays
        open with the same owner; the carry count starts again."""
        self._require(_A.ESCALATE, at)
        require_reason(reason)
        if not isinstance(to_id, str) or not to_id.strip():
            raise InvalidValueError("to_id", "must be a person id")
        return self._step(
            _A.ESCALATE, at, reason=reason, detail=to_id, escalated_to=to_id, carry_count=0
        )

    def hand_over(self, manager_id: str | None, *, at: datetime) -> ActionItem:
        """The open item moves with its employee to their new manager: it travels between the
        employee's conversations with ``manager_id`` from now on. Its owner, terms and carry
        count stay; an item owned by the previous manager is theirs to finish or drop.

        >>> from datetime import timezone
        >>> item = ActionItem(id="a-1", title="Cursus plannen", owner_id="e-1", due=None,
        ...                   origin_conversation_id="c-1", employee_id="e-1", manager_id="m-1")
        >>> moved = item.hand_over("m-2", at=datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
        >>> moved.manager_id, moved.history[-1].action.value
        ('m-2', 'hand_over')
        """
        self._require(_A.HAND_OVER, at)
        if manager_id == self.employee_id:
            raise InvalidValueError("manager_id", "the employee cannot be their own manager")
        if manager_id == self.manager_id:
            raise InvalidValueError("manager_id", f"{self.id!r} is with {manager_id!r} already")
        previous = f"from {self.manager_id}" if self.manager_id is not None else "from no manager"
        return self._step(
            _A.HAND_OVER,
            at,
            reason=previous,
            detail=manager_id,
            manager_id=manager_id,
        )

    def _carry(self, conversation_id: str, at: datetime) -> ActionItem:
        return self._step(
            _A.CARRY,
            at,
            detail=conversation_id,
            carry_count=self.carry_count + 1,
            carried_to=(*self.carried_to, conversation_id),
        )

    def _require(self, action: ActionItemAction, at: datetime) -> ActionItemStatus:
        require_aware(at)
        row = ACTION_ITEM_TRANSITIONS[self.status]
        if action not in row:
            raise InvalidTransitionError(
                f"ActionItem {self.id!r}", self.status.value, action.value, [a.value for a in row]
            )
        return row[action]

    def _step(
        self,
        action: ActionItemAction,
        at: datetime,
        *,
        reason: str | None = None,
        detail: str | None = None,
        **changes: Any,
    ) -> ActionItem:
        target = self._require(action, at)
        entry = ActionItemTransition(
            action=action,
            from_status=self.status,
            to_status=target,
            at=at,
            reason=reason,
            detail=detail,
        )
        return attrs.evolve(self, status=target, history=(*self.history, entry), **changes)


#: Every way out for an item at its carry-over limit.
ALL_DECISIONS = (Decision.RESCOPE, Decision.CLOSE, Decision.ESCALATE)


def _decisions(value: Iterable[Decision | str]) -> tuple[Decision, ...]:
    return tuple(Decision(option) for option in value)


@frozen(field_transformer=typed_fields)
class NeedsDecision:
    """An open item that may not be carried again until someone decides what to do with it."""

    item: ActionItem
    options: tuple[Decision, ...] = field(default=ALL_DECISIONS, converter=_decisions)


@frozen(field_transformer=typed_fields)
class CarryOverOutcome:
    """What :func:`carry_over` did: the items now on the agenda, and those needing a decision."""

    carried: tuple[ActionItem, ...] = ()
    needs_decision: tuple[NeedsDecision, ...] = ()


def carry_over(
    items: Iterable[ActionItem],
    *,
    next_conversation: Conversation,
    limit: int,
    at: datetime,
) -> CarryOverOutcome:
    """Put the open items of the next conversation's employee and manager on its agenda.

    Items of other pairs, closed items and items that came from ``next_conversation`` itself
    are left out. Each item carried gets ``carry_count + 1`` and the conversation's id in
    ``carried_to``; an item already carried to this conversation is listed again unchanged, so
    calling this twice counts once. An item whose count would go past ``limit`` is returned in
    ``needs_decision`` unchanged instead. ``limit`` 0 means items are never carried silently.
    Order follows ``items``.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise InvalidValueError(
            "limit", f"must be a whole number of at least 0, got {shown(limit)}"
        )
    require_aware(at)
    if next_conversation.is_final:
        raise InvalidValueError(
            "next_conversation.status",
            f"{next_conversation.id!r} is {next_conversation.status} and takes no agenda",
            allowed=[s.value for s in ConversationStatus if CONVERSATION_TRANSITIONS[s]],
        )
    carried: list[ActionItem] = []
    needs_decision: list[NeedsDecision] = []
    target = next_conversation.id
    for item in items:
        if (
            item.status is not _S.OPEN
            or item.employee_id != next_conversation.employee_id
            or item.manager_id != next_conversation.manager_id
            or item.origin_conversation_id == target
        ):
            continue
        if target in item.carried_to:
            carried.append(item)
        elif item.carry_count + 1 > limit:
            needs_decision.append(NeedsDecision(item))
        else:
            carried.append(item._carry(target, at))
    return CarryOverOutcome(carried=tuple(carried), needs_decision=tuple(needs_decision))
