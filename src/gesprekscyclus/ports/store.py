"""The store port: where people, events, conversations and the outbox live.

A :class:`Store` hands out units of work. Everything one command writes — the changed
aggregates *and* the notifications it wants sent — goes through one :class:`UnitOfWork` and
commits together or not at all::

    with store.unit_of_work() as uow:
        uow.people.upsert(anna)
        uow.outbox.enqueue([reminder], due_at=now)
    # committed here; an exception inside the block rolls everything back

Dispatching the outbox happens outside units of work, through the lease methods on the
:class:`Store` (each its own short transaction):

- :meth:`Store.claim_due` leases pending, due messages to one ``owner`` until
  ``now + lease_seconds``. A lease is held while ``now < lease_until``; from ``lease_until``
  on, any owner may claim the message again.
- :meth:`Store.mark_sent` / :meth:`Store.mark_failed` change a message only while the caller
  still holds an unexpired lease on it, and say so by returning ``True``. ``False`` means the
  lease was lost (it expired and someone else may have claimed it): the caller must log that.
  :meth:`Store.mark_sent_many` records a whole batch the same way, in one statement, and
  returns the ids it recorded, so that each lost one can be logged.
- Keys are idempotency keys: enqueuing a key that is already in the outbox (in any status) is
  a no-op, never an error.
- A message that no longer serves is ``expired``, never sent: :meth:`OutboxRepository.withdraw`
  expires the pending messages about a conversation or action item in the same unit of work
  as the change that made them pointless, and :meth:`Store.mark_expired` records a message
  whose moment passed (its notification's ``expires_at``) under the dispatcher's lease.
  ``last_error`` then says why. Expired messages are not dead letters: nothing went wrong.
- A stored payload that no longer decodes into a
  :class:`~gesprekscyclus.ports.notifier.Notification` never stalls the outbox:
  :meth:`Store.claim_due` turns such a message into a dead letter at once, with the reason,
  and claims the others; reading it elsewhere gives ``notification=None``.

Many processes may plan against one store at the same time. :meth:`UnitOfWork.lock` takes a
named lock for the rest of the transaction (the service takes :data:`PLANNER_LOCK` before it
reads what to plan), so planners run one at a time; the lock belongs to the transaction, so
a crashed holder cannot keep it. Inserts by stable id can also skip what exists
(``skip_existing``), so a repeated plan never stores a conversation twice.

Applications list records through the keyset-paged ``page`` queries of the conversation,
action item and report repositories, filtered by the values of
:mod:`gesprekscyclus.ports.queries`.

Every adapter passes the contract suite in :mod:`gesprekscyclus.testing.contract`. Adapters
translate their driver's errors into :class:`~gesprekscyclus.errors.StoreError` (the driver
error chained as ``__cause__``); a stale version is a :class:`~gesprekscyclus.errors.ConflictError`
and a missing object a :class:`~gesprekscyclus.errors.NotFoundError`. All datetimes passed in
must be timezone-aware; datetimes handed back are aware and in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from typing import NamedTuple, Protocol, runtime_checkable

from attrs import field, frozen

from gesprekscyclus.domain._checks import ClosedSet, non_blank, shown
from gesprekscyclus.domain.absence_records import AbsenceRecord
from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.new_conversations import NewConversation
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.reports import Report
from gesprekscyclus.domain.voice import VoiceAnswer
from gesprekscyclus.errors import ConflictError, InvalidValueError
from gesprekscyclus.ports.notifier import APPLICATION, Notification, Recipient, ReminderKind
from gesprekscyclus.ports.queries import (
    ActionItemQuery,
    ConversationKey,
    ConversationQuery,
    ReportQuery,
)

__all__ = [
    "DESIGN_FORMATS",
    "PLANNER_LOCK",
    "REDACTED",
    "AbsenceRecordRepository",
    "AccessLogEntry",
    "AccessLogRepository",
    "ActionItemRepository",
    "ConversationRepository",
    "ConversationState",
    "DesignRepository",
    "DesignVersion",
    "EventRepository",
    "OutboxMessage",
    "OutboxRepository",
    "OutboxStats",
    "OutboxStatus",
    "PastConversation",
    "PersonRepository",
    "ReportRepository",
    "StoppableWaits",
    "Store",
    "UnitOfWork",
    "Withdrawal",
    "aware_utc",
    "check_lock_name",
    "check_stream",
    "check_targets",
    "redacted",
    "start_version",
    "state_of",
    "version_conflict",
    "version_of",
]


#: The :meth:`UnitOfWork.lock` name that planning units of work take.
PLANNER_LOCK = "planner"


def check_lock_name(name: str) -> str:
    """``name`` if it is a usable lock name (text that is not blank).

    >>> check_lock_name("planner")
    'planner'
    >>> check_lock_name(" ")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: lock name: must be non-blank text, got ' '
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidValueError("lock name", f"must be non-blank text, got {shown(name)}")
    return name


_STREAM = re.compile(r"[a-z_]+/\S.*")
_TARGET = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def check_stream(stream: str) -> str:
    """``stream`` if it names an aggregate as ``<kind>/<id>``.

    >>> check_stream("conversation/c-1")
    'conversation/c-1'
    >>> check_stream("c-1")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: stream: must be <aggregate>/<id>, got 'c-1'
    """
    if not isinstance(stream, str) or _STREAM.fullmatch(stream) is None:
        raise InvalidValueError("stream", f"must be <aggregate>/<id>, got {shown(stream)}")
    return stream


def check_targets(targets: Iterable[str]) -> frozenset[str]:
    """``targets`` as a set of fan-out target names (letters, digits, ``_ . -``; at most 64).

    >>> sorted(check_targets(["mail", "webhook"]))
    ['mail', 'webhook']
    >>> check_targets(["a b"])
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: target: must be 1-64 letters, digits, _ . or -, ...
    """
    if isinstance(targets, str):
        raise InvalidValueError("targets", f"expected a list of names, got {shown(targets)}")
    names = frozenset(targets)
    for name in names:
        if not isinstance(name, str) or _TARGET.fullmatch(name) is None:
            raise InvalidValueError(
                "target", f"must be 1-64 letters, digits, _ . or -, got {shown(name)}"
            )
    return names


def aware_utc(value: datetime, path: str) -> datetime:
    """``value`` converted to UTC; naive datetimes are rejected, naming ``path``.

    >>> from datetime import timedelta, timezone
    >>> aware_utc(datetime(2026, 1, 5, 10, 0, tzinfo=timezone(timedelta(hours=1))), "due_at")
    datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.timezone.utc)
    """
    if not isinstance(value, datetime):
        raise InvalidValueError(path, f"must be a datetime, got {shown(value)}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValueError(path, "needs a time zone (an aware datetime)")
    return value.astimezone(UTC)


class OutboxStatus(ClosedSet):
    """Where an outbox message stands. A leased message is still ``pending``."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"
    EXPIRED = "expired"


def _utc(value: datetime) -> datetime:
    return aware_utc(value, "OutboxMessage.due_at")


def _optional_utc(value: datetime | None) -> datetime | None:
    return None if value is None else aware_utc(value, "OutboxMessage.lease_until")


def _target_set(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@frozen
class OutboxMessage:
    """One notification waiting in (or done with) the outbox.

    ``attempts`` counts the failed deliveries recorded so far; ``last_error`` is the reason of
    the latest one (for an expired message: why it no longer serves). ``lease_owner`` /
    ``lease_until`` are set while a dispatcher holds it. ``notification`` is ``None`` only
    when the stored payload can no longer be decoded (a dead letter once claimed, with the
    reason in ``last_error``); claims never return one. ``delivered`` names the targets of a
    fan-out notifier that already have the message (see :meth:`Store.mark_failed`), so that
    a retry goes only to the others.
    """

    id: int
    key: str = field(validator=non_blank)
    notification: Notification | None
    attempts: int
    due_at: datetime = field(converter=_utc)
    status: OutboxStatus = field(converter=OutboxStatus)
    last_error: str | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = field(default=None, converter=_optional_utc)
    delivered: frozenset[str] = field(default=frozenset(), converter=_target_set)

    def __attrs_post_init__(self) -> None:
        if self.notification is not None and self.key != self.notification.key:
            raise InvalidValueError(
                "OutboxMessage.key",
                f"{self.key!r} differs from the notification's key {self.notification.key!r}",
            )
        if isinstance(self.attempts, bool) or self.attempts < 0:
            raise InvalidValueError("OutboxMessage.attempts", "must be 0 or more")


#: The recipient id and name of a redacted notification.
REDACTED = "redacted"


def redacted(notification: Notification) -> Notification:
    """``notification`` with only its key, its kind and the recipient's role left: what a
    sent message keeps once its retention period is over.

    >>> from gesprekscyclus.ports.notifier import Recipient
    >>> note = Notification(key="k-1", kind="report_due",
    ...                     recipient=Recipient(id="m-1", name="Bob", role="manager"))
    >>> redacted(note).recipient
    Recipient(id='redacted', name='redacted', role=<Role.MANAGER: 'manager'>, \
locale=<Locale.NL: 'nl'>, email=None)
    """
    if notification.is_state_change:  # addressed to the application: its event goes
        return Notification(key=notification.key, kind=notification.kind, recipient=APPLICATION)
    return Notification(
        key=notification.key,
        kind=notification.kind,
        recipient=Recipient(id=REDACTED, name=REDACTED, role=notification.recipient.role),
    )


@frozen
class OutboxStats:
    """Counts per status; ``leased`` is the part of ``pending`` that some owner holds."""

    pending: int = 0
    leased: int = 0
    sent: int = 0
    dead: int = 0
    expired: int = 0


def _kinds(value: Iterable[ReminderKind | str]) -> frozenset[ReminderKind]:
    kinds = frozenset(ReminderKind(kind) for kind in value)
    if not kinds:
        raise InvalidValueError("Withdrawal.kinds", "name at least one reminder kind")
    return kinds


@frozen
class Withdrawal:
    """Which pending messages to withdraw: those about one conversation or one action item
    (exactly one of the two ids) whose kind is among ``kinds`` (and, with ``recipient_id``,
    only those to that person), and why.

    >>> from gesprekscyclus.testing.contract import make_notification
    >>> reminder = make_notification("k-1")  # a preparation reminder about c-1
    >>> Withdrawal(conversation_id="c-1", kinds=["preparation"], reason="held").selects(reminder)
    True
    >>> Withdrawal(conversation_id="c-1", kinds=["day_before"], reason="held").selects(reminder)
    False
    """

    kinds: frozenset[ReminderKind] = field(converter=_kinds)
    reason: str = field(validator=non_blank)
    conversation_id: str | None = field(default=None, validator=non_blank)
    action_item_id: str | None = field(default=None, validator=non_blank)
    recipient_id: str | None = field(default=None, validator=non_blank)

    def __attrs_post_init__(self) -> None:
        if (self.conversation_id is None) == (self.action_item_id is None):
            raise InvalidValueError(
                "Withdrawal", "name exactly one of conversation_id and action_item_id"
            )

    @property
    def id(self) -> str:
        """The conversation or action item id (adapters pre-filter payloads on it)."""
        found = self.conversation_id or self.action_item_id
        assert found is not None  # checked in __attrs_post_init__
        return found

    def selects(self, notification: Notification) -> bool:
        """Whether ``notification`` is one of the messages to withdraw."""
        if notification.kind not in self.kinds:
            return False
        if self.recipient_id is not None and notification.recipient.id != self.recipient_id:
            return False
        if self.conversation_id is not None:
            info = notification.conversation
            return info is not None and info.id == self.conversation_id
        item = notification.action_item
        return item is not None and item.id == self.action_item_id


#: The file formats a stored design's source text may have.
DESIGN_FORMATS = ("toml", "json")


def _design_format(instance: object, attribute: object, value: str) -> None:
    if value not in DESIGN_FORMATS:
        raise InvalidValueError(
            "DesignVersion.fmt", f"unknown format {value!r}", allowed=DESIGN_FORMATS
        )


def _design_number(instance: object, attribute: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(
            "DesignVersion.number", f"must be a whole number of at least 1, got {shown(value)}"
        )


def _applied_at(value: datetime) -> datetime:
    return aware_utc(value, "DesignVersion.applied_at")


@frozen
class DesignVersion:
    """One applied version of the cycle design, as the store keeps it.

    ``number`` counts the versions of one store from 1; ``source`` is the design file's text
    in ``fmt`` (``toml`` or ``json``) and ``fingerprint`` identifies its content (the same
    design gives the same fingerprint however the file is laid out).

    >>> version = DesignVersion(number=2, name="Voorbeeld", fingerprint="ab12cd34ef56aa",
    ...     source="...", fmt="toml", applied_by="hr-1",
    ...     applied_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    >>> version.label
    'version 2 (ab12cd34ef56)'
    """

    number: int = field(validator=_design_number)
    name: str = field(validator=non_blank)
    fingerprint: str = field(validator=non_blank)
    source: str = field(validator=non_blank)
    fmt: str = field(validator=_design_format)
    applied_by: str = field(validator=non_blank)
    applied_at: datetime = field(converter=_applied_at)

    @property
    def label(self) -> str:
        """How messages name this version: its number and the start of its fingerprint."""
        return f"version {self.number} ({self.fingerprint[:12]})"


@runtime_checkable
class DesignRepository(Protocol):
    """The applied versions of the cycle design, numbered from 1; the highest is current.

    Versions are never changed or removed once added, so every conversation can name the
    version that planned it.
    """

    def current(self) -> DesignVersion | None:
        """The version with the highest number, or ``None`` before the first is applied."""
        ...

    def get(self, number: int) -> DesignVersion:
        """One version; :class:`~gesprekscyclus.errors.NotFoundError` when unknown."""
        ...

    def add(self, version: DesignVersion) -> None:
        """Store a new version; :class:`~gesprekscyclus.errors.ConflictError` when its
        number is taken (someone applied a design meanwhile)."""
        ...

    def all(self) -> list[DesignVersion]:
        """Every version, by number."""
        ...


@frozen
class PastConversation:
    """The columns retention needs of a conversation that is no longer open."""

    id: str
    type_key: str
    employee_id: str
    target: date


class ConversationState(NamedTuple):
    """The columns a materialise run decides on for one stored conversation, so that it
    reads whole conversations only for those it changes (a tuple: there are many)."""

    id: str
    employee_id: str
    manager_id: str | None
    status: ConversationStatus
    earliest: date
    target: date
    latest: date


@runtime_checkable
class PersonRepository(Protocol):
    """People by id. ``upsert`` replaces a stored person with the same id."""

    def get(self, person_id: str) -> Person:
        """The person; :class:`~gesprekscyclus.errors.NotFoundError` when unknown."""
        ...

    def find(self, person_id: str) -> Person | None:
        """The person, or ``None`` when unknown."""
        ...

    def upsert(self, person: Person) -> None:
        """Insert ``person`` or replace the stored one with the same id."""
        ...

    def all(self) -> list[Person]:
        """Everyone, ordered by id."""
        ...

    def by_ids(self, person_ids: Iterable[str]) -> list[Person]:
        """The stored people among ``person_ids``, ordered by id; unknown ids are left out
        and repeated ones count once."""
        ...

    def delete(self, person_id: str) -> bool:
        """Remove the person; ``False`` when there was none."""
        ...

    def left_before(self, day: date) -> list[Person]:
        """The people whose ``end_date`` lies before ``day``, ordered by id."""
        ...


@runtime_checkable
class EventRepository(Protocol):
    """Life events. One event per (person, kind, day): appending it again is a no-op."""

    def append(self, event: LifeEvent) -> bool:
        """Store ``event``; ``False`` (and no change) when its (person, kind, on) exists."""
        ...

    def for_person(self, person_id: str) -> list[LifeEvent]:
        """The person's events, ordered by day, then kind."""
        ...

    def all(self) -> list[LifeEvent]:
        """Every event, ordered by day, person, then kind."""
        ...

    def delete_for_person(self, person_id: str) -> int:
        """Remove the person's events; returns how many there were."""
        ...

    def naming(self, person_id: str) -> list[LifeEvent]:
        """Other people's events that name ``person_id`` as the new manager (``detail``) or
        the one before (``previous``), by day, person, then kind."""
        ...

    def replace(self, event: LifeEvent) -> None:
        """Store ``event`` over the stored one with the same person, kind and day."""
        ...


@runtime_checkable
class AbsenceRecordRepository(Protocol):
    """Absence records (see :mod:`gesprekscyclus.domain.absence_records`), one per person,
    kind and day: putting one again replaces it."""

    def put(self, record: AbsenceRecord) -> bool:
        """Store ``record``; ``True`` when it is new, ``False`` when it replaced one."""
        ...

    def for_person(self, person_id: str) -> list[AbsenceRecord]:
        """The person's records, ordered by day, then kind."""
        ...

    def delete(self, record: AbsenceRecord) -> bool:
        """Remove the record with ``record``'s person, kind and day; ``False`` if none."""
        ...

    def delete_for_person(self, person_id: str) -> int:
        """Remove the person's records; returns how many there were."""
        ...

    def people(self) -> list[str]:
        """The ids of everyone with records, ordered."""
        ...


class VoiceAnswerRepository(Protocol):
    """The employee's checks after held conversations (see :mod:`gesprekscyclus.domain.voice`),
    at most one per conversation."""

    def add(self, answer: VoiceAnswer) -> None:
        """Store ``answer``; :class:`~gesprekscyclus.errors.ConflictError` when the
        conversation has one already."""
        ...

    def find(self, conversation_id: str) -> VoiceAnswer | None:
        """The answer given after ``conversation_id``, if any."""
        ...

    def all(self) -> list[VoiceAnswer]:
        """Every answer, ordered by time, then conversation."""
        ...

    def mentioning(self, person_id: str) -> list[VoiceAnswer]:
        """The answers the person gave or that name them as manager, ordered like :meth:`all`."""
        ...

    def delete(self, conversation_ids: Iterable[str]) -> int:
        """Remove the answers given after these conversations; returns how many there were."""
        ...

    def delete_for_person(self, person_id: str) -> int:
        """Remove the answers the person gave; returns how many there were."""
        ...

    def replace_manager(self, person_id: str, placeholder: str) -> int:
        """Name ``placeholder`` instead of ``person_id`` as the manager of every answer that
        names them; returns how many changed."""
        ...


def version_of(aggregate: Conversation | Report | ActionItem) -> int:
    """The optimistic-locking version of a conversation, report or action item: its number
    of history entries (every command adds exactly one)."""
    return len(aggregate.history)


def state_of(conversation: Conversation) -> ConversationState:
    """The :class:`ConversationState` of ``conversation``."""
    window = conversation.window
    return ConversationState(
        conversation.id,
        conversation.employee_id,
        conversation.manager_id,
        conversation.status,
        window.earliest,
        window.target,
        window.latest,
    )


def start_version(aggregate: Conversation | Report | ActionItem, given: int | None) -> int:
    """The version an update starts from: ``given``, or one command before ``aggregate``."""
    return version_of(aggregate) - 1 if given is None else given


def version_conflict(kind: str, key: str, expected: int, found: int) -> ConflictError:
    """The error for a stale update."""
    return ConflictError(
        f"{kind} {key!r} was changed meanwhile: expected version {expected}, found {found}"
    )


@runtime_checkable
class ConversationRepository(Protocol):
    """Conversations by id, with the queries planning and reminders need.

    "Open" means planned or scheduled. Updates are checked against a version
    (:func:`version_of`): ``update`` expects the stored copy to be the version the change
    started from and raises :class:`~gesprekscyclus.errors.ConflictError` otherwise.
    """

    def get(self, conversation_id: str) -> Conversation:
        """The conversation; :class:`~gesprekscyclus.errors.NotFoundError` when unknown."""
        ...

    def add_many(
        self, conversations: Iterable[Conversation], *, skip_existing: bool = False
    ) -> int:
        """Insert new conversations in bulk; returns how many were added.

        An id that exists already raises :class:`~gesprekscyclus.errors.ConflictError` (the
        whole unit of work should then roll back), or is skipped with ``skip_existing``.
        """
        ...

    def add_planned(self, new: Iterable[NewConversation], *, skip_existing: bool = False) -> int:
        """Store new planned conversations, as :meth:`add_many` of their
        :meth:`~gesprekscyclus.domain.new_conversations.NewConversation.conversation` would
        (the same rows, the same errors), without building each one."""
        ...

    def update(self, conversation: Conversation, *, expected_version: int | None = None) -> None:
        """Replace the stored conversation if its version is ``expected_version``.

        ``None`` means one command ago: ``version_of(conversation) - 1``.
        """
        ...

    def by_employee(self, employee_id: str) -> list[Conversation]:
        """The employee's conversations, ordered by target date, then id."""
        ...

    def by_manager(self, manager_id: str) -> list[Conversation]:
        """The conversations led by ``manager_id``, ordered by target date, then id."""
        ...

    def due(self, on_or_before: date) -> list[Conversation]:
        """Open conversations whose target date is ``on_or_before`` or earlier, by target."""
        ...

    def overdue(self, today: date) -> list[Conversation]:
        """Open conversations whose latest date lies before ``today``, by latest date."""
        ...

    def ids_for_person_type(self, employee_id: str, type_key: str) -> set[str]:
        """The ids of the employee's conversations of one type (for idempotent re-planning)."""
        ...

    def by_ids(self, conversation_ids: Iterable[str]) -> list[Conversation]:
        """The stored conversations among ``conversation_ids``, ordered by id; unknown ids
        are left out and repeated ones count once."""
        ...

    def scheduled_before(self, instant: datetime) -> list[Conversation]:
        """Scheduled conversations starting before the aware ``instant``, whatever their
        window; ordered by start, then id. (Together with :meth:`due` this finds every open
        conversation whose day has come, however far its time was moved.)"""
        ...

    def by_status(self, statuses: Iterable[ConversationStatus | str]) -> list[Conversation]:
        """Conversations in any of ``statuses``, ordered by target date, then id.

        Meant for the states few conversations stay in (``held``, ``reported``); adapters
        index ``held``, and the open states are better asked for with :meth:`due`. An
        unknown status raises :class:`~gesprekscyclus.errors.InvalidValueError`.
        """
        ...

    def ended_before(self, day: date) -> list[PastConversation]:
        """Conversations no longer open (held, reported, closed, cancelled, missed) whose
        target date lies before ``day``, by target, then id; only the columns retention
        needs, so that a purge does not build every past conversation."""
        ...

    def states(
        self, first: date, last: date, ids: Iterable[str] = ()
    ) -> dict[str, ConversationState]:
        """The :class:`ConversationState` by id of every conversation of a stored person
        (its employee) whose target date lies in ``[first, last]``, and of those among
        ``ids`` wherever their target lies; unknown ids are left out."""
        ...

    def mentioning(self, person_id: str) -> list[Conversation]:
        """Every conversation that names ``person_id`` anywhere (employee, manager,
        participant, author, actor), ordered by id (see
        :func:`~gesprekscyclus.domain.pseudonyms.mentions`)."""
        ...

    def delete(self, conversation_ids: Iterable[str]) -> int:
        """Remove the conversations with these ids; returns how many existed."""
        ...

    def page(
        self, query: ConversationQuery, *, after: ConversationKey | None = None, limit: int
    ) -> list[Conversation]:
        """Up to ``limit`` (1 to :data:`~gesprekscyclus.ports.queries.MAX_PAGE`)
        conversations ``query`` matches, ordered by target date, then id, starting after
        the ``(target, id)`` key ``after``."""
        ...


@runtime_checkable
class ActionItemRepository(Protocol):
    """Action items by id; versioned like conversations (see :func:`version_of`)."""

    def get(self, item_id: str) -> ActionItem:
        """The item; :class:`~gesprekscyclus.errors.NotFoundError` when unknown."""
        ...

    def add_many(self, items: Iterable[ActionItem], *, skip_existing: bool = False) -> int:
        """Insert new items; an existing id conflicts unless ``skip_existing``."""
        ...

    def update(self, item: ActionItem, *, expected_version: int | None = None) -> None:
        """Replace the stored item if its version is ``expected_version``."""
        ...

    def open_between(self, employee_id: str, manager_id: str | None) -> list[ActionItem]:
        """The open items of one employee-manager pair (for the next agenda), by id."""
        ...

    def for_owner(self, owner_id: str) -> list[ActionItem]:
        """Every item ``owner_id`` owns, by id."""
        ...

    def open_due_before(self, day: date) -> list[ActionItem]:
        """The open items whose due date lies before ``day``, by due date, then id (items
        without a due date are never included)."""
        ...

    def mentioning(self, person_id: str) -> list[ActionItem]:
        """Every item that names ``person_id`` anywhere, ordered by id."""
        ...

    def from_conversations(self, conversation_ids: Iterable[str]) -> list[ActionItem]:
        """The items agreed in these conversations (``origin_conversation_id``), by id."""
        ...

    def delete(self, item_ids: Iterable[str]) -> int:
        """Remove the items with these ids; returns how many existed."""
        ...

    def page(
        self, query: ActionItemQuery, *, after: str | None = None, limit: int
    ) -> list[ActionItem]:
        """Up to ``limit`` items ``query`` matches, by id, starting after the id ``after``."""
        ...


@runtime_checkable
class ReportRepository(Protocol):
    """Reports, one per conversation, keyed by ``conversation_id``; versioned like
    conversations (see :func:`version_of`)."""

    def get(self, conversation_id: str) -> Report:
        """The report; :class:`~gesprekscyclus.errors.NotFoundError` when there is none."""
        ...

    def find(self, conversation_id: str) -> Report | None:
        """The report, or ``None``."""
        ...

    def add(self, report: Report) -> None:
        """Store a new report; :class:`~gesprekscyclus.errors.ConflictError` if one exists."""
        ...

    def update(self, report: Report, *, expected_version: int | None = None) -> None:
        """Replace the stored report if its version is ``expected_version`` (see above)."""
        ...

    def for_employee(self, employee_id: str) -> list[Report]:
        """The employee's reports, ordered by conversation id."""
        ...

    def pending_sign_off(self) -> list[Report]:
        """Shared reports that need the employee's sign-off and do not have it yet (status
        ``shared`` with ``requires_sign_off``), ordered by conversation id."""
        ...

    def mentioning(self, person_id: str) -> list[Report]:
        """Every report that names ``person_id`` anywhere, ordered by conversation id."""
        ...

    def delete(self, conversation_ids: Iterable[str]) -> int:
        """Remove the reports of these conversations; returns how many existed."""
        ...

    def page(self, query: ReportQuery, *, after: str | None = None, limit: int) -> list[Report]:
        """Up to ``limit`` reports ``query`` matches, by conversation id, starting after the
        conversation id ``after``."""
        ...


@runtime_checkable
class OutboxRepository(Protocol):
    """The writing side of the outbox, inside a unit of work."""

    def enqueue(self, notifications: Iterable[Notification], *, due_at: datetime) -> int:
        """Add notifications due at ``due_at``; returns how many keys were new.

        A key that is already in the outbox, whatever its status, is skipped silently; so is
        a repeat within ``notifications``.
        """
        ...

    def by_key(self, key: str) -> OutboxMessage | None:
        """The message with ``key``, or ``None``."""
        ...

    def withdraw(self, about: Withdrawal) -> int:
        """Expire the pending messages ``about`` selects, with its reason; returns how many.

        Leased messages are withdrawn too (one already in a dispatcher's hands may still be
        delivered; its ``mark_sent`` then reports the lease lost). Messages whose payload
        cannot be read are left alone.
        """
        ...

    def mentioning(self, needles: Iterable[str]) -> list[OutboxMessage]:
        """Every message, in any status, whose notification names one of ``needles``
        (person, conversation or action item ids) anywhere, by id (redacted ones name no
        one)."""
        ...

    def delete(self, message_ids: Iterable[int]) -> int:
        """Remove these messages, whatever their status; returns how many existed."""
        ...

    def rewrite(self, message_id: int, notification: Notification) -> bool:
        """Replace the notification of a message, keeping its key, status and lease (the
        erasure of someone it mentions); ``False`` when there is no such message."""
        ...

    def redact_sent_before(self, instant: datetime) -> int:
        """Replace the notification of every message sent before the aware ``instant`` by
        :func:`redacted` (once); returns how many were redacted now. The rows stay, so their
        keys keep a reminder from being sent again."""
        ...

    def delete_dead_before(self, instant: datetime) -> int:
        """Remove dead letters that died before the aware ``instant`` (their ``due_at``);
        returns how many."""
        ...

    def next_sequence(self, stream: str) -> int:
        """The next sequence number of the state changes of ``stream`` (an aggregate,
        ``conversation/c-1``): 1 the first time, then one more on every call, counted in
        this unit of work (so a rolled-back change leaves no gap)."""
        ...

    def forget_sequences(self, streams: Iterable[str]) -> int:
        """Drop the sequence counters of ``streams`` (an erasure); returns how many
        existed. A stream counted again starts at 1 (with new event ids)."""
        ...


def _aware_at(value: datetime) -> datetime:
    return aware_utc(value, "AccessLogEntry.at")


@frozen
class AccessLogEntry:
    """One read of a confidential or health-related record: who read what, when.

    ``reader_id`` is the person who read (``"administration"`` for the administrative path),
    ``subject_id`` the employee the record is about, ``record_kind`` one of
    ``conversation``, ``report``, ``action_item`` and ``absence_record`` (whose
    ``record_id`` is its kind and day, ``sick_report/2026-03-02``), ``sensitivity`` the
    type's sensitivity (``health_related`` for absence records)
    and ``via`` the query that read it (``view`` or ``administration``).
    """

    at: datetime = field(converter=_aware_at)
    reader_id: str = field(validator=non_blank)
    subject_id: str = field(validator=non_blank)
    record_kind: str = field(validator=non_blank)
    record_id: str = field(validator=non_blank)
    sensitivity: str = field(validator=non_blank)
    via: str = field(default="view", validator=non_blank)


@runtime_checkable
class AccessLogRepository(Protocol):
    """The access log (AVG art. 5(2): an employer must be able to show who looked).

    Entries are only ever added, read, and deleted in bulk (by person for erasure, by age for
    retention); they are never changed.
    """

    def append(self, entries: Iterable[AccessLogEntry]) -> int:
        """Add entries; returns how many were added."""
        ...

    def about(self, subject_id: str) -> list[AccessLogEntry]:
        """The reads of ``subject_id``'s records, oldest first (then in order of adding)."""
        ...

    def by_reader(self, reader_id: str) -> list[AccessLogEntry]:
        """What ``reader_id`` read, oldest first (then in order of adding)."""
        ...

    def delete_for_person(self, person_id: str) -> int:
        """Delete every entry ``person_id`` read or is the subject of; returns the count."""
        ...

    def delete_before(self, instant: datetime) -> int:
        """Delete the entries older than the aware ``instant``; returns the count."""
        ...


@runtime_checkable
class UnitOfWork(Protocol):
    """The repositories of one transaction; see the module docstring."""

    @property
    def people(self) -> PersonRepository: ...

    @property
    def events(self) -> EventRepository: ...

    @property
    def conversations(self) -> ConversationRepository: ...

    @property
    def reports(self) -> ReportRepository: ...

    @property
    def action_items(self) -> ActionItemRepository: ...

    @property
    def absence_records(self) -> AbsenceRecordRepository: ...

    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def voice_answers(self) -> VoiceAnswerRepository: ...

    @property
    def access_log(self) -> AccessLogRepository: ...

    @property
    def designs(self) -> DesignRepository: ...

    def lock(self, name: str) -> None:
        """Hold the store-wide lock ``name`` until this unit of work ends.

        Another unit of work asking for the same name (in any process) waits until then. The
        lock ends with the transaction (commit, rollback, a dropped connection, a crashed
        process), so nobody can keep it. Take it before reading what the work depends on.
        A blank name raises :class:`~gesprekscyclus.errors.InvalidValueError`.
        """
        ...


@runtime_checkable
class Store(Protocol):
    """A place to keep the library's state; see the module docstring for the contract."""

    def unit_of_work(self) -> AbstractContextManager[UnitOfWork]:
        """A transaction: commits on a clean exit, rolls back when the block raises."""
        ...

    def close(self) -> None:
        """Release connections; the store must not be used afterwards."""
        ...

    def compact(self) -> None:
        """Make what units of work deleted unrecoverable from the store's own files, as far
        as the database allows (run after an erasure or a purge, outside units of work).

        SQLite overwrites freed content, checkpoints and truncates the write-ahead log and
        rebuilds the file; PostgreSQL runs ``VACUUM`` (see ``docs/privacy.md``); the memory
        store has nothing to do. Raises :class:`~gesprekscyclus.errors.StoreError` when it
        could not finish (another connection kept reading).
        """
        ...

    def claim_due(
        self, owner: str, *, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
        """Lease up to ``limit`` pending messages due at ``now`` to ``owner``, oldest first.

        Messages leased to someone else are skipped unless their lease has expired. The
        returned messages carry the new lease. A message whose payload cannot be decoded is
        not returned: it becomes a dead letter in the same transaction, its attempt counted
        and the decoding problem kept as ``last_error``.
        """
        ...

    def renew_lease(
        self, owner: str, ids: Sequence[int], *, now: datetime, lease_seconds: float
    ) -> int:
        """Extend ``owner``'s unexpired leases on ``ids`` to ``now + lease_seconds``.

        Returns how many were extended; the others were lost.
        """
        ...

    def mark_sent(self, owner: str, message_id: int, *, now: datetime) -> bool:
        """Record delivery, only while ``owner`` holds an unexpired lease on the message."""
        ...

    def mark_sent_many(self, owner: str, ids: Sequence[int], *, now: datetime) -> set[int]:
        """Record the delivery of ``ids`` in one guarded statement and one commit, each only
        while ``owner`` holds an unexpired lease on it; returns the ids recorded (the others
        were not held: their lease was lost, or they were never leased to ``owner``)."""
        ...

    def mark_failed(
        self,
        owner: str,
        message_id: int,
        *,
        now: datetime,
        error: str,
        retry_at: datetime | None,
        delivered: Iterable[str] | None = None,
    ) -> bool:
        """Record a failed delivery under ``owner``'s unexpired lease.

        Counts the attempt and keeps ``error``; the message becomes due again at ``retry_at``,
        or a dead letter when ``retry_at`` is ``None`` (its ``due_at`` then says when it died,
        so that its retention counts from that moment). ``delivered``, when given, names every
        target that has the message now (those of earlier attempts included) and becomes
        :attr:`OutboxMessage.delivered`; ``None`` keeps what is recorded.
        """
        ...

    def mark_expired(self, owner: str, message_id: int, *, now: datetime, reason: str) -> bool:
        """Record that a message no longer serves (``reason``), unsent, only while ``owner``
        holds an unexpired lease on it."""
        ...

    def release(self, owner: str, ids: Sequence[int]) -> int:
        """Give back ``owner``'s leases on ``ids`` unchanged; returns how many were held."""
        ...

    def dead_letters(self) -> list[OutboxMessage]:
        """The dead messages, oldest id first."""
        ...

    def replay(self, message_id: int, *, now: datetime) -> bool:
        """Make a dead letter pending again, due at ``now``, attempts reset.

        ``False`` when the message is not dead; :class:`~gesprekscyclus.errors.NotFoundError`
        when there is no such message.
        """
        ...

    def outbox_message(self, message_id: int) -> OutboxMessage:
        """One message by id; :class:`~gesprekscyclus.errors.NotFoundError` when unknown."""
        ...

    def outbox_stats(self) -> OutboxStats:
        """How many messages there are per status."""
        ...


@runtime_checkable
class StoppableWaits(Protocol):
    """A store whose waits for a lock can end early when its process is told to stop.

    The SQLite store is one: a writer there may wait up to its ``busy_timeout`` for another
    one, inside the driver, where a signal handler cannot run. The worker loop and
    :meth:`~gesprekscyclus.service.dispatch.Dispatcher.run_forever` hand such a store their
    stop signal while they run.
    """

    def stop_waiting_when(self, stop: Callable[[], bool] | None) -> None:
        """From now on, end a wait for a lock as soon as ``stop()`` is true, before the
        waiting operation has done anything, with :class:`~gesprekscyclus.errors.StoppedError`;
        ``None`` waits the whole timeout again. Recording what was already done (an outbox
        message sent, failed or expired) still waits the whole timeout."""
        ...
