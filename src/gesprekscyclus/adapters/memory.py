"""The in-memory store: for tests, notebooks and simulations.

Each unit of work works on a private copy of the state and swaps it in on commit, so a block
that raises leaves nothing behind. One lock serialises units of work and outbox calls, so
the store can be shared between threads (not between processes).

>>> from datetime import date
>>> from gesprekscyclus.domain.people import Person
>>> store = MemoryStore()
>>> with store.unit_of_work() as uow:
...     uow.people.upsert(Person(id="e-1", name="Anna", hire_date=date(2021, 3, 1)))
>>> with store.unit_of_work() as uow:
...     uow.people.get("e-1").name
'Anna'
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Generic, TypeVar

import attrs

from gesprekscyclus.domain._checks import shown
from gesprekscyclus.domain.absence_records import AbsenceRecord
from gesprekscyclus.domain.action_items import ActionItem, ActionItemStatus
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.new_conversations import NewConversation
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.pseudonyms import mentions
from gesprekscyclus.domain.reports import Report, ReportStatus
from gesprekscyclus.domain.voice import VoiceAnswer
from gesprekscyclus.errors import ConflictError, InvalidValueError, NotFoundError, StoreError
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.ports.queries import (
    ActionItemQuery,
    ConversationKey,
    ConversationQuery,
    ReportQuery,
    check_limit,
)
from gesprekscyclus.ports.store import (
    AccessLogEntry,
    ConversationState,
    DesignVersion,
    OutboxMessage,
    OutboxStats,
    OutboxStatus,
    PastConversation,
    Withdrawal,
    aware_utc,
    check_lock_name,
    check_stream,
    check_targets,
    redacted,
    start_version,
    state_of,
    version_conflict,
    version_of,
)

__all__ = ["MemoryStore", "MemoryUnitOfWork"]


class _State:
    """Everything the store holds; copied per unit of work (values are immutable)."""

    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self.events: dict[tuple[str, str, str], LifeEvent] = {}
        self.conversations: dict[str, Conversation] = {}
        self.reports: dict[str, Report] = {}
        self.action_items: dict[str, ActionItem] = {}
        self.absence_records: dict[tuple[str, str, str], AbsenceRecord] = {}
        self.outbox: dict[int, OutboxMessage] = {}
        self.outbox_keys: dict[str, int] = {}
        self.sent_at: dict[int, datetime] = {}
        self.redacted: set[int] = set()
        self.next_outbox_id = 1
        self.access_log: list[AccessLogEntry] = []
        self.designs: dict[int, DesignVersion] = {}
        self.voice_answers: dict[str, VoiceAnswer] = {}

        self.sequences: dict[str, int] = {}

    def copy(self) -> _State:
        clone = _State()
        clone.people = dict(self.people)
        clone.events = dict(self.events)
        clone.conversations = dict(self.conversations)
        clone.reports = dict(self.reports)
        clone.action_items = dict(self.action_items)
        clone.absence_records = dict(self.absence_records)
        clone.outbox = dict(self.outbox)
        clone.outbox_keys = dict(self.outbox_keys)
        clone.sent_at = dict(self.sent_at)
        clone.redacted = set(self.redacted)
        clone.next_outbox_id = self.next_outbox_id
        clone.access_log = list(self.access_log)
        clone.designs = dict(self.designs)
        clone.voice_answers = dict(self.voice_answers)

        clone.sequences = dict(self.sequences)
        return clone


class _People:
    def __init__(self, state: _State):
        self._state = state

    def get(self, person_id: str) -> Person:
        found = self._state.people.get(person_id)
        if found is None:
            raise NotFoundError("person", person_id)
        return found

    def find(self, person_id: str) -> Person | None:
        return self._state.people.get(person_id)

    def upsert(self, person: Person) -> None:
        self._state.people[person.id] = person

    def all(self) -> list[Person]:
        return [self._state.people[key] for key in sorted(self._state.people)]

    def by_ids(self, person_ids: Iterable[str]) -> list[Person]:
        people = self._state.people
        return [people[key] for key in sorted(set(person_ids)) if key in people]

    def delete(self, person_id: str) -> bool:
        return self._state.people.pop(person_id, None) is not None

    def left_before(self, day: date) -> list[Person]:
        return [p for p in self.all() if p.end_date is not None and p.end_date < day]


class _Events:
    def __init__(self, state: _State):
        self._state = state

    def append(self, event: LifeEvent) -> bool:
        key = (event.person_id, event.kind.value, event.on.isoformat())
        if key in self._state.events:
            return False
        self._state.events[key] = event
        return True

    def for_person(self, person_id: str) -> list[LifeEvent]:
        found = [e for e in self._state.events.values() if e.person_id == person_id]
        return sorted(found, key=lambda e: (e.on, e.kind.value))

    def all(self) -> list[LifeEvent]:
        return sorted(self._state.events.values(), key=lambda e: (e.on, e.person_id, e.kind.value))

    def delete_for_person(self, person_id: str) -> int:
        keys = [key for key in self._state.events if key[0] == person_id]
        for key in keys:
            del self._state.events[key]
        return len(keys)

    def naming(self, person_id: str) -> list[LifeEvent]:
        return [
            e
            for e in self.all()
            if person_id in (e.detail, e.previous) and e.person_id != person_id
        ]

    def replace(self, event: LifeEvent) -> None:
        self._state.events[(event.person_id, event.kind.value, event.on.isoformat())] = event


def _record_key(record: AbsenceRecord) -> tuple[str, str, str]:
    return (record.person_id, record.KIND, record.on.isoformat())


class _AbsenceRecords:
    def __init__(self, state: _State):
        self._state = state

    def put(self, record: AbsenceRecord) -> bool:
        key = _record_key(record)
        new = key not in self._state.absence_records
        self._state.absence_records[key] = record
        return new

    def for_person(self, person_id: str) -> list[AbsenceRecord]:
        records = self._state.absence_records
        keys = sorted((k for k in records if k[0] == person_id), key=lambda k: (k[2], k[1]))
        return [records[key] for key in keys]

    def delete(self, record: AbsenceRecord) -> bool:
        return self._state.absence_records.pop(_record_key(record), None) is not None

    def delete_for_person(self, person_id: str) -> int:
        keys = [key for key in self._state.absence_records if key[0] == person_id]
        for key in keys:
            del self._state.absence_records[key]
        return len(keys)

    def people(self) -> list[str]:
        return sorted({key[0] for key in self._state.absence_records})


class _VoiceAnswers:
    def __init__(self, state: _State):
        self._state = state

    def add(self, answer: VoiceAnswer) -> None:
        if answer.conversation_id in self._state.voice_answers:
            raise ConflictError(f"voice answer for {answer.conversation_id!r} exists already")
        self._state.voice_answers[answer.conversation_id] = answer

    def find(self, conversation_id: str) -> VoiceAnswer | None:
        return self._state.voice_answers.get(conversation_id)

    def all(self) -> list[VoiceAnswer]:
        return sorted(self._state.voice_answers.values(), key=lambda a: (a.at, a.conversation_id))

    def mentioning(self, person_id: str) -> list[VoiceAnswer]:
        return [a for a in self.all() if person_id in (a.employee_id, a.manager_id)]

    def delete(self, conversation_ids: Iterable[str]) -> int:
        answers = self._state.voice_answers
        return sum(answers.pop(key, None) is not None for key in set(conversation_ids))

    def delete_for_person(self, person_id: str) -> int:
        return self.delete(
            [k for k, a in self._state.voice_answers.items() if a.employee_id == person_id]
        )

    def replace_manager(self, person_id: str, placeholder: str) -> int:
        answers = self._state.voice_answers
        keys = [k for k, a in answers.items() if a.manager_id == person_id]
        for key in keys:
            answers[key] = attrs.evolve(answers[key], manager_id=placeholder)
        return len(keys)


_V = TypeVar("_V", bound=Conversation | Report | ActionItem)


class _Versioned(Generic[_V]):
    """One table of versioned aggregates by id: lookup, insert and version-checked update.

    ``kind`` names the aggregate in errors; ``taken`` is the conflict message, with ``{!r}``
    where the id goes; ``key`` the name of the id attribute.
    """

    def __init__(self, table: dict[str, _V], kind: str, taken: str, key: str = "id"):
        self._table = table
        self._kind = kind
        self._taken = taken
        self._key: Callable[[_V], str] = attrgetter(key)

    def get(self, key: str) -> _V:
        found = self._table.get(key)
        if found is None:
            raise NotFoundError(self._kind, key)
        return found

    def find(self, key: str) -> _V | None:
        return self._table.get(key)

    def add_many(self, values: Iterable[_V], *, skip_existing: bool = False) -> int:
        added = 0
        for value in values:
            key = self._key(value)
            if key in self._table:
                if skip_existing:
                    continue
                raise ConflictError(self._taken.format(key))
            self._table[key] = value
            added += 1
        return added

    def update(self, value: _V, *, expected_version: int | None = None) -> None:
        key = self._key(value)
        stored = self.get(key)
        expected = start_version(value, expected_version)
        if version_of(stored) != expected:
            raise version_conflict(self._kind, key, expected, version_of(stored))
        self._table[key] = value

    def mentioning(self, person_id: str) -> list[_V]:
        table = self._table
        return [table[key] for key in sorted(table) if mentions(table[key], person_id)]

    def delete(self, keys: Iterable[str]) -> int:
        return sum(self._table.pop(key, None) is not None for key in set(keys))


_OPEN = (ConversationStatus.PLANNED, ConversationStatus.SCHEDULED)


def _by_target(items: Iterable[Conversation]) -> list[Conversation]:
    return sorted(items, key=lambda c: (c.window.target, c.id))


class _Conversations(_Versioned[Conversation]):
    def __init__(self, state: _State):
        super().__init__(state.conversations, "conversation", "conversation {!r} exists already")
        self._state = state

    def by_employee(self, employee_id: str) -> list[Conversation]:
        values = self._state.conversations.values()
        return _by_target(c for c in values if c.employee_id == employee_id)

    def by_manager(self, manager_id: str) -> list[Conversation]:
        values = self._state.conversations.values()
        return _by_target(c for c in values if c.manager_id == manager_id)

    def due(self, on_or_before: date) -> list[Conversation]:
        values = self._state.conversations.values()
        return _by_target(
            c for c in values if c.status in _OPEN and c.window.target <= on_or_before
        )

    def overdue(self, today: date) -> list[Conversation]:
        values = self._state.conversations.values()
        return sorted(
            (c for c in values if c.status in _OPEN and c.window.latest < today),
            key=lambda c: (c.window.latest, c.id),
        )

    def ids_for_person_type(self, employee_id: str, type_key: str) -> set[str]:
        return {
            c.id
            for c in self._state.conversations.values()
            if c.employee_id == employee_id and c.type_key == type_key
        }

    def by_ids(self, conversation_ids: Iterable[str]) -> list[Conversation]:
        stored = self._state.conversations
        return [stored[key] for key in sorted(set(conversation_ids)) if key in stored]

    def scheduled_before(self, instant: datetime) -> list[Conversation]:
        limit = aware_utc(instant, "scheduled_before.instant")
        return sorted(
            (
                c
                for c in self._state.conversations.values()
                if c.status is ConversationStatus.SCHEDULED
                and c.starts_at is not None
                and c.starts_at < limit
            ),
            key=lambda c: (c.starts_at, c.id),
        )

    def ended_before(self, day: date) -> list[PastConversation]:
        values = self._state.conversations.values()
        return [
            PastConversation(c.id, c.type_key, c.employee_id, c.window.target)
            for c in _by_target(
                c for c in values if c.status not in _OPEN and c.window.target < day
            )
        ]

    def states(
        self, first: date, last: date, ids: Iterable[str] = ()
    ) -> dict[str, ConversationState]:
        stored, people = self._state.conversations, self._state.people
        found = {key: c for key, c in stored.items() if first <= c.window.target <= last}
        found.update((key, stored[key]) for key in ids if key in stored)
        return {key: state_of(c) for key, c in found.items() if c.employee_id in people}

    def add_planned(self, new: Iterable[NewConversation], *, skip_existing: bool = False) -> int:
        return self.add_many((n.conversation() for n in new), skip_existing=skip_existing)

    def by_status(self, statuses: Iterable[ConversationStatus | str]) -> list[Conversation]:
        wanted = {ConversationStatus(status) for status in statuses}
        values = self._state.conversations.values()
        return _by_target(c for c in values if c.status in wanted)

    def page(
        self, query: ConversationQuery, *, after: ConversationKey | None = None, limit: int
    ) -> list[Conversation]:
        check_limit(limit)
        found = _by_target(c for c in self._state.conversations.values() if query.matches(c))
        if after is not None:
            found = [c for c in found if (c.window.target, c.id) > after]
        return found[:limit]


class _Reports(_Versioned[Report]):
    def __init__(self, state: _State):
        super().__init__(
            state.reports, "report", "report for {!r} exists already", "conversation_id"
        )
        self._state = state

    def add(self, report: Report) -> None:
        self.add_many([report])

    def for_employee(self, employee_id: str) -> list[Report]:
        found = [r for r in self._state.reports.values() if r.employee_id == employee_id]
        return sorted(found, key=lambda r: r.conversation_id)

    def pending_sign_off(self) -> list[Report]:
        found = [
            r
            for r in self._state.reports.values()
            if r.status is ReportStatus.SHARED and r.requires_sign_off
        ]
        return sorted(found, key=lambda r: r.conversation_id)

    def page(self, query: ReportQuery, *, after: str | None = None, limit: int) -> list[Report]:
        check_limit(limit)
        talks = self._state.conversations
        found = sorted(
            (
                r
                for r in self._state.reports.values()
                if (after is None or r.conversation_id > after)
                and query.matches(r, talks.get(r.conversation_id))
            ),
            key=lambda r: r.conversation_id,
        )
        return found[:limit]


class _ActionItems(_Versioned[ActionItem]):
    def __init__(self, state: _State):
        super().__init__(state.action_items, "action item", "action item {!r} exists already")
        self._state = state

    def open_between(self, employee_id: str, manager_id: str | None) -> list[ActionItem]:
        return sorted(
            (
                i
                for i in self._state.action_items.values()
                if i.status is ActionItemStatus.OPEN
                and i.employee_id == employee_id
                and i.manager_id == manager_id
            ),
            key=lambda i: i.id,
        )

    def for_owner(self, owner_id: str) -> list[ActionItem]:
        found = [i for i in self._state.action_items.values() if i.owner_id == owner_id]
        return sorted(found, key=lambda i: i.id)

    def from_conversations(self, conversation_ids: Iterable[str]) -> list[ActionItem]:
        wanted = set(conversation_ids)
        found = [i for i in self._state.action_items.values() if i.origin_conversation_id in wanted]
        return sorted(found, key=lambda i: i.id)

    def open_due_before(self, day: date) -> list[ActionItem]:
        found = [
            i
            for i in self._state.action_items.values()
            if i.status is ActionItemStatus.OPEN and i.due is not None and i.due < day
        ]
        return sorted(found, key=lambda i: (i.due, i.id))

    def page(
        self, query: ActionItemQuery, *, after: str | None = None, limit: int
    ) -> list[ActionItem]:
        check_limit(limit)
        found = sorted(
            (
                i
                for i in self._state.action_items.values()
                if (after is None or i.id > after) and query.matches(i)
            ),
            key=lambda i: i.id,
        )
        return found[:limit]


class _Outbox:
    def __init__(self, state: _State):
        self._state = state

    def enqueue(self, notifications: Iterable[Notification], *, due_at: datetime) -> int:
        due = aware_utc(due_at, "outbox.enqueue.due_at")
        added = 0
        for notification in notifications:
            if notification.key in self._state.outbox_keys:
                continue
            message_id = self._state.next_outbox_id
            self._state.next_outbox_id += 1
            self._state.outbox[message_id] = OutboxMessage(
                id=message_id,
                key=notification.key,
                notification=notification,
                attempts=0,
                due_at=due,
                status=OutboxStatus.PENDING,
            )
            self._state.outbox_keys[notification.key] = message_id
            added += 1
        return added

    def by_key(self, key: str) -> OutboxMessage | None:
        message_id = self._state.outbox_keys.get(key)
        return None if message_id is None else self._state.outbox[message_id]

    def withdraw(self, about: Withdrawal) -> int:
        found = [
            message
            for message in self._state.outbox.values()
            if message.status is OutboxStatus.PENDING
            and message.notification is not None  # undecodable: a dead letter at its claim
            and about.selects(message.notification)
        ]
        for message in found:
            self._state.outbox[message.id] = attrs.evolve(
                message,
                status=OutboxStatus.EXPIRED,
                last_error=about.reason,
                lease_owner=None,
                lease_until=None,
            )
        return len(found)

    def mentioning(self, needles: Iterable[str]) -> list[OutboxMessage]:
        wanted = set(needles)
        outbox = self._state.outbox
        return [
            outbox[key]
            for key in sorted(outbox)
            if any(mentions(outbox[key].notification, needle) for needle in wanted)
        ]

    def delete(self, message_ids: Iterable[int]) -> int:
        removed = 0
        for message_id in set(message_ids):
            message = self._state.outbox.pop(message_id, None)
            if message is not None:
                del self._state.outbox_keys[message.key]
                self._state.sent_at.pop(message_id, None)
                self._state.redacted.discard(message_id)
                removed += 1
        return removed

    def rewrite(self, message_id: int, notification: Notification) -> bool:
        message = self._state.outbox.get(message_id)
        if message is None:
            return False
        self._state.outbox[message_id] = attrs.evolve(message, notification=notification)
        return True

    def redact_sent_before(self, instant: datetime) -> int:
        limit = aware_utc(instant, "redact_sent_before.instant")
        state = self._state
        due = [
            m
            for m in state.outbox.values()
            if m.status is OutboxStatus.SENT
            and m.id not in state.redacted
            and state.sent_at.get(m.id, m.due_at) < limit
        ]
        for message in due:
            if message.notification is None:  # nothing readable to keep: drop the payload
                continue
            self.rewrite(message.id, redacted(message.notification))
            state.redacted.add(message.id)
        return len(due)

    def delete_dead_before(self, instant: datetime) -> int:
        limit = aware_utc(instant, "delete_dead_before.instant")
        dead = [
            m.id
            for m in self._state.outbox.values()
            if m.status is OutboxStatus.DEAD and m.due_at < limit
        ]
        return self.delete(dead)

    def next_sequence(self, stream: str) -> int:
        number = self._state.sequences.get(check_stream(stream), 0) + 1
        self._state.sequences[stream] = number
        return number

    def forget_sequences(self, streams: Iterable[str]) -> int:
        return sum(self._state.sequences.pop(stream, None) is not None for stream in set(streams))


class _Designs:
    def __init__(self, state: _State):
        self._state = state

    def current(self) -> DesignVersion | None:
        designs = self._state.designs
        return designs[max(designs)] if designs else None

    def get(self, number: int) -> DesignVersion:
        found = self._state.designs.get(number)
        if found is None:
            raise NotFoundError("design version", str(number))
        return found

    def add(self, version: DesignVersion) -> None:
        if version.number in self._state.designs:
            raise ConflictError(f"design version {version.number} exists already")
        self._state.designs[version.number] = version

    def all(self) -> list[DesignVersion]:
        return [self._state.designs[number] for number in sorted(self._state.designs)]


class _AccessLog:
    def __init__(self, state: _State):
        self._state = state

    def append(self, entries: Iterable[AccessLogEntry]) -> int:
        new = list(entries)
        self._state.access_log.extend(new)
        return len(new)

    def _ordered(self, keep: Callable[[AccessLogEntry], bool]) -> list[AccessLogEntry]:
        # A stable sort keeps the order of adding among entries of the same instant.
        return sorted((e for e in self._state.access_log if keep(e)), key=attrgetter("at"))

    def about(self, subject_id: str) -> list[AccessLogEntry]:
        return self._ordered(lambda entry: entry.subject_id == subject_id)

    def by_reader(self, reader_id: str) -> list[AccessLogEntry]:
        return self._ordered(lambda entry: entry.reader_id == reader_id)

    def _delete(self, gone: Callable[[AccessLogEntry], bool]) -> int:
        before = len(self._state.access_log)
        self._state.access_log = [e for e in self._state.access_log if not gone(e)]
        return before - len(self._state.access_log)

    def delete_for_person(self, person_id: str) -> int:
        return self._delete(lambda e: person_id in (e.reader_id, e.subject_id))

    def delete_before(self, instant: datetime) -> int:
        cutoff = aware_utc(instant, "instant")
        return self._delete(lambda entry: entry.at < cutoff)


class MemoryUnitOfWork:
    """The repositories of one in-memory transaction."""

    def __init__(self, state: _State):
        self._state = state
        self.people: _People = _People(state)
        self.events: _Events = _Events(state)
        self.conversations: _Conversations = _Conversations(state)
        self.reports: _Reports = _Reports(state)
        self.action_items: _ActionItems = _ActionItems(state)
        self.absence_records: _AbsenceRecords = _AbsenceRecords(state)
        self.outbox: _Outbox = _Outbox(state)
        self.access_log: _AccessLog = _AccessLog(state)
        self.designs: _Designs = _Designs(state)
        self.voice_answers: _VoiceAnswers = _VoiceAnswers(state)

    def lock(self, name: str) -> None:
        """Nothing to take: the store runs one unit of work at a time already."""
        check_lock_name(name)


def _positive_lease(lease_seconds: float) -> timedelta:
    if isinstance(lease_seconds, bool) or not lease_seconds > 0:
        raise InvalidValueError("lease_seconds", f"must be above 0, got {shown(lease_seconds)}")
    return timedelta(seconds=lease_seconds)


class MemoryStore:
    """A :class:`~gesprekscyclus.ports.store.Store` kept in a dict; see the module docstring."""

    def __init__(self) -> None:
        self._state = _State()
        self._lock = threading.RLock()
        self._closed = False

    @contextmanager
    def unit_of_work(self) -> Iterator[MemoryUnitOfWork]:
        """A transaction on a private copy of the state; committed on a clean exit."""
        with self._lock:
            self._check_open()
            working = self._state.copy()
            yield MemoryUnitOfWork(working)
            self._state = working

    def close(self) -> None:
        """Mark the store closed; later calls raise :class:`StoreError`."""
        self._closed = True

    def compact(self) -> None:
        """Nothing to do: deleted values are gone once no one holds them."""
        self._check_open()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")

    # -- dispatch side ------------------------------------------------------------------------

    def _held(self, owner: str, message_id: int, now: datetime) -> OutboxMessage | None:
        message = self._state.outbox.get(message_id)
        if (
            message is None
            or message.status is not OutboxStatus.PENDING
            or message.lease_owner != owner
            or message.lease_until is None
            or message.lease_until <= now
        ):
            return None
        return message

    def _put(self, message: OutboxMessage) -> None:
        self._state.outbox[message.id] = message

    def claim_due(
        self, owner: str, *, now: datetime, limit: int, lease_seconds: float
    ) -> list[OutboxMessage]:
        """See :meth:`gesprekscyclus.ports.store.Store.claim_due`."""
        at = aware_utc(now, "claim_due.now")
        until = at + _positive_lease(lease_seconds)
        with self._lock:
            self._check_open()
            candidates = sorted(
                (
                    m
                    for m in self._state.outbox.values()
                    if m.status is OutboxStatus.PENDING
                    and m.due_at <= at
                    and (m.lease_until is None or m.lease_until <= at)
                ),
                key=lambda m: (m.due_at, m.id),
            )[: max(limit, 0)]
            claimed = [attrs.evolve(m, lease_owner=owner, lease_until=until) for m in candidates]
            for message in claimed:
                self._put(message)
            return claimed

    def renew_lease(
        self, owner: str, ids: Sequence[int], *, now: datetime, lease_seconds: float
    ) -> int:
        """See :meth:`gesprekscyclus.ports.store.Store.renew_lease`."""
        at = aware_utc(now, "renew_lease.now")
        until = at + _positive_lease(lease_seconds)
        renewed = 0
        with self._lock:
            self._check_open()
            for message_id in set(ids):
                held = self._held(owner, message_id, at)
                if held is not None:
                    self._put(attrs.evolve(held, lease_until=until))
                    renewed += 1
        return renewed

    def mark_sent(self, owner: str, message_id: int, *, now: datetime) -> bool:
        """See :meth:`gesprekscyclus.ports.store.Store.mark_sent`."""
        at = aware_utc(now, "mark_sent.now")
        with self._lock:
            self._check_open()
            held = self._held(owner, message_id, at)
            if held is None:
                return False
            self._put(
                attrs.evolve(held, status=OutboxStatus.SENT, lease_owner=None, lease_until=None)
            )
            self._state.sent_at[message_id] = at
            return True

    def mark_sent_many(self, owner: str, ids: Sequence[int], *, now: datetime) -> set[int]:
        """See :meth:`gesprekscyclus.ports.store.Store.mark_sent_many`."""
        at = aware_utc(now, "mark_sent_many.now")
        marked: set[int] = set()
        with self._lock:
            self._check_open()
            for message_id in set(ids):
                held = self._held(owner, message_id, at)
                if held is not None:
                    self._put(
                        attrs.evolve(
                            held, status=OutboxStatus.SENT, lease_owner=None, lease_until=None
                        )
                    )
                    self._state.sent_at[message_id] = at
                    marked.add(message_id)
        return marked

    def mark_expired(self, owner: str, message_id: int, *, now: datetime, reason: str) -> bool:
        """See :meth:`gesprekscyclus.ports.store.Store.mark_expired`."""
        at = aware_utc(now, "mark_expired.now")
        with self._lock:
            self._check_open()
            held = self._held(owner, message_id, at)
            if held is None:
                return False
            self._put(
                attrs.evolve(
                    held,
                    status=OutboxStatus.EXPIRED,
                    last_error=reason,
                    lease_owner=None,
                    lease_until=None,
                )
            )
            return True

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
        """See :meth:`gesprekscyclus.ports.store.Store.mark_failed`."""
        at = aware_utc(now, "mark_failed.now")
        retry = None if retry_at is None else aware_utc(retry_at, "mark_failed.retry_at")
        targets = None if delivered is None else check_targets(delivered)
        with self._lock:
            self._check_open()
            held = self._held(owner, message_id, at)
            if held is None:
                return False
            self._put(
                attrs.evolve(
                    held,
                    attempts=held.attempts + 1,
                    last_error=error,
                    status=OutboxStatus.DEAD if retry is None else OutboxStatus.PENDING,
                    due_at=at if retry is None else retry,  # a dead letter: when it died
                    lease_owner=None,
                    lease_until=None,
                    delivered=held.delivered if targets is None else targets,
                )
            )
            return True

    def release(self, owner: str, ids: Sequence[int]) -> int:
        """See :meth:`gesprekscyclus.ports.store.Store.release`."""
        released = 0
        with self._lock:
            self._check_open()
            for message_id in set(ids):
                message = self._state.outbox.get(message_id)
                if (
                    message is not None
                    and message.status is OutboxStatus.PENDING
                    and message.lease_owner == owner
                ):
                    self._put(attrs.evolve(message, lease_owner=None, lease_until=None))
                    released += 1
        return released

    def dead_letters(self) -> list[OutboxMessage]:
        """See :meth:`gesprekscyclus.ports.store.Store.dead_letters`."""
        with self._lock:
            self._check_open()
            return sorted(
                (m for m in self._state.outbox.values() if m.status is OutboxStatus.DEAD),
                key=lambda m: m.id,
            )

    def replay(self, message_id: int, *, now: datetime) -> bool:
        """See :meth:`gesprekscyclus.ports.store.Store.replay`."""
        at = aware_utc(now, "replay.now")
        with self._lock:
            self._check_open()
            message = self._state.outbox.get(message_id)
            if message is None:
                raise NotFoundError("outbox message", message_id)
            if message.status is not OutboxStatus.DEAD:
                return False
            self._put(attrs.evolve(message, status=OutboxStatus.PENDING, due_at=at, attempts=0))
            return True

    def outbox_message(self, message_id: int) -> OutboxMessage:
        """See :meth:`gesprekscyclus.ports.store.Store.outbox_message`."""
        with self._lock:
            self._check_open()
            message = self._state.outbox.get(message_id)
            if message is None:
                raise NotFoundError("outbox message", message_id)
            return message

    def outbox_stats(self) -> OutboxStats:
        """See :meth:`gesprekscyclus.ports.store.Store.outbox_stats`."""
        counts = dict.fromkeys(OutboxStatus, 0)
        leased = 0
        with self._lock:
            self._check_open()
            for message in self._state.outbox.values():
                counts[message.status] += 1
                if message.status is OutboxStatus.PENDING and message.lease_owner is not None:
                    leased += 1
        return OutboxStats(
            pending=counts[OutboxStatus.PENDING],
            leased=leased,
            sent=counts[OutboxStatus.SENT],
            dead=counts[OutboxStatus.DEAD],
            expired=counts[OutboxStatus.EXPIRED],
        )
