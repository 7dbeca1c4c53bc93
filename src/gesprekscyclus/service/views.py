"""Views: what one reader may see of a conversation, a report, an action item or an absence
record.

Every query of :class:`~gesprekscyclus.service.app.ConversationService` that returns content
takes the reader (a person id) and returns these frozen values instead of the stored
aggregates. A view holds only what the access policy of :mod:`gesprekscyclus.domain.access`
lets that reader see, and says in ``may_write`` which kinds of content the reader may add, so
an application can hand a view straight to its UI without a permission check of its own.
``to_data`` of a view is safe to send to the reader's browser.

The builders here return ``None`` when the reader may not even know the record exists.

>>> from datetime import date, datetime, timezone
>>> from gesprekscyclus.domain.conversations import Conversation, Window
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> talk = Conversation.plan(id="c-1", type_key="check_in", employee_id="e-1",
...     manager_id="m-1", window=Window(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 31)))
>>> talk = talk.add_note("m-1", "Vraag naar opleiding", private=True, at=at)
>>> talk = talk.add_note("m-1", "Goed gesprek", private=False, at=at)
>>> [n.text for n in conversation_view(talk, "e-1").notes]
['Goed gesprek']
>>> [n.text for n in conversation_view(talk, "m-1").notes]
['Vraag naar opleiding', 'Goed gesprek']
>>> conversation_view(talk, "x-9") is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import attrs
from attrs import field, frozen

from gesprekscyclus.domain.absence_records import AbsenceRecord, audiences_for, visible_data
from gesprekscyclus.domain.access import Content, ReaderRole, allowed, reader_role
from gesprekscyclus.domain.action_items import ActionItem, ActionItemStatus
from gesprekscyclus.domain.agreements import AgreementStatus, agreement_states
from gesprekscyclus.domain.conversation_types import ConversationType, Sensitivity
from gesprekscyclus.domain.conversations import (
    Answer,
    Conversation,
    ConversationStatus,
    Note,
    Participant,
    Transition,
    Window,
)
from gesprekscyclus.domain.questions import (
    AnswerValue,
    Audience,
    QuestionKind,
    QuestionSet,
    QuestionSetRef,
)
from gesprekscyclus.domain.reports import (
    Comment,
    Report,
    ReportStatus,
    ReportTransition,
    SignOffKind,
    WrittenView,
)
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.serialization import leave_out_private_notes

__all__ = [
    "AbsenceRecordView",
    "ActionItemView",
    "AgendaEntry",
    "ConversationView",
    "OptionView",
    "QuestionView",
    "QuestionsView",
    "ReportView",
    "absence_reader_role",
    "absence_record_view",
    "action_item_view",
    "conversation_view",
    "metadata_view",
    "report_state",
    "report_view",
]

_OPEN = frozenset({ConversationStatus.PLANNED, ConversationStatus.SCHEDULED})


def _sensitivity(kind: ConversationType | None) -> Sensitivity:
    return Sensitivity.NORMAL if kind is None else kind.sensitivity


@frozen
class ConversationView:
    """One conversation as ``reader_id`` (in ``reader_role``) may see it.

    The metadata is always there (``held_at``, ``design_version`` and ``known_late`` as on
    :class:`~gesprekscyclus.domain.conversations.Conversation`). A view without a reader
    (``reader_id`` ``None``, as the commands that no one in particular performs return)
    holds the metadata only. Otherwise
    ``notes`` and ``answers`` hold only what the reader may read, and ``history`` is left
    empty for readers who may not read what was said (its reasons can be personal).
    ``may_write`` lists the kinds of content the reader may add (the lifecycle still decides
    whether the conversation accepts them now).
    """

    reader_id: str | None
    reader_role: ReaderRole | None
    id: str
    type_key: str
    sensitivity: Sensitivity
    employee_id: str
    manager_id: str | None
    participants: tuple[Participant, ...]
    window: Window
    status: ConversationStatus
    starts_at: datetime | None
    duration_minutes: int
    time_zone: str
    sequence: int
    requires_report: bool
    question_set: QuestionSetRef | None
    held_at: datetime | None = None
    design_version: int | None = None
    known_late: bool = False
    notes: tuple[Note, ...] = ()
    answers: tuple[Answer, ...] = ()
    preparation_shared_by: frozenset[str] = frozenset()
    history: tuple[Transition, ...] = ()
    may_write: frozenset[Content] = frozenset()

    @property
    def is_open(self) -> bool:
        """Whether it still has to take place (planned or scheduled)."""
        return self.status in _OPEN

    def is_overdue(self, today: date) -> bool:
        """Whether it still has to take place but ``today`` lies past the window."""
        return self.is_open and self.window.is_overdue(today)

    @property
    def holds_content(self) -> bool:
        """Whether the view shows anything that was said (notes or answers)."""
        return bool(self.notes or self.answers)


@frozen
class ReportView:
    """One report as ``reader_id`` may see it: the text once shared (a draft only for its
    author), comments and the written view where the reader may read them. Without a reader
    (``reader_id`` ``None``) it holds the state only: no summary, agreements or texts."""

    reader_id: str | None
    reader_role: ReaderRole | None
    conversation_id: str
    employee_id: str
    author_id: str | None
    status: ReportStatus
    requires_sign_off: bool
    comment_until: date | None
    summary: str
    agreements: tuple[str, ...]
    comments: tuple[Comment, ...] = ()
    written_view: WrittenView | None = None
    signed_by: str | None = None
    signed_as: SignOffKind | None = None
    refusal_reason: str | None = None
    history: tuple[ReportTransition, ...] = ()
    may_write: frozenset[Content] = frozenset()
    agreement_states: tuple[AgreementStatus, ...] = ()


@frozen
class ActionItemView:
    """One action item as ``reader_id`` may see it."""

    reader_id: str
    id: str
    title: str
    owner_id: str
    due: date | None
    origin_conversation_id: str
    employee_id: str
    manager_id: str | None
    status: ActionItemStatus
    carry_count: int = 0
    carried_to: tuple[str, ...] = ()
    escalated_to: str | None = None

    def is_overdue(self, today: date) -> bool:
        """Whether the item is still open and ``today`` lies past its due date."""
        return self.status is ActionItemStatus.OPEN and self.due is not None and today > self.due


@frozen
class AgendaEntry:
    """One upcoming conversation and the open action items on its agenda, as one reader
    sees them."""

    conversation: ConversationView
    action_items: tuple[ActionItemView, ...] = ()


@frozen
class OptionView:
    """One point of a scale (``value`` a number) or one choice (``value`` its key), with
    its label in the view's language."""

    value: int | str
    label: str


@frozen
class QuestionView:
    """One question a reader prepares or answers, in one language.

    ``answers`` are the current answers to it that the reader may read (their own, the
    other side's once the policy allows, the joint ones); ``answer`` is the reader's own
    current answer (``None``: not answered yet). ``may_answer`` says whether the reader may
    record an answer now (the access policy allows it and the conversation accepts
    answers in its current status).
    """

    key: str
    kind: QuestionKind
    audience: Audience
    text: str
    required: bool
    help: str | None = None
    options: tuple[OptionView, ...] = ()
    answer: AnswerValue | None = None
    answers: tuple[Answer, ...] = ()
    may_answer: bool = False


@frozen
class QuestionsView:
    """The questions ``reader_id`` prepares or answers in one conversation, in set order.

    ``audience`` is the preparation the reader's part in the conversation gives them (the
    employee's, or the leading side's for anyone else taking part); ``questions`` holds
    that preparation's questions and the joint ones. A reader who may see the conversation
    but takes no part in it (HR not taking part) answers nothing: ``audience`` is ``None``
    and ``questions`` is empty; so it is for a type without a question set.
    """

    conversation_id: str
    reader_id: str
    reader_role: ReaderRole
    locale: Locale
    question_set: QuestionSetRef | None
    audience: Audience | None
    questions: tuple[QuestionView, ...] = ()


def _read_only(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(data))


@frozen
class AbsenceRecordView:
    """One absence record (:mod:`gesprekscyclus.domain.absence_records`) as ``reader_id``
    (in ``reader_role``) may see it: its ``kind`` (``sick_report`` or
    ``occupational_health_advice``), whose it is, its day ``on`` (the first sick day, or the
    consultation day), and in ``data`` (read-only, in field order) only the fields the access
    policy lets that role read, by name. A field that is left out is not shown to this
    reader; a field that is there with ``None`` is not known.
    """

    reader_id: str
    reader_role: ReaderRole
    kind: str
    person_id: str
    on: date
    data: Mapping[str, Any] = field(converter=_read_only, hash=False)


leave_out_private_notes(ConversationView, "notes")


@lru_cache(maxsize=512)
def _writable(role: ReaderRole | None, kind: ConversationType | None) -> frozenset[Content]:
    """What ``role`` may add in conversations of ``kind`` (the same for every record of a
    type, so it is worked out once per role and type)."""
    sensitivity = _sensitivity(kind)
    return frozenset(
        content
        for content in Content
        if content is not Content.CONVERSATION
        and allowed(role, content, sensitivity, write=True, kind=kind, own=True)
    )


def conversation_view(
    talk: Conversation,
    reader: str,
    *,
    kind: ConversationType | None = None,
    question_set: QuestionSet | None = None,
    hr_office: Iterable[str] = (),
) -> ConversationView | None:
    """What ``reader`` may see of ``talk`` (``kind`` is its type, ``question_set`` the
    pinned set), or ``None`` when they may not know it exists."""
    offices = tuple(hr_office)
    role = reader_role(talk, reader, hr_office=offices)
    sensitivity = _sensitivity(kind)
    if role is None or not allowed(role, Content.CONVERSATION, sensitivity, write=False):
        return None
    hears = allowed(role, Content.SHARED_NOTE, sensitivity, write=False, kind=kind)
    return attrs.evolve(
        metadata_view(talk, kind=kind),
        reader_id=reader,
        reader_role=role,
        notes=talk.notes_for(reader, kind=kind, hr_office=offices),
        answers=talk.answers_for(reader, question_set, kind=kind, hr_office=offices),
        history=talk.history if hears else (),
        may_write=_writable(role, kind),
    )


def metadata_view(talk: Conversation, *, kind: ConversationType | None = None) -> ConversationView:
    """The metadata of ``talk`` without any reader: no notes, answers or history."""
    return ConversationView(
        reader_id=None,
        reader_role=None,
        id=talk.id,
        type_key=talk.type_key,
        sensitivity=_sensitivity(kind),
        employee_id=talk.employee_id,
        manager_id=talk.manager_id,
        participants=talk.participants,
        window=talk.window,
        status=talk.status,
        starts_at=talk.starts_at,
        duration_minutes=talk.duration_minutes,
        time_zone=talk.time_zone,
        sequence=talk.sequence,
        requires_report=talk.requires_report,
        question_set=talk.question_set,
        held_at=talk.held_at,
        design_version=talk.design_version,
        known_late=talk.known_late,
        preparation_shared_by=talk.preparation_shared_by,
    )


def report_state(report: Report) -> ReportView:
    """The state of ``report`` without any reader: no summary, agreements or texts."""
    return ReportView(
        reader_id=None,
        reader_role=None,
        conversation_id=report.conversation_id,
        employee_id=report.employee_id,
        author_id=report.author_id,
        status=report.status,
        requires_sign_off=report.requires_sign_off,
        comment_until=report.comment_until,
        summary="",
        agreements=(),
        signed_by=report.signed_by,
        signed_as=report.signed_as,
    )


def report_view(
    report: Report,
    talk: Conversation,
    reader: str,
    *,
    kind: ConversationType | None = None,
    hr_office: Iterable[str] = (),
    items: Iterable[ActionItem] = (),
) -> ReportView | None:
    """What ``reader`` may see of ``report`` (of ``talk``), or ``None`` when they may not
    read it: a draft is for its author only, a shared report for whom the policy allows.
    ``items`` are the action items agreed in ``talk``: ``agreement_states`` tells from them
    which agreements are open, carried, done, dropped or not yet recorded as an item."""
    role = reader_role(talk, reader, hr_office=hr_office)
    sensitivity = _sensitivity(kind)
    if report.is_draft:
        # A report stored without its author is readable by whoever may write reports.
        own = report.author_id == reader or (
            report.author_id is None
            and allowed(role, Content.DRAFT_REPORT, sensitivity, write=True, kind=kind)
        )
        if not allowed(role, Content.DRAFT_REPORT, sensitivity, write=False, own=own):
            return None
    elif not allowed(role, Content.SHARED_REPORT, sensitivity, write=False, kind=kind):
        return None
    assert role is not None  # every grant above needs a role
    comments = allowed(role, Content.COMMENT, sensitivity, write=False, kind=kind)
    written = allowed(role, Content.WRITTEN_VIEW, sensitivity, write=False, kind=kind)
    return ReportView(
        reader_id=reader,
        reader_role=role,
        conversation_id=report.conversation_id,
        employee_id=report.employee_id,
        author_id=report.author_id,
        status=report.status,
        requires_sign_off=report.requires_sign_off,
        comment_until=report.comment_until,
        summary=report.summary,
        agreements=report.agreements,
        comments=report.comments if comments else (),
        written_view=report.written_view if written else None,
        signed_by=report.signed_by,
        signed_as=report.signed_as,
        refusal_reason=report.refusal_reason,
        history=report.history,
        may_write=frozenset(
            content
            for content in (Content.COMMENT, Content.WRITTEN_VIEW, Content.DRAFT_REPORT)
            if allowed(role, content, sensitivity, write=True, kind=kind, own=True)
        ),
        agreement_states=agreement_states(report, items),
    )


def action_item_view(
    item: ActionItem,
    origin: Conversation | None,
    reader: str,
    *,
    kind: ConversationType | None = None,
    hr_office: Iterable[str] = (),
) -> ActionItemView | None:
    """What ``reader`` may see of ``item``: its owner and whom it was escalated to always;
    the employee and manager of the pair it now belongs to (it moves with the employee to a
    new manager) as the policy allows those roles; others as the policy allows for its
    conversation ``origin``; else ``None``."""
    concerned = reader in (item.owner_id, item.escalated_to)
    if not concerned:
        if reader == item.employee_id:
            role: ReaderRole | None = ReaderRole.EMPLOYEE
        elif reader == item.manager_id:
            role = ReaderRole.MANAGER
        elif origin is None:
            return None
        else:
            role = reader_role(origin, reader, hr_office=hr_office)
        if not allowed(role, Content.ACTION_ITEM, _sensitivity(kind), write=False, kind=kind):
            return None
    return ActionItemView(
        reader_id=reader,
        id=item.id,
        title=item.title,
        owner_id=item.owner_id,
        due=item.due,
        origin_conversation_id=item.origin_conversation_id,
        employee_id=item.employee_id,
        manager_id=item.manager_id,
        status=item.status,
        carry_count=item.carry_count,
        carried_to=item.carried_to,
        escalated_to=item.escalated_to,
    )


#: The participant roles of a health-related conversation that give a standing towards the
#: employee's absence records (the employee and the manager follow from the person instead).
_ABSENCE_PARTICIPANTS = frozenset(
    {
        ReaderRole.OCCUPATIONAL_PHYSICIAN,
        ReaderRole.CASE_MANAGER,
        ReaderRole.HR,
        ReaderRole.NEUTRAL_INTERVIEWER,
    }
)


def absence_reader_role(
    person_id: str,
    reader: str,
    *,
    manager_id: str | None,
    hr_office: Iterable[str] = (),
    conversations: Iterable[Conversation] = (),
) -> ReaderRole | None:
    """The reader's standing towards ``person_id``'s absence records, from the data.

    In this order: the person themselves reads as ``employee``; their current manager
    (``manager_id``, :attr:`~gesprekscyclus.domain.people.Person.manager_id`) as ``manager``;
    a participant of one of the person's health-related ``conversations`` in the role it
    lists them with (of the last such conversation they take part in, when several);
    the organisation's HR contact (``hr_office``) as ``hr_office``; anyone else has no role
    (``None``). A former manager, or a participant of the person's other conversations, has
    no role here.

    >>> absence_reader_role("e-1", "m-1", manager_id="m-1")
    <ReaderRole.MANAGER: 'manager'>
    >>> absence_reader_role("e-1", "hr", manager_id="m-1", hr_office=["hr"]).value
    'hr_office'
    >>> absence_reader_role("e-1", "e-2", manager_id="m-1") is None
    True
    """
    if reader == person_id:
        return ReaderRole.EMPLOYEE
    if manager_id is not None and reader == manager_id:
        return ReaderRole.MANAGER
    found: ReaderRole | None = None
    for talk in conversations:
        role = reader_role(talk, reader)
        if role in _ABSENCE_PARTICIPANTS:
            found = role
    if found is not None:
        return found
    return ReaderRole.HR_OFFICE if reader in set(hr_office) else None


def absence_record_view(record: AbsenceRecord, reader: str, role: ReaderRole) -> AbsenceRecordView:
    """What ``reader``, reading as ``role``, may see of ``record``: the fields of the
    audiences the policy gives that role
    (:func:`~gesprekscyclus.domain.absence_records.audiences_for`), none for a role that
    reads none.

    >>> from datetime import date
    >>> from gesprekscyclus.domain.absence_records import (
    ...     FunctionalCapacity, OccupationalHealthAdvice)
    >>> advice = OccupationalHealthAdvice(person_id="e-1", on=date(2026, 3, 9),
    ...     work_ability="adapted_work",
    ...     capacities=(FunctionalCapacity(area="static_postures", level="limited"),))
    >>> "capacities" in absence_record_view(advice, "m-1", ReaderRole.MANAGER).data
    False
    >>> "capacities" in absence_record_view(advice, "o-1", ReaderRole.OCCUPATIONAL_PHYSICIAN).data
    True
    """
    return AbsenceRecordView(
        reader_id=reader,
        reader_role=role,
        kind=record.KIND,
        person_id=record.person_id,
        on=record.on,
        data=visible_data(record, audiences_for(role)),
    )
