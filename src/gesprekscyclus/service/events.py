"""Writing state changes: one call per changed aggregate, in the command's unit of work.

Each function compares an aggregate before and after a command and, when it changed, writes
one :class:`~gesprekscyclus.domain.state_changes.StateChange` to the outbox (with the next
sequence number of its aggregate) in the same unit of work as the change itself; it returns
the change, or ``None`` when nothing changed (so re-running a command emits nothing).

>>> from datetime import UTC, date, datetime
>>> from gesprekscyclus.adapters.memory import MemoryStore
>>> from gesprekscyclus.domain.people import Person
>>> store, at = MemoryStore(), datetime(2026, 1, 5, 9, tzinfo=UTC)
>>> anna = Person(id="e-1", name="Anna", hire_date=date(2026, 1, 5))
>>> with store.unit_of_work() as uow:
...     person_changed(uow, None, anna, at).kind.value, person_changed(uow, anna, anna, at)
('person.hired', None)
>>> with store.unit_of_work() as uow:
...     [event.kind.value for event in changes(uow)]
['person.hired']
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from attrs import frozen

from gesprekscyclus.domain.action_items import ActionItem, ActionItemStatus
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.new_conversations import NewConversation
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.pseudonyms import placeholder_for
from gesprekscyclus.domain.reports import Report, ReportStatus
from gesprekscyclus.domain.state_changes import Aggregate, ChangeKind, StateChange
from gesprekscyclus.ports.notifier import APPLICATION, state_change_notification
from gesprekscyclus.ports.store import DesignVersion, OutboxStatus, UnitOfWork

__all__ = [
    "DESIGN_ID",
    "NO_STATE_CHANGES",
    "StateChanges",
    "changes",
    "conversation_changed",
    "conversations_planned",
    "design_applied",
    "item_changed",
    "person_changed",
    "person_erased",
    "record",
    "report_changed",
]

#: The aggregate id of the cycle design (a store has one design, in numbered versions).
DESIGN_ID = "cycle"

_CONVERSATION_KINDS = {
    ConversationStatus.PLANNED: ChangeKind.CONVERSATION_PLANNED,
    ConversationStatus.SCHEDULED: ChangeKind.CONVERSATION_SCHEDULED,
    ConversationStatus.HELD: ChangeKind.CONVERSATION_HELD,
    ConversationStatus.REPORTED: ChangeKind.CONVERSATION_REPORTED,
    ConversationStatus.CLOSED: ChangeKind.CONVERSATION_CLOSED,
    ConversationStatus.CANCELLED: ChangeKind.CONVERSATION_CANCELLED,
    ConversationStatus.MISSED: ChangeKind.CONVERSATION_MISSED,
}

_REPORT_KINDS = {
    ReportStatus.SHARED: ChangeKind.REPORT_SHARED,
    ReportStatus.SIGNED_AGREED: ChangeKind.REPORT_SIGNED,
    ReportStatus.SIGNED_SEEN: ChangeKind.REPORT_SIGNED,
    ReportStatus.SIGN_OFF_REFUSED: ChangeKind.REPORT_REFUSED,
    ReportStatus.FILED: ChangeKind.REPORT_FILED,
    ReportStatus.DRAFT: ChangeKind.REPORT_REVISED,
}


def _numbered(
    uow: UnitOfWork, kind: ChangeKind | str, aggregate_id: str, at: datetime, **facts: object
) -> StateChange:
    kind = ChangeKind(kind)
    sequence = uow.outbox.next_sequence(f"{kind.aggregate.value}/{aggregate_id}")
    return StateChange.of(kind, aggregate_id, sequence=sequence, occurred_at=at, **facts)


def record(
    uow: UnitOfWork, kind: ChangeKind | str, aggregate_id: str, at: datetime, **facts: object
) -> StateChange:
    """Write one state change of ``aggregate_id`` to the outbox, numbered next in its
    aggregate; returns it."""
    event = _numbered(uow, kind, aggregate_id, at, **facts)
    uow.outbox.enqueue([state_change_notification(event)], due_at=at)
    return event


def _conversation_facts(talk: Conversation) -> dict[str, object]:
    return {
        "status": talk.status.value,
        "employee_id": talk.employee_id,
        "manager_id": talk.manager_id,
        "type_key": talk.type_key,
        "on": talk.window.target,
        "starts_at": talk.starts_at,
        "design_version": talk.design_version,
    }


def _planned_facts(new: NewConversation) -> dict[str, object]:
    """The facts of a new planned conversation, as :func:`_conversation_facts` gives them for
    the conversation it becomes."""
    return {
        "status": ConversationStatus.PLANNED.value,
        "employee_id": new.employee_id,
        "manager_id": new.manager_id,
        "type_key": new.kind.type_key,
        "on": new.target,
        "starts_at": None,
        "design_version": new.kind.design_version,
    }


def conversations_planned(
    uow: UnitOfWork, talks: Iterable[Conversation | NewConversation], at: datetime
) -> list[StateChange]:
    """Write ``conversation.planned`` for each new conversation, in one batch (the planner
    adds many at once, as store rows: :class:`NewConversation`)."""
    events = [
        _numbered(
            uow,
            ChangeKind.CONVERSATION_PLANNED,
            talk.id,
            at,
            **(
                _conversation_facts(talk)
                if isinstance(talk, Conversation)
                else _planned_facts(talk)
            ),
        )
        for talk in talks
    ]
    if events:
        uow.outbox.enqueue(map(state_change_notification, events), due_at=at)
    return events


def _conversation_kind(before: Conversation | None, after: Conversation) -> ChangeKind | None:
    if before is None:
        return ChangeKind.CONVERSATION_PLANNED
    if before == after:
        return None
    if after.status is not before.status:
        return _CONVERSATION_KINDS[after.status]
    if after.sequence != before.sequence or after.starts_at != before.starts_at:
        return ChangeKind.CONVERSATION_RESCHEDULED
    if (after.window, after.manager_id, after.participants) != (
        before.window,
        before.manager_id,
        before.participants,
    ):
        return ChangeKind.CONVERSATION_REPLANNED
    return ChangeKind.CONVERSATION_UPDATED


def conversation_changed(
    uow: UnitOfWork, before: Conversation | None, after: Conversation, at: datetime
) -> StateChange | None:
    """The change from ``before`` (``None``: a new conversation) to ``after``, written."""
    kind = _conversation_kind(before, after)
    if kind is None:
        return None
    return record(uow, kind, after.id, at, **_conversation_facts(after))


def _report_kind(before: Report | None, after: Report) -> ChangeKind | None:
    if before is None:
        return ChangeKind.REPORT_DRAFTED
    if before == after:
        return None
    if after.status is not before.status:
        return _REPORT_KINDS[after.status]
    if len(after.comments) > len(before.comments):
        return ChangeKind.REPORT_COMMENTED
    if after.written_view is not None and before.written_view is None:
        return ChangeKind.REPORT_WRITTEN_VIEW_ADDED
    return ChangeKind.REPORT_REVISED


def report_changed(
    uow: UnitOfWork,
    before: Report | None,
    after: Report,
    at: datetime,
    *,
    conversation: Conversation | None = None,
) -> StateChange | None:
    """The change of a report (``before`` ``None``: a new draft), written; the report's
    conversation adds its type and manager."""
    kind = _report_kind(before, after)
    if kind is None:
        return None
    return record(
        uow,
        kind,
        after.conversation_id,
        at,
        status=after.status.value,
        employee_id=after.employee_id,
        manager_id=None if conversation is None else conversation.manager_id,
        conversation_id=after.conversation_id,
        type_key=None if conversation is None else conversation.type_key,
        on=after.comment_until,
    )


def _item_kind(before: ActionItem | None, after: ActionItem) -> ChangeKind | None:
    if before is None:
        return ChangeKind.ACTION_ITEM_CREATED
    if before == after:
        return None
    if after.status is not before.status:
        if after.status is ActionItemStatus.DONE:
            return ChangeKind.ACTION_ITEM_DONE
        if after.status is ActionItemStatus.DROPPED:
            return ChangeKind.ACTION_ITEM_DROPPED
        return ChangeKind.ACTION_ITEM_UPDATED
    if len(after.carried_to) > len(before.carried_to):
        return ChangeKind.ACTION_ITEM_CARRIED
    if after.escalated_to != before.escalated_to and after.escalated_to is not None:
        return ChangeKind.ACTION_ITEM_ESCALATED
    return ChangeKind.ACTION_ITEM_UPDATED


def item_changed(
    uow: UnitOfWork, before: ActionItem | None, after: ActionItem, at: datetime
) -> StateChange | None:
    """The change of an action item (``before`` ``None``: a new one), written."""
    kind = _item_kind(before, after)
    if kind is None:
        return None
    return record(
        uow,
        kind,
        after.id,
        at,
        status=after.status.value,
        employee_id=after.employee_id,
        manager_id=after.manager_id,
        owner_id=after.owner_id,
        conversation_id=after.carried_to[-1] if after.carried_to else after.origin_conversation_id,
        on=after.due,
    )


def person_changed(
    uow: UnitOfWork, before: Person | None, after: Person, at: datetime
) -> StateChange | None:
    """The change of a person's record (``before`` ``None``: a new person), written:
    ``person.hired`` for a new one, ``person.left`` when an end date is set or moved,
    ``person.changed`` for anything else. Life events alone (a sick report) write nothing:
    they are health or private data and no record field changes."""
    if before == after:
        return None
    if before is None:
        kind, on = ChangeKind.PERSON_HIRED, after.hire_date
    elif after.end_date is not None and after.end_date != before.end_date:
        kind, on = ChangeKind.PERSON_LEFT, after.end_date
    else:
        kind, on = ChangeKind.PERSON_CHANGED, after.end_date or after.hire_date
    return record(
        uow,
        kind,
        after.id,
        at,
        status="left" if kind is ChangeKind.PERSON_LEFT else "employed",
        employee_id=after.id,
        manager_id=after.manager_id,
        on=on,
    )


def person_erased(uow: UnitOfWork, person_id: str, at: datetime) -> StateChange:
    """Write that ``person_id`` was erased and forget the person's sequence counter.

    The change names the person only by :func:`~gesprekscyclus.domain.pseudonyms.placeholder_for`
    (the id erasure leaves in other people's records), never by the id itself, so that the
    store keeps no trace of them: a receiver matches it with ``placeholder_for(its id)``.
    An id used again later starts at sequence 1, with new event ids.
    """
    pseudonym = placeholder_for(person_id)
    event = record(
        uow, ChangeKind.PERSON_ERASED, pseudonym, at, status="erased", employee_id=pseudonym
    )
    uow.outbox.forget_sequences([f"{Aggregate.PERSON.value}/{person_id}"])
    return event


def design_applied(uow: UnitOfWork, version: DesignVersion, at: datetime) -> StateChange:
    """Write that design ``version`` was applied."""
    return record(
        uow,
        ChangeKind.DESIGN_APPLIED,
        DESIGN_ID,
        at,
        status="applied",
        design_version=version.number,
        on=version.applied_at.date(),
    )


def changes(uow: UnitOfWork, statuses: Iterable[OutboxStatus] | None = None) -> list[StateChange]:
    """The state changes the outbox holds (in any status, or those in ``statuses``), in the
    order they were written (mainly for tests and rebuilding a mirror)."""
    wanted = None if statuses is None else frozenset(statuses)
    found: list[tuple[int, StateChange]] = []
    for message in uow.outbox.mentioning([APPLICATION.id]):
        note = message.notification
        if note is None or note.event is None:
            continue
        if wanted is None or message.status in wanted:
            found.append((message.id, note.event))
    return [event for _, event in sorted(found, key=lambda pair: pair[0])]


@frozen
class StateChanges:
    """Where a service writes its state changes: the functions above when ``enabled``,
    nothing otherwise (a store whose application mirrors nothing keeps no such rows).

    >>> NO_STATE_CHANGES.enabled, StateChanges().enabled
    (False, True)
    """

    enabled: bool = True

    def conversation(
        self, uow: UnitOfWork, before: Conversation | None, after: Conversation, at: datetime
    ) -> StateChange | None:
        """See :func:`conversation_changed`."""
        return conversation_changed(uow, before, after, at) if self.enabled else None

    def planned(
        self, uow: UnitOfWork, talks: Iterable[Conversation | NewConversation], at: datetime
    ) -> list[StateChange]:
        """See :func:`conversations_planned`."""
        return conversations_planned(uow, talks, at) if self.enabled else []

    def report(
        self,
        uow: UnitOfWork,
        before: Report | None,
        after: Report,
        at: datetime,
        *,
        conversation: Conversation | None = None,
    ) -> StateChange | None:
        """See :func:`report_changed`."""
        if not self.enabled:
            return None
        return report_changed(uow, before, after, at, conversation=conversation)

    def item(
        self, uow: UnitOfWork, before: ActionItem | None, after: ActionItem, at: datetime
    ) -> StateChange | None:
        """See :func:`item_changed`."""
        return item_changed(uow, before, after, at) if self.enabled else None

    def person(
        self, uow: UnitOfWork, before: Person | None, after: Person, at: datetime
    ) -> StateChange | None:
        """See :func:`person_changed`."""
        return person_changed(uow, before, after, at) if self.enabled else None

    def erased(self, uow: UnitOfWork, person_id: str, at: datetime) -> StateChange | None:
        """See :func:`person_erased`; the counters of an erased person go either way."""
        if self.enabled:
            return person_erased(uow, person_id, at)
        uow.outbox.forget_sequences([f"{Aggregate.PERSON.value}/{person_id}"])
        return None

    def design(self, uow: UnitOfWork, version: DesignVersion, at: datetime) -> StateChange | None:
        """See :func:`design_applied`."""
        return design_applied(uow, version, at) if self.enabled else None


#: Writes nothing.
NO_STATE_CHANGES: StateChanges = StateChanges(enabled=False)
