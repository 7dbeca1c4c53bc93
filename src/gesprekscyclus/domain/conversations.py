"""One conversation from plan to close: scheduling, answers, notes and its lifecycle.

States and the actions (methods of :class:`Conversation`) that move between them::

    planned ──schedule──▶ scheduled ──hold──▶ held ──mark_reported──▶ reported ──close──▶ closed
                          ▲       │             │                                        ▲
                          └───────┘             └──close (type without a report)─────────┘
                   reschedule (reason, sequence + 1)

    planned | scheduled ──cancel (reason)──▶ cancelled
    planned | scheduled ──mark_missed (reason)──▶ missed

``closed``, ``cancelled`` and ``missed`` are final: nothing more can happen to the record, so a
missed conversation stays on file instead of disappearing. The one way back is the planner's:
:meth:`Conversation.reinstate` undoes a cancellation that the planner itself made (the
conversation was dropped from the plan, and a later design plans it again), as a
``reinstate`` entry in ``history``. It is not a user action and so not in the table.

**Design version.** ``design_version`` is the number of the stored design version that planned
the conversation (``None`` for conversations created without a stored design). ``known_late``
marks a conversation that was created only after its target date had passed: the obligation
became known late (a sick report entered after the fact, short notice), so it was never
planned on time.

**Rescheduling is an action, not a state.** A rescheduled conversation is simply a scheduled
one with a new time: queries for agendas and reminders need not know about a separate status.
The reschedule is kept as a ``reschedule`` entry (with its reason) in ``history``, and
``sequence`` counts the reschedules, as iCalendar's SEQUENCE does.

**One table.** :data:`CONVERSATION_TRANSITIONS` lists, per status, every allowed action and the
status it leads to; the commands and the error messages both read it. The only condition on
top of it: ``close`` from ``held`` is left out when ``requires_report`` is set.

**Answers** are recorded against a :class:`~gesprekscyclus.domain.questions.QuestionSet` and
pinned to its version (``question_set``); answers for another version are refused. A
preparation question is answered only by its side (the employee, or the side leading the
conversation); the other side reads those answers once the conversation is held, or earlier
when their author calls :meth:`Conversation.share_preparation`. **Notes** are shared (the
participants read them) or private (only the author reads them). Who reads and writes what is
decided by :mod:`gesprekscyclus.domain.access`; pass the conversation type as ``kind`` to the
commands and readers so its sensitivity and settings count. The only ways to read notes and
answers are :meth:`Conversation.notes_for` and :meth:`Conversation.answers_for`; the stored
notes live in the private attribute ``_notes`` (``notes=`` in the constructor) for storage
adapters, and are hidden from ``repr`` so private text does not leak into logs.

**Participants come from the type.** :meth:`Conversation.plan` takes the type's roles: the
manager joins only when ``manager`` is one of them, so an exit interview (employee and HR)
has no manager at all (``manager_id`` is ``None``).

**When it was held.** :meth:`Conversation.hold` takes the real time the conversation took place
(``held_at``, by default the instant of the command): it may not lie after the command (in the
future) nor before the conversation was scheduled (for one scheduled after the fact: not before
the day it was scheduled for). ``held_at`` is kept from then on; follow-ups
and rhythms anchored on the held date count from it.

Every successful command returns a new conversation with exactly one more ``history`` entry.
``at`` is always the aware instant of the command; nothing here reads a clock.

>>> from datetime import date, datetime, timezone
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> talk = Conversation.plan(
...     id="c-1", type_key="growth_review", employee_id="e-1", manager_id="m-1",
...     window=Window(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 31)), requires_report=True,
... )
>>> talk = talk.schedule(datetime(2026, 3, 9, 10, 0, tzinfo=timezone.utc), at=at)
>>> talk = talk.reschedule(datetime(2026, 3, 11, 10, 0, tzinfo=timezone.utc),
...                        reason="Ziek", at=at)
>>> talk = talk.add_note("m-1", "Vraag naar opleiding", private=True, at=at)
>>> talk = talk.hold(at=datetime(2026, 3, 11, 11, 0, tzinfo=timezone.utc))
>>> talk.status.value, talk.sequence, len(talk.history)
('held', 1, 4)
>>> talk.notes_for("e-1")
()
>>> try:
...     talk.cancel(reason="Te laat", at=at)
... except InvalidTransitionError as error:
...     print(error.allowed)
('mark_reported', 'record_answers', 'add_note')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from attrs import field, frozen

from gesprekscyclus.domain import access
from gesprekscyclus.domain._checks import (
    ClosedSet,
    aware,
    iana_zone,
    non_blank,
    positive,
    require_aware,
    require_reason,
    typed_fields,
    unique_by,
)
from gesprekscyclus.domain.conversation_types import ConversationType, Sensitivity
from gesprekscyclus.domain.people import Role
from gesprekscyclus.domain.questions import (
    AnswerValue,
    Audience,
    QuestionSet,
    QuestionSetRef,
    answer_value,
)
from gesprekscyclus.errors import (
    AccessDeniedError,
    ConflictError,
    InvalidTransitionError,
    InvalidValueError,
)

__all__ = [
    "CONVERSATION_TRANSITIONS",
    "Answer",
    "Conversation",
    "ConversationAction",
    "ConversationStatus",
    "Note",
    "Participant",
    "Transition",
    "Window",
]


class ConversationStatus(ClosedSet):
    """Where a conversation stands; see the module docstring for the diagram."""

    PLANNED = "planned"
    SCHEDULED = "scheduled"
    HELD = "held"
    REPORTED = "reported"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    MISSED = "missed"


class ConversationAction(ClosedSet):
    """The commands on a conversation, as they appear in ``history`` and in error messages."""

    SCHEDULE = "schedule"
    RESCHEDULE = "reschedule"
    HOLD = "hold"
    MARK_REPORTED = "mark_reported"
    CLOSE = "close"
    CANCEL = "cancel"
    MARK_MISSED = "mark_missed"
    RECORD_ANSWERS = "record_answers"
    ADD_NOTE = "add_note"
    REINSTATE = "reinstate"
    SHARE_PREPARATION = "share_preparation"


_S = ConversationStatus
_A = ConversationAction


def _row(**actions: ConversationStatus) -> Mapping[ConversationAction, ConversationStatus]:
    return MappingProxyType({ConversationAction(name): target for name, target in actions.items()})


#: The one table of allowed actions: status -> action -> resulting status. Final states map to
#: an empty row. ``close`` from ``held`` additionally needs ``requires_report`` to be false.
CONVERSATION_TRANSITIONS: Mapping[
    ConversationStatus, Mapping[ConversationAction, ConversationStatus]
] = MappingProxyType(
    {
        _S.PLANNED: _row(
            schedule=_S.SCHEDULED,
            cancel=_S.CANCELLED,
            mark_missed=_S.MISSED,
            record_answers=_S.PLANNED,
            add_note=_S.PLANNED,
            share_preparation=_S.PLANNED,
        ),
        _S.SCHEDULED: _row(
            reschedule=_S.SCHEDULED,
            hold=_S.HELD,
            cancel=_S.CANCELLED,
            mark_missed=_S.MISSED,
            record_answers=_S.SCHEDULED,
            add_note=_S.SCHEDULED,
            share_preparation=_S.SCHEDULED,
        ),
        _S.HELD: _row(
            mark_reported=_S.REPORTED,
            close=_S.CLOSED,
            record_answers=_S.HELD,
            add_note=_S.HELD,
        ),
        _S.REPORTED: _row(close=_S.CLOSED, add_note=_S.REPORTED),
        _S.CLOSED: _row(),
        _S.CANCELLED: _row(),
        _S.MISSED: _row(),
    }
)

#: States in which the conversation still has to take place.
_OPEN = frozenset({_S.PLANNED, _S.SCHEDULED})
#: States reached by holding the conversation.
_WAS_HELD = frozenset({_S.HELD, _S.REPORTED, _S.CLOSED})
#: States in which a start time must be known.
_TIMED = frozenset({_S.SCHEDULED, _S.HELD, _S.REPORTED, _S.CLOSED})
#: States in which the conversation has taken place.
_DONE = frozenset({_S.HELD, _S.REPORTED, _S.CLOSED})


def _sensitivity(kind: ConversationType | None) -> Sensitivity:
    return Sensitivity.NORMAL if kind is None else kind.sensitivity


def _answer_content(
    answer: Answer, reader_id: str, question_set: QuestionSet | None
) -> access.Content:
    if (
        question_set is not None
        and answer.question_key in question_set.keys
        and question_set.question(answer.question_key).audience is Audience.JOINT
    ):
        return access.Content.JOINT_ANSWERS
    if answer.author_id == reader_id:
        return access.Content.OWN_PREPARATION
    return access.Content.OTHER_PREPARATION


@frozen(field_transformer=typed_fields)
class Window:
    """The dates between which a conversation should take place, and the day aimed for.

    >>> window = Window(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 31))
    >>> window.is_overdue(date(2026, 3, 31)), window.is_overdue(date(2026, 4, 1))
    (False, True)
    """

    earliest: date
    target: date
    latest: date

    def __attrs_post_init__(self) -> None:
        if not self.earliest <= self.target <= self.latest:
            raise InvalidValueError(
                "Window",
                f"needs earliest <= target <= latest, got {self.earliest}, {self.target}, "
                f"{self.latest}",
            )

    def contains(self, day: date) -> bool:
        """Whether ``day`` lies inside the window (both ends included)."""
        return self.earliest <= day <= self.latest

    def is_overdue(self, today: date) -> bool:
        """Whether ``today`` lies after the latest date."""
        return today > self.latest


@frozen(field_transformer=typed_fields)
class Participant:
    """Someone taking part in a conversation, in a role."""

    person_id: str = field(validator=non_blank)
    role: Role = field(converter=Role)


@frozen(field_transformer=typed_fields)
class Answer:
    """One person's answer to one question of the pinned question set."""

    question_key: str = field(validator=non_blank)
    value: AnswerValue = field(converter=answer_value)
    author_id: str = field(validator=non_blank)
    at: datetime = field(validator=aware)


@frozen(field_transformer=typed_fields)
class Note:
    """A note on a conversation; a ``private`` one is readable by its author only."""

    author_id: str = field(validator=non_blank)
    text: str = field(validator=non_blank)
    private: bool
    at: datetime = field(validator=aware)


@frozen(field_transformer=typed_fields)
class Transition:
    """One entry of a conversation's history.

    ``starts_at`` is the new time for ``schedule`` and ``reschedule``; ``reason`` is given for
    ``reschedule``, ``cancel`` and ``mark_missed``; ``actor_id`` names the author of answers
    and notes. Note texts and answers are not copied into the history.
    """

    action: ConversationAction = field(converter=ConversationAction)
    from_status: ConversationStatus = field(converter=ConversationStatus)
    to_status: ConversationStatus = field(converter=ConversationStatus)
    at: datetime = field(validator=aware)
    reason: str | None = field(default=None, validator=non_blank)
    starts_at: datetime | None = field(default=None, validator=aware)
    actor_id: str | None = field(default=None, validator=non_blank)


@frozen(field_transformer=typed_fields)
class Conversation:
    """A planned, scheduled or past conversation; see the module docstring for the rules.

    ``participants`` always include the employee (role ``employee``) and, when
    ``manager_id`` is set, that manager (role ``manager``); ``manager_id`` is ``None`` for a
    conversation the manager takes no part in; :meth:`plan` adds them from the type's roles.
    ``requires_report`` comes from the conversation type: when set, a held conversation must
    be reported before it can close.
    Build a new one with :meth:`plan`; change one only through the commands. ``held_at`` is
    when it really took place (set by :meth:`hold`); conversations stored before it existed
    have ``None`` there and :attr:`held_on_instant` falls back to the ``hold`` history entry.
    """

    id: str = field(validator=non_blank)
    type_key: str = field(validator=non_blank)
    employee_id: str = field(validator=non_blank)
    manager_id: str | None = field(validator=non_blank)
    participants: tuple[Participant, ...]
    window: Window
    status: ConversationStatus = field(
        default=ConversationStatus.PLANNED, converter=ConversationStatus
    )
    starts_at: datetime | None = field(default=None, validator=aware)
    duration_minutes: int = field(default=60, validator=positive)
    time_zone: str = field(default="Europe/Amsterdam", validator=iana_zone)
    sequence: int = 0
    requires_report: bool = False
    question_set: QuestionSetRef | None = None
    answers: tuple[Answer, ...] = ()
    _notes: tuple[Note, ...] = field(default=(), repr=False)
    history: tuple[Transition, ...] = ()
    design_version: int | None = field(default=None, validator=positive)
    known_late: bool = field(default=False, validator=attrs.validators.instance_of(bool))
    held_at: datetime | None = field(default=None, validator=aware)

    def __attrs_post_init__(self) -> None:
        if self.manager_id == self.employee_id:
            raise InvalidValueError("Conversation.manager_id", "must differ from the employee")
        unique_by(self.participants, lambda p: p.person_id, "Conversation.participants")
        roles = {p.person_id: p.role for p in self.participants}
        if roles.get(self.employee_id) is not Role.EMPLOYEE:
            raise InvalidValueError(
                "Conversation.participants",
                f"must include the employee {self.employee_id!r} with role employee",
            )
        if self.manager_id is not None and roles.get(self.manager_id) is not Role.MANAGER:
            raise InvalidValueError(
                "Conversation.participants",
                f"must include the manager {self.manager_id!r} with role manager",
            )
        if isinstance(self.sequence, bool) or self.sequence < 0:
            raise InvalidValueError("Conversation.sequence", "must be 0 or more")
        if self.status in _TIMED and self.starts_at is None:
            raise InvalidValueError("Conversation.starts_at", f"is required when {self.status}")
        if self.status is _S.PLANNED and self.starts_at is not None:
            raise InvalidValueError("Conversation.starts_at", "is not set while planned")
        if self.held_at is not None and self.status not in _WAS_HELD:
            raise InvalidValueError(
                "Conversation.held_at", f"is only set once held, not while {self.status}"
            )
        if self.answers and self.question_set is None:
            raise InvalidValueError(
                "Conversation.question_set", "answers need the question set they belong to"
            )
        for index, note in enumerate(self._notes):
            if note.author_id not in roles:
                raise InvalidValueError(
                    f"Conversation.notes[{index}].author_id", "must be a participant"
                )

    @classmethod
    def plan(
        cls,
        *,
        id: str,
        type_key: str,
        employee_id: str,
        manager_id: str | None,
        window: Window,
        participants: Iterable[Participant] = (),
        roles: Iterable[Role | str] | None = None,
        duration_minutes: int = 60,
        time_zone: str = "Europe/Amsterdam",
        requires_report: bool = False,
        design_version: int | None = None,
        known_late: bool = False,
    ) -> Conversation:
        """A new conversation in state ``planned``.

        ``roles`` are the participant roles of the conversation type. The employee, and the
        manager ``manager_id`` when ``manager`` is one of the roles, are added to
        ``participants`` (first, in that order) unless already listed; list others (HR, a
        case manager) with their roles, which must be among ``roles``. When the type has no
        manager role the manager takes no part and ``manager_id`` is not kept. Without
        ``roles`` the employee and the manager take part, with whoever else is listed.

        ``design_version`` names the stored design version that planned it; ``known_late``
        marks one created after its target date (see the module docstring).

        >>> exit_talk = Conversation.plan(
        ...     id="c-9", type_key="exit_interview", employee_id="e-1", manager_id="m-1",
        ...     window=Window(date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 20)),
        ...     participants=[Participant("hr-1", "hr")], roles=("employee", "hr"))
        >>> exit_talk.manager_id, sorted(exit_talk.participant_ids)
        (None, ['e-1', 'hr-1'])
        """
        given = tuple(participants)
        allowed_roles = (
            (Role.EMPLOYEE, Role.MANAGER, *(p.role for p in given))
            if roles is None
            else tuple(Role(role) for role in roles)
        )
        for index, participant in enumerate(given):
            if participant.role not in allowed_roles:
                raise InvalidValueError(
                    f"participants[{index}].role",
                    f"{participant.role} does not take part in {type_key!r}",
                    allowed=allowed_roles,
                )
        if Role.MANAGER not in allowed_roles:
            manager_id = None
        listed = {p.person_id for p in given}
        implied = [Participant(employee_id, Role.EMPLOYEE)]
        if manager_id is not None:
            implied.append(Participant(manager_id, Role.MANAGER))
        return cls(
            id=id,
            type_key=type_key,
            employee_id=employee_id,
            manager_id=manager_id,
            participants=(*(p for p in implied if p.person_id not in listed), *given),
            window=window,
            duration_minutes=duration_minutes,
            time_zone=time_zone,
            requires_report=requires_report,
            design_version=design_version,
            known_late=known_late,
        )

    # --- queries ------------------------------------------------------------------------

    @property
    def participant_ids(self) -> frozenset[str]:
        """The ids of everyone taking part."""
        return frozenset(p.person_id for p in self.participants)

    @property
    def local_start(self) -> datetime | None:
        """``starts_at`` as wall time in the conversation's time zone."""
        return (
            None if self.starts_at is None else self.starts_at.astimezone(ZoneInfo(self.time_zone))
        )

    @property
    def is_final(self) -> bool:
        """Whether nothing can happen to this conversation any more."""
        return not CONVERSATION_TRANSITIONS[self.status]

    def is_overdue(self, today: date) -> bool:
        """Whether it still has to take place but ``today`` lies past the window."""
        return self.status in _OPEN and self.window.is_overdue(today)

    def allowed_actions(self) -> tuple[ConversationAction, ...]:
        """The actions allowed now, in table order."""
        return tuple(
            action
            for action in CONVERSATION_TRANSITIONS[self.status]
            if not (action is _A.CLOSE and self.status is _S.HELD and self.requires_report)
        )

    @property
    def preparation_shared_by(self) -> frozenset[str]:
        """Who has shared their preparation answers with the other side before the
        conversation was held (see :meth:`share_preparation`)."""
        return frozenset(
            step.actor_id
            for step in self.history
            if step.action is _A.SHARE_PREPARATION and step.actor_id is not None
        )

    @property
    def has_been_held(self) -> bool:
        """Whether the conversation took place (held, reported or closed)."""
        return self.status in _DONE

    def role_of(self, person_id: str) -> Role | None:
        """The participant role of ``person_id``, or ``None`` when they take no part."""
        for participant in self.participants:
            if participant.person_id == person_id:
                return participant.role
        return None

    def notes_for(
        self,
        reader_id: str,
        *,
        kind: ConversationType | None = None,
        hr_office: Iterable[str] = (),
    ) -> tuple[Note, ...]:
        """The notes ``reader_id`` may read under the access policy: their own private
        notes, and the shared notes when their role may read them (for ``kind``'s
        sensitivity; normal when not given). This is the one way to read notes."""
        role = access.reader_role(self, reader_id, hr_office=hr_office)
        sensitivity = _sensitivity(kind)
        return tuple(
            note
            for note in self._notes
            if access.allowed(
                role,
                access.Content.PRIVATE_NOTE if note.private else access.Content.SHARED_NOTE,
                sensitivity,
                write=False,
                kind=kind,
                own=note.author_id == reader_id,
            )
        )

    def answers_for(
        self,
        reader_id: str,
        question_set: QuestionSet | None,
        *,
        kind: ConversationType | None = None,
        hr_office: Iterable[str] = (),
    ) -> tuple[Answer, ...]:
        """The answers ``reader_id`` may read under the access policy.

        ``question_set`` (the pinned one) tells preparation questions from joint ones; an
        answer whose question it does not know counts as a preparation answer, the stricter
        choice. The other side's preparation answers appear once the conversation is held
        or their author shared them.
        """
        role = access.reader_role(self, reader_id, hr_office=hr_office)
        sensitivity = _sensitivity(kind)
        shared = self.preparation_shared_by
        return tuple(
            answer
            for answer in self.answers
            if access.allowed(
                role,
                _answer_content(answer, reader_id, question_set),
                sensitivity,
                write=False,
                kind=kind,
                own=answer.author_id == reader_id,
                held=self.has_been_held or answer.author_id in shared,
            )
        )

    @property
    def held_on_instant(self) -> datetime | None:
        """When it took place: ``held_at``, else the instant of the ``hold`` command (for
        conversations stored before ``held_at`` was kept); ``None`` when never held."""
        if self.held_at is not None:
            return self.held_at
        for step in reversed(self.history):
            if step.action is _A.HOLD:
                return step.at
        return None

    def answers_by(self, author_id: str) -> Mapping[str, AnswerValue]:
        """The current answers of one author, by question key (a raw reading for the
        author themselves and for administration; readers get :meth:`answers_for`)."""
        return {a.question_key: a.value for a in self.answers if a.author_id == author_id}

    # --- commands -----------------------------------------------------------------------

    def schedule(self, starts_at: datetime, *, at: datetime) -> Conversation:
        """Fix the start time of a planned conversation."""
        self._require(_A.SCHEDULE, at)
        require_aware(starts_at, "starts_at")
        return self._step(_A.SCHEDULE, at, starts_at=starts_at, changes={"starts_at": starts_at})

    def reschedule(self, starts_at: datetime, *, reason: str, at: datetime) -> Conversation:
        """Move a scheduled conversation to a new time; ``sequence`` goes up by one."""
        self._require(_A.RESCHEDULE, at)
        require_aware(starts_at, "starts_at")
        require_reason(reason)
        if starts_at == self.starts_at:
            raise InvalidValueError("starts_at", f"the conversation is already at {starts_at}")
        return self._step(
            _A.RESCHEDULE,
            at,
            reason=reason,
            starts_at=starts_at,
            changes={"starts_at": starts_at, "sequence": self.sequence + 1},
        )

    def cancel(self, *, reason: str, at: datetime) -> Conversation:
        """Call off a conversation that has not taken place; final."""
        self._require(_A.CANCEL, at)
        require_reason(reason)
        return self._step(_A.CANCEL, at, reason=reason)

    def mark_missed(self, *, reason: str, at: datetime) -> Conversation:
        """Record that a conversation did not take place; final, and kept on file."""
        self._require(_A.MARK_MISSED, at)
        require_reason(reason)
        return self._step(_A.MARK_MISSED, at, reason=reason)

    def reinstate(
        self, *, reason: str, at: datetime, design_version: int | None = None
    ) -> Conversation:
        """Plan a cancelled conversation again (same id), recording a ``reinstate`` entry.

        Only the planner calls this, to undo a cancellation it made itself when a later
        design plans the conversation again; ``design_version`` then names that design.

        >>> from datetime import date, datetime, timezone
        >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
        >>> talk = Conversation.plan(id="c-1", type_key="check_in", employee_id="e-1",
        ...     manager_id=None, window=Window(date(2026, 3, 1), date(2026, 3, 2),
        ...     date(2026, 3, 9))).cancel(reason="type dropped", at=at)
        >>> back = talk.reinstate(reason="planned again", at=at, design_version=3)
        >>> back.status.value, back.design_version, back.history[-1].action.value
        ('planned', 3, 'reinstate')
        """
        require_aware(at)
        require_reason(reason)
        if self.status is not _S.CANCELLED:
            raise InvalidTransitionError(
                f"Conversation {self.id!r}",
                self.status.value,
                _A.REINSTATE.value,
                [a.value for a in self.allowed_actions()],
            )
        entry = Transition(
            action=_A.REINSTATE, from_status=self.status, to_status=_S.PLANNED, at=at, reason=reason
        )
        return attrs.evolve(
            self,
            status=_S.PLANNED,
            starts_at=None,
            history=(*self.history, entry),
            design_version=self.design_version if design_version is None else design_version,
        )

    def hold(self, *, at: datetime, held_at: datetime | None = None) -> Conversation:
        """Record that the scheduled conversation took place at ``held_at`` (by default
        ``at``, the instant of the command).

        ``held_at`` may not lie after ``at`` (the future) nor before the conversation was
        scheduled; a conversation scheduled after the fact may be held from the day it was
        scheduled for (in its time zone). Either raises
        :class:`~gesprekscyclus.errors.InvalidValueError`.
        """
        self._require(_A.HOLD, at)
        when = at if held_at is None else held_at
        require_aware(when, "held_at")
        if when > at:
            raise InvalidValueError(
                "held_at", f"{when.isoformat()} lies in the future (it is {at.isoformat()})"
            )
        scheduled = next((s.at for s in self.history if s.action is _A.SCHEDULE), None)
        if scheduled is not None and self.starts_at is not None:
            zone = ZoneInfo(self.time_zone)
            day = self.starts_at.astimezone(zone).date()
            if when < scheduled and when.astimezone(zone).date() < day:
                raise InvalidValueError(
                    "held_at",
                    f"{when.isoformat()} lies before {self.id!r} was scheduled "
                    f"({scheduled.isoformat()}) and before the day it was scheduled for "
                    f"({day.isoformat()})",
                )
        return self._step(_A.HOLD, at, changes={"held_at": when})

    def mark_reported(self, *, at: datetime) -> Conversation:
        """Record that the report of the held conversation has been written."""
        return self._step(_A.MARK_REPORTED, at)

    def close(self, *, at: datetime) -> Conversation:
        """Close a reported conversation (or a held one whose type has no report); final."""
        return self._step(_A.CLOSE, at)

    def record_answers(
        self,
        question_set: QuestionSet,
        author_id: str,
        answers: Mapping[str, AnswerValue],
        *,
        at: datetime,
        kind: ConversationType | None = None,
    ) -> Conversation:
        """Record ``author_id``'s answers, validated by ``question_set`` and pinned to its
        version. A later answer to the same question by the same author replaces the earlier.

        A preparation question is answered only by its audience: employee preparation by the
        employee, manager preparation by the side leading the conversation (anyone taking
        part but the employee). The access policy decides the rest (with ``kind``'s
        sensitivity); a refusal raises :class:`~gesprekscyclus.errors.AccessDeniedError`.
        """
        self._require(_A.RECORD_ANSWERS, at)
        self._only_participant(author_id, "record answers")
        role = access.reader_role(self, author_id)
        author_role = self.role_of(author_id)
        for key in answers:
            question = question_set.question(key) if key in question_set.keys else None
            audience = question.audience if question is not None else Audience.JOINT
            if audience is Audience.EMPLOYEE_PREPARATION and author_role is not Role.EMPLOYEE:
                raise AccessDeniedError(
                    f"answers.{key}.audience",
                    author_id,
                    "may not answer the employee's preparation question; only the employee does",
                )
            if audience is Audience.MANAGER_PREPARATION and author_role is Role.EMPLOYEE:
                raise AccessDeniedError(
                    f"answers.{key}.audience",
                    author_id,
                    "may not answer the leading side's "
                    "preparation question; only the side leading the conversation does",
                )
            content = (
                access.Content.JOINT_ANSWERS
                if audience is Audience.JOINT
                else access.Content.OWN_PREPARATION
            )
            access.require(
                role, content, _sensitivity(kind), reader=author_id, write=True, kind=kind
            )
        if self.question_set is not None and question_set.ref != self.question_set:
            raise ConflictError(
                f"Conversation.question_set: the answers of {self.id!r} are pinned to "
                f"{self.question_set}; answers for {question_set.ref} cannot be added"
            )
        if not answers:
            raise InvalidValueError("answers", "there is nothing to record")
        question_set.validate_answers(answers)
        new = [
            Answer(question_key=key, value=value, author_id=author_id, at=at)
            for key, value in answers.items()
        ]
        kept = tuple(
            a for a in self.answers if not (a.author_id == author_id and a.question_key in answers)
        )
        return self._step(
            _A.RECORD_ANSWERS,
            at,
            actor_id=author_id,
            changes={"question_set": question_set.ref, "answers": (*kept, *new)},
        )

    def add_note(
        self,
        author_id: str,
        text: str,
        *,
        private: bool,
        at: datetime,
        kind: ConversationType | None = None,
    ) -> Conversation:
        """Add a shared note, or a ``private`` one only its author will read.

        Private notes need a type that allows them (``kind.private_notes``); the access
        policy decides who may write shared ones.
        """
        self._require(_A.ADD_NOTE, at)
        self._only_participant(author_id, "add notes")
        access.require(
            access.reader_role(self, author_id),
            access.Content.PRIVATE_NOTE if private else access.Content.SHARED_NOTE,
            _sensitivity(kind),
            reader=author_id,
            write=True,
            kind=kind,
        )
        note = Note(author_id=author_id, text=text, private=private, at=at)
        return self._step(
            _A.ADD_NOTE, at, actor_id=author_id, changes={"notes": (*self._notes, note)}
        )

    def share_preparation(self, author_id: str, *, at: datetime) -> Conversation:
        """Let the other side read ``author_id``'s preparation answers before the
        conversation is held (from holding on, they read them anyway)."""
        self._require(_A.SHARE_PREPARATION, at)
        self._only_participant(author_id, "share preparation answers")
        if author_id in self.preparation_shared_by:
            raise ConflictError(
                f"Conversation.history: {author_id!r} already shared their preparation "
                f"answers on {self.id!r}"
            )
        return self._step(_A.SHARE_PREPARATION, at, actor_id=author_id)

    # --- internals ----------------------------------------------------------------------

    def _only_participant(self, person_id: str, what: str) -> None:
        if person_id not in self.participant_ids:
            raise AccessDeniedError(
                "Conversation.participants",
                person_id,
                f"does not take part in {self.id!r} and may not {what}",
            )

    def _require(self, action: ConversationAction, at: datetime) -> ConversationStatus:
        require_aware(at)
        allowed = self.allowed_actions()
        if action not in allowed:
            raise InvalidTransitionError(
                f"Conversation {self.id!r}",
                self.status.value,
                action.value,
                [a.value for a in allowed],
            )
        return CONVERSATION_TRANSITIONS[self.status][action]

    def _step(
        self,
        action: ConversationAction,
        at: datetime,
        *,
        reason: str | None = None,
        starts_at: datetime | None = None,
        actor_id: str | None = None,
        changes: Mapping[str, Any] | None = None,
    ) -> Conversation:
        target = self._require(action, at)
        entry = Transition(
            action=action,
            from_status=self.status,
            to_status=target,
            at=at,
            reason=reason,
            starts_at=starts_at,
            actor_id=actor_id,
        )
        return attrs.evolve(
            self, status=target, history=(*self.history, entry), **dict(changes or {})
        )
