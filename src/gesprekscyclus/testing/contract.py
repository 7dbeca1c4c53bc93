"""The contract every store adapter must pass, shipped so third-party adapters can run it.

Subclass :class:`StoreContract` in a test module and provide a ``store_factory`` fixture that
returns a callable creating a new, empty store (pytest collects the inherited tests)::

    import pytest
    from gesprekscyclus.testing.contract import StoreContract

    @pytest.fixture(params=["memory", "sqlite"])
    def store_factory(request, tmp_path):
        if request.param == "memory":
            return MemoryStore
        return lambda: open_sqlite_store(tmp_path / "store.db")

    class TestMyStores(StoreContract):
        pass

Only pytest is needed. Each test makes one store with the factory and closes it afterwards.
Times are passed explicitly; no test sleeps (the lock tests wait, boundedly, for a thread).

A store that keeps payloads as text can also show that a damaged one never stalls the
outbox: override the ``corrupt_payload`` fixture with a function ``(store, message_id,
payload)`` that overwrites the stored payload of one message (the default skips those tests).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import attrs
import pytest

from gesprekscyclus.domain.absence_records import (
    FunctionalCapacity,
    OccupationalHealthAdvice,
    SickReportRecord,
)
from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.conversations import (
    Conversation,
    ConversationStatus,
    Participant,
    Window,
)
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.new_conversations import NewConversations, PlannedKind
from gesprekscyclus.domain.people import Person, Role
from gesprekscyclus.domain.reports import Report
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.domain.voice import VoiceAnswer
from gesprekscyclus.errors import ConflictError, InvalidValueError, NotFoundError
from gesprekscyclus.ports.notifier import (
    ActionItemInfo,
    ConversationInfo,
    Notification,
    Recipient,
    ReminderKind,
)
from gesprekscyclus.ports.queries import MAX_PAGE, ActionItemQuery, ConversationQuery, ReportQuery
from gesprekscyclus.ports.store import (
    AccessLogEntry,
    ConversationState,
    DesignVersion,
    OutboxMessage,
    OutboxStats,
    OutboxStatus,
    PastConversation,
    Store,
    UnitOfWork,
    Withdrawal,
    redacted,
    state_of,
    version_of,
)
from gesprekscyclus.serialization import dumps

__all__ = ["HOSTILE_TEXTS", "T0", "CorruptPayload", "StoreContract", "make_notification"]

#: Overwrites the stored payload of one outbox message: ``(store, message_id, payload)``.
CorruptPayload = Callable[[Store, int, str], None]

#: Payloads a store may meet that no longer decode (its own key is ``k-2``).
BAD_PAYLOADS = (
    "{not json",
    '{"schema_version": 99, "type": "Notification", "data": {}}',
    '{"schema_version": 1, "type": "Notification", "data": {"key": "k-2"}}',
    "[]",
)

#: The instant the contract's scenarios start at.
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

#: Text that has broken stores before: quotes, SQL, NUL-free control characters, scripts.
HOSTILE_TEXTS = (
    'O\'Brien "Bob"',
    "Robert'); DROP TABLE outbox;--",
    "a; b; c -- d /* e */",
    "Zoë Ångström — 日本語 — עברית — 🙂",
    "line\nbreak\ttab\r\n",
    "%s %(name)s {0} ? :name $1",
    "x" * 20_000,
)

#: Text at the edge of what the domain accepts (everything but NUL and lone surrogates):
#: every store must hold it unchanged, so the domain's check is the only one that matters.
EDGE_TEXTS = (
    "\x01\x1f\x7f\x85\x9f",  # control characters other than NUL
    "\u2028\u2029\ufeff\u200b",  # separators, byte-order mark, zero-width space
    "\ufffe\uffff\U0010ffff",  # noncharacters and the last code point
    "e\u0301 \U0001f469\u200d\U0001f4bb",  # a combining accent, a joined emoji
    "\\x00 \\ud800 %00",  # the names of the refused characters, as plain text
)


class _CrashError(Exception):
    """Raised inside a unit of work to force a rollback."""


def _write_then_crash(store: Store, write: Callable[[UnitOfWork], object]) -> None:
    """Run ``write`` in a unit of work and fail before it can commit."""
    with store.unit_of_work() as uow:
        write(uow)
        raise _CrashError


def make_notification(key: str, *, name: str = "Anna de Vries") -> Notification:
    """A notification with every part filled in, for store tests."""
    recipient = Recipient(id="e-1", name=name, role=Role.EMPLOYEE, email="anna@example.org")
    return Notification(
        key=key,
        kind=ReminderKind.PREPARATION,
        recipient=recipient,
        conversation=ConversationInfo(
            id="c-1",
            type_key="growth_review",
            type_label=LocalizedText(nl="Groeigesprek", en="Growth review"),
            employee_id="e-1",
            employee_name=name,
            manager_id="m-1",
            manager_name="Mo",
            on=date(2026, 2, 3),
            starts_at=datetime(2026, 2, 3, 9, 30, tzinfo=UTC),
            participants=(recipient,),
        ),
        action_item=ActionItemInfo(id="a-1", title=name, owner_id="e-1", due=None),
        questions=(name, "Wat ging goed?"),
    )


def _person(person_id: str, name: str = "Anna") -> Person:
    return Person(id=person_id, name=name, hire_date=date(2021, 3, 1))


class StoreContract:
    """The store contract as pytest tests; needs a ``store_factory`` fixture (see above)."""

    @pytest.fixture
    def store(self, store_factory: Callable[[], Store]) -> Iterator[Store]:
        """A fresh store from the adapter's factory, closed after the test."""
        store = store_factory()
        yield store
        store.close()

    @pytest.fixture
    def corrupt_payload(self) -> CorruptPayload | None:
        """How to damage a stored payload; ``None`` (skip) for stores of decoded objects."""
        return None

    def _enqueue(self, store: Store, *keys: str, due_at: datetime = T0) -> None:
        with store.unit_of_work() as uow:
            uow.outbox.enqueue([make_notification(key) for key in keys], due_at=due_at)

    # -- units of work ------------------------------------------------------------------------

    def test_satisfies_the_protocol(self, store: Store) -> None:
        assert isinstance(store, Store)

    def test_commit_makes_writes_visible(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.people.upsert(_person("e-1"))
        with store.unit_of_work() as uow:
            assert uow.people.get("e-1") == _person("e-1")

    def test_exception_rolls_back_every_write_of_the_unit(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.people.upsert(_person("e-0"))

        def write(uow: UnitOfWork) -> None:
            uow.people.upsert(_person("e-1"))
            uow.people.upsert(_person("e-0", "Changed"))
            uow.events.append(LifeEvent(on=date(2026, 1, 5), person_id="e-1", kind="hired"))
            uow.outbox.enqueue([make_notification("k-1")], due_at=T0)

        with pytest.raises(_CrashError):
            _write_then_crash(store, write)
        with store.unit_of_work() as uow:
            assert uow.people.find("e-1") is None
            assert uow.people.get("e-0").name == "Anna"
            assert uow.events.for_person("e-1") == []
            assert uow.outbox.by_key("k-1") is None
        assert store.outbox_stats() == OutboxStats()

    def test_the_store_is_usable_after_a_rollback(self, store: Store) -> None:
        with pytest.raises(_CrashError):
            _write_then_crash(store, lambda uow: uow.people.upsert(_person("e-1")))
        self._enqueue(store, "k-1")
        assert store.outbox_stats().pending == 1

    # -- people and events --------------------------------------------------------------------

    def test_people_upsert_replaces_and_lists_by_id(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.people.upsert(_person("e-2"))
            uow.people.upsert(_person("e-1"))
            uow.people.upsert(_person("e-2", "Bram"))
        with store.unit_of_work() as uow:
            assert [p.id for p in uow.people.all()] == ["e-1", "e-2"]
            assert uow.people.get("e-2").name == "Bram"

    def test_unknown_person_is_not_found(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            assert uow.people.find("nobody") is None
            with pytest.raises(NotFoundError, match="nobody"):
                uow.people.get("nobody")

    def test_events_are_idempotent_per_person_kind_and_day(self, store: Store) -> None:
        first = LifeEvent(on=date(2026, 3, 2), person_id="e-1", kind=LifeEventKind.SICK_REPORT)
        again = LifeEvent(on=date(2026, 3, 2), person_id="e-1", kind=LifeEventKind.SICK_REPORT)
        earlier = LifeEvent(on=date(2025, 1, 1), person_id="e-1", kind=LifeEventKind.HIRED)
        other = LifeEvent(on=date(2025, 6, 1), person_id="e-2", kind=LifeEventKind.HIRED)
        with store.unit_of_work() as uow:
            assert uow.events.append(first) is True
            assert uow.events.append(again) is False
            assert uow.events.append(earlier) is True
        with store.unit_of_work() as uow:
            assert uow.events.append(first) is False
            assert uow.events.append(other) is True
        with store.unit_of_work() as uow:
            assert uow.events.for_person("e-1") == [earlier, first]
            assert uow.events.all() == [earlier, other, first]

    @pytest.mark.parametrize("text", HOSTILE_TEXTS)
    def test_hostile_text_round_trips(self, store: Store, text: str) -> None:
        person = Person(id=text[:200], name=text, hire_date=date(2020, 1, 1), team=text)
        notification = make_notification(text[:300], name=text)
        with store.unit_of_work() as uow:
            uow.people.upsert(person)
            uow.outbox.enqueue([notification], due_at=T0)
        with store.unit_of_work() as uow:
            assert uow.people.get(person.id) == person
            stored = uow.outbox.by_key(notification.key)
        assert stored is not None
        assert stored.notification == notification

    @pytest.mark.parametrize("text", EDGE_TEXTS)
    def test_every_text_the_domain_accepts_round_trips(self, store: Store, text: str) -> None:
        person = Person(id=text, name=text, hire_date=date(2020, 1, 1), team=text)
        notification = make_notification(text, name=text)
        with store.unit_of_work() as uow:
            uow.people.upsert(person)
            uow.outbox.enqueue([notification], due_at=T0)
        with store.unit_of_work() as uow:
            assert uow.people.get(text) == person
            assert [found.id for found in uow.people.by_ids([text, "missing"])] == [text]
            stored = uow.outbox.by_key(text)
        assert stored is not None
        assert stored.notification == notification

    @pytest.mark.parametrize("text", ["e\x00", "e\udc80", "\ud800"])
    def test_a_lookup_with_text_no_value_can_hold_finds_nothing(
        self, store: Store, text: str
    ) -> None:
        with store.unit_of_work() as uow:
            uow.people.upsert(_person("e"))
            uow.outbox.enqueue([make_notification("k-1")], due_at=T0)
        with store.unit_of_work() as uow:
            assert uow.people.find(text) is None
            with pytest.raises(NotFoundError):
                uow.people.get(text)
            assert [person.id for person in uow.people.by_ids([text, "e"])] == ["e"]
            assert uow.events.for_person(text) == []
            assert uow.conversations.by_employee(text) == []
            assert uow.conversations.by_ids([text]) == []
            with pytest.raises(NotFoundError):
                uow.conversations.get(text)
            assert uow.reports.find(text) is None
            with pytest.raises(NotFoundError):
                uow.action_items.get(text)
            assert uow.outbox.by_key(text) is None

    # -- outbox: writing ----------------------------------------------------------------------

    def test_enqueue_is_idempotent_on_the_key(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            added = uow.outbox.enqueue(
                [make_notification("k-1"), make_notification("k-1"), make_notification("k-2")],
                due_at=T0,
            )
            assert added == 2
        with store.unit_of_work() as uow:
            assert uow.outbox.enqueue([make_notification("k-1")], due_at=T0 + timedelta(1)) == 0
        stats = store.outbox_stats()
        assert stats == OutboxStats(pending=2)

    def test_enqueue_of_a_sent_key_stays_sent(self, store: Store) -> None:
        self._enqueue(store, "k-1")
        (message,) = store.claim_due("w1", now=T0, limit=10, lease_seconds=30)
        assert store.mark_sent("w1", message.id, now=T0)
        self._enqueue(store, "k-1")
        assert store.outbox_message(message.id).status is OutboxStatus.SENT
        assert store.claim_due("w1", now=T0 + timedelta(hours=1), limit=10, lease_seconds=30) == []

    def test_enqueued_message_reads_back_whole(self, store: Store) -> None:
        due = datetime(2026, 1, 5, 10, 30, 15, 123456, tzinfo=UTC)
        self._enqueue(store, "k-1", due_at=due)
        with store.unit_of_work() as uow:
            message = uow.outbox.by_key("k-1")
        assert message is not None
        assert message == OutboxMessage(
            id=message.id,
            key="k-1",
            notification=make_notification("k-1"),
            attempts=0,
            due_at=due,
            status=OutboxStatus.PENDING,
        )
        assert message.due_at.tzinfo is not None
        assert store.outbox_message(message.id) == message

    def test_enqueue_needs_an_aware_due_time(self, store: Store) -> None:
        with pytest.raises(InvalidValueError, match="due_at"), store.unit_of_work() as uow:
            uow.outbox.enqueue([make_notification("k-1")], due_at=datetime(2026, 1, 5))

    def test_unknown_message_is_not_found(self, store: Store) -> None:
        with pytest.raises(NotFoundError):
            store.outbox_message(987654)

    # -- outbox: claims and leases ------------------------------------------------------------

    def test_claim_takes_due_messages_oldest_first_up_to_the_limit(self, store: Store) -> None:
        self._enqueue(store, "late", due_at=T0 + timedelta(minutes=5))
        self._enqueue(store, "b", due_at=T0 - timedelta(minutes=1))
        self._enqueue(store, "a", due_at=T0 - timedelta(minutes=2))
        self._enqueue(store, "c", due_at=T0)
        claimed = store.claim_due("w1", now=T0, limit=2, lease_seconds=30)
        assert [m.key for m in claimed] == ["a", "b"]
        assert all(m.lease_owner == "w1" for m in claimed)
        assert all(m.lease_until == T0 + timedelta(seconds=30) for m in claimed)
        rest = store.claim_due("w1", now=T0, limit=10, lease_seconds=30)
        assert [m.key for m in rest] == ["c"]
        assert store.outbox_stats() == OutboxStats(pending=4, leased=3)

    def test_a_held_lease_blocks_others_until_it_expires(self, store: Store) -> None:
        self._enqueue(store, "k-1")
        (mine,) = store.claim_due("w1", now=T0, limit=10, lease_seconds=30)
        assert (
            store.claim_due("w2", now=T0 + timedelta(seconds=29), limit=10, lease_seconds=30) == []
        )
        expiry = T0 + timedelta(seconds=30)
        (theirs,) = store.claim_due("w2", now=expiry, limit=10, lease_seconds=30)
        assert theirs.id == mine.id
        assert theirs.lease_owner == "w2"
        assert not store.mark_sent("w1", mine.id, now=expiry)
        assert store.mark_sent("w2", mine.id, now=expiry)

    def test_mark_sent_needs_an_unexpired_lease_of_the_owner(self, store: Store) -> None:
        self._enqueue(store, "k-1", "k-2")
        first, second = store.claim_due("w1", now=T0, limit=10, lease_seconds=30)
        assert not store.mark_sent("w2", first.id, now=T0)
        assert not store.mark_sent("w1", first.id, now=T0 + timedelta(seconds=30))
        assert store.mark_sent("w1", second.id, now=T0 + timedelta(seconds=29))
        assert not store.mark_sent("w1", second.id, now=T0 + timedelta(seconds=29))
        sent = store.outbox_message(second.id)
        assert sent.status is OutboxStatus.SENT
        assert sent.lease_owner is None
        assert not store.mark_sent("w1", 987654, now=T0)

    def test_mark_sent_many_records_the_held_part_of_a_batch(self, store: Store) -> None:
        self._enqueue(store, "k-1", "k-2", "k-3", "k-4")
        (a,) = store.claim_due("w1", now=T0, limit=1, lease_seconds=10)
        (b,) = store.claim_due("w1", now=T0, limit=1, lease_seconds=60)
        (c,) = store.claim_due("w2", now=T0, limit=1, lease_seconds=60)
        later = T0 + timedelta(seconds=10)
        (taken,) = store.claim_due("w3", now=later, limit=1, lease_seconds=60)
        assert taken.id == a.id  # w1 lost the lease on a to w3
        assert store.mark_sent_many("w1", [a.id, b.id, c.id, 987654], now=later) == {b.id}
        assert store.outbox_message(a.id).lease_owner == "w3"
        assert store.outbox_message(c.id).lease_owner == "w2"
        message = store.outbox_message(b.id)
        assert (message.status, message.lease_owner) == (OutboxStatus.SENT, None)
        # recorded once: a second try finds nothing held
        assert store.mark_sent_many("w1", [b.id], now=later) == set()
        assert store.mark_sent_many("w2", [c.id, c.id], now=T0 + timedelta(seconds=60)) == set()
        assert store.mark_sent_many("w2", [c.id, c.id], now=later) == {c.id}
        assert store.mark_sent_many("w3", [], now=later) == set()
        assert store.outbox_stats() == OutboxStats(pending=2, leased=1, sent=2)

    def test_mark_sent_many_is_one_commit_for_a_large_batch(self, store: Store) -> None:
        keys = [f"k-{n}" for n in range(1200)]
        self._enqueue(store, *keys)
        claimed = store.claim_due("w1", now=T0, limit=2000, lease_seconds=30)
        ids = [m.id for m in claimed]
        assert store.mark_sent_many("w1", ids, now=T0) == set(ids)
        assert store.outbox_stats() == OutboxStats(sent=1200)

    def test_a_sent_batch_stays_redactable_and_never_claimed_again(self, store: Store) -> None:
        self._enqueue(store, "k-1", "k-2")
        claimed = store.claim_due("w1", now=T0, limit=10, lease_seconds=30)
        assert store.mark_sent_many("w1", [m.id for m in claimed], now=T0) == {
            m.id for m in claimed
        }
        assert store.claim_due("w1", now=T0 + timedelta(hours=1), limit=10, lease_seconds=30) == []
        with store.unit_of_work() as uow:
            assert uow.outbox.redact_sent_before(T0 + timedelta(seconds=1)) == 2

    def test_renew_extends_only_own_unexpired_leases(self, store: Store) -> None:
        self._enqueue(store, "k-1", "k-2", "k-3")
        a, b, c = store.claim_due("w1", now=T0, limit=2, lease_seconds=10) + store.claim_due(
            "w2", now=T0, limit=1, lease_seconds=10
        )
        renewed = store.renew_lease(
            "w1", [a.id, b.id, c.id], now=T0 + timedelta(seconds=5), lease_seconds=10
        )
        assert renewed == 2
        later = T0 + timedelta(seconds=12)
        assert store.mark_sent("w1", a.id, now=later)
        assert store.renew_lease("w2", [c.id], now=later, lease_seconds=10) == 0
        assert not store.mark_sent("w2", c.id, now=later)

    def test_release_gives_claims_back_unchanged(self, store: Store) -> None:
        self._enqueue(store, "k-1", "k-2")
        first, second = store.claim_due("w1", now=T0, limit=10, lease_seconds=300)
        assert store.release("w2", [first.id]) == 0
        assert store.release("w1", [first.id, second.id]) == 2
        again = store.claim_due("w2", now=T0, limit=10, lease_seconds=300)
        assert [m.id for m in again] == [first.id, second.id]
        assert all(m.attempts == 0 for m in again)

    def test_failure_with_retry_counts_the_attempt_and_waits(self, store: Store) -> None:
        self._enqueue(store, "k-1")
        (message,) = store.claim_due("w1", now=T0, limit=10, lease_seconds=30)
        retry_at = T0 + timedelta(minutes=10)
        assert store.mark_failed("w1", message.id, now=T0, error="421 busy", retry_at=retry_at)
        failed = store.outbox_message(message.id)
        assert (failed.status, failed.attempts, failed.last_error) == (
            OutboxStatus.PENDING,
            1,
            "421 busy",
        )
        assert failed.due_at == retry_at
        assert failed.lease_owner is None
        assert (
            store.claim_due("w1", now=retry_at - timedelta(seconds=1), limit=10, lease_seconds=30)
            == []
        )
        (again,) = store.claim_due("w2", now=retry_at, limit=10, lease_seconds=30)
        assert again.attempts == 1

    def test_failure_needs_the_lease(self, store: Store) -> None:
        self._enqueue(store, "k-1")
        (message,) = store.claim_due("w1", now=T0, limit=10, lease_seconds=30)
        late = T0 + timedelta(seconds=31)
        assert not store.mark_failed("w1", message.id, now=late, error="x", retry_at=None)
        assert store.outbox_message(message.id).attempts == 0

    def test_dead_letters_keep_the_reason_and_can_be_replayed(self, store: Store) -> None:
        self._enqueue(store, "k-1", "k-2")
        first, second = store.claim_due("w1", now=T0, limit=10, lease_seconds=30)
        assert store.mark_failed("w1", first.id, now=T0, error="550 no such user", retry_at=None)
        (dead,) = store.dead_letters()
        assert (dead.id, dead.status, dead.last_error) == (
            first.id,
            OutboxStatus.DEAD,
            "550 no such user",
        )
        assert store.outbox_stats() == OutboxStats(pending=1, leased=1, dead=1)
        assert store.mark_sent("w1", second.id, now=T0)
        assert store.claim_due("w2", now=T0 + timedelta(days=1), limit=10, lease_seconds=30) == []
        assert store.replay(second.id, now=T0) is False
        replay_at = T0 + timedelta(hours=2)
        assert store.replay(first.id, now=replay_at) is True
        assert store.dead_letters() == []
        back = store.outbox_message(first.id)
        assert (back.status, back.attempts, back.due_at) == (OutboxStatus.PENDING, 0, replay_at)
        claimed = store.claim_due("w2", now=replay_at, limit=10, lease_seconds=30)
        assert [m.key for m in claimed] == ["k-1"]

    def _about(
        self, key: str, conversation_id: str | None, item_id: str | None, kind: str
    ) -> Notification:
        base = make_notification(key)
        conversation = base.conversation
        assert conversation is not None
        return Notification(
            key=key,
            kind=ReminderKind(kind),
            recipient=base.recipient,
            conversation=None
            if conversation_id is None
            else ConversationInfo(
                id=conversation_id,
                type_key=conversation.type_key,
                type_label=conversation.type_label,
                employee_id=conversation.employee_id,
                employee_name=conversation.employee_name,
                manager_id=conversation.manager_id,
                manager_name=conversation.manager_name,
                on=conversation.on,
            ),
            action_item=None
            if item_id is None
            else ActionItemInfo(id=item_id, title="Cursus", owner_id="e-1", due=None),
        )

    def test_withdraw_expires_pending_messages_about_one_conversation(self, store: Store) -> None:
        hostile = "c_1%'; DROP TABLE outbox;--"
        with store.unit_of_work() as uow:
            uow.outbox.enqueue(
                [
                    self._about("prep", hostile, None, "preparation"),
                    self._about("day", hostile, None, "day_before"),
                    self._about("report", hostile, None, "report_due"),
                    self._about("other", "c-11", None, "preparation"),  # a lookalike id
                    self._about("like", "cX1%", None, "preparation"),  # matches c_1% as LIKE
                    self._about("item", None, hostile, "preparation"),  # an item, same id
                    self._about("sent", hostile, None, "preparation"),
                ],
                due_at=T0,
            )
        claimed = {m.key: m for m in store.claim_due("w1", now=T0, limit=10, lease_seconds=30)}
        assert store.mark_sent("w1", claimed["sent"].id, now=T0)
        leased = claimed["day"]  # stays in w1's hands
        store.release("w1", [m.id for key, m in claimed.items() if key not in ("sent", "day")])
        about = Withdrawal(
            conversation_id=hostile, kinds=["preparation", "day_before", "scheduled"], reason="held"
        )
        with store.unit_of_work() as uow:
            assert uow.outbox.withdraw(about) == 2
            assert uow.outbox.withdraw(about) == 0
        with store.unit_of_work() as uow:
            states = {
                key: message.status
                for key in ("prep", "day", "report", "other", "like", "item", "sent")
                if (message := uow.outbox.by_key(key)) is not None
            }
            withdrawn = uow.outbox.by_key("prep")
        assert states == {
            "prep": OutboxStatus.EXPIRED,
            "day": OutboxStatus.EXPIRED,
            "report": OutboxStatus.PENDING,
            "other": OutboxStatus.PENDING,
            "like": OutboxStatus.PENDING,
            "item": OutboxStatus.PENDING,
            "sent": OutboxStatus.SENT,
        }
        assert withdrawn is not None
        assert (withdrawn.last_error, withdrawn.lease_owner) == ("held", None)
        # The dispatcher that held the withdrawn message can no longer mark it sent.
        assert not store.mark_sent("w1", leased.id, now=T0)
        assert store.outbox_stats() == OutboxStats(pending=4, sent=1, expired=2)
        assert store.dead_letters() == []
        due = store.claim_due("w3", now=T0 + timedelta(days=1), limit=10, lease_seconds=30)
        assert sorted(m.key for m in due) == ["item", "like", "other", "report"]

    def test_withdraw_by_action_item_and_rolls_back_with_the_unit(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.outbox.enqueue(
                [
                    self._about("due", None, "a-1", "action_item_due"),
                    self._about("late", None, "a-1", "action_item_overdue"),
                    self._about("talk", "a-1", None, "action_item_due"),
                ],
                due_at=T0,
            )
        about = Withdrawal(
            action_item_id="a-1", kinds=["action_item_due", "action_item_overdue"], reason="done"
        )

        def write(uow: UnitOfWork) -> None:
            assert uow.outbox.withdraw(about) == 2

        with pytest.raises(_CrashError):
            _write_then_crash(store, write)
        assert store.outbox_stats() == OutboxStats(pending=3)
        with store.unit_of_work() as uow:
            assert uow.outbox.withdraw(about) == 2
        assert store.outbox_stats() == OutboxStats(pending=1, expired=2)

    def test_mark_expired_needs_the_lease_and_keeps_the_reason(self, store: Store) -> None:
        self._enqueue(store, "k-1", "k-2")
        first, second = store.claim_due("w1", now=T0, limit=10, lease_seconds=30)
        assert not store.mark_expired("w2", first.id, now=T0, reason="x")
        assert not store.mark_expired("w1", first.id, now=T0 + timedelta(seconds=30), reason="x")
        assert store.mark_expired("w1", second.id, now=T0, reason="the moment passed")
        assert not store.mark_expired("w1", second.id, now=T0, reason="again")
        expired = store.outbox_message(second.id)
        assert (expired.status, expired.last_error, expired.attempts, expired.lease_owner) == (
            OutboxStatus.EXPIRED,
            "the moment passed",
            0,
            None,
        )
        assert store.replay(second.id, now=T0) is False
        assert store.outbox_stats() == OutboxStats(pending=1, leased=1, expired=1)

    def test_a_fan_out_failure_records_the_targets_that_have_the_message(
        self, store: Store
    ) -> None:
        self._enqueue(store, "k-1")
        (first,) = store.claim_due("w1", now=T0, limit=10, lease_seconds=30)
        assert first.delivered == frozenset()
        retry = T0 + timedelta(minutes=1)
        assert store.mark_failed(
            "w1", first.id, now=T0, error="webhook: 503", retry_at=retry, delivered={"mail"}
        )
        (again,) = store.claim_due("w1", now=retry, limit=10, lease_seconds=30)
        assert again.delivered == frozenset({"mail"})
        later = retry + timedelta(minutes=1)
        assert store.mark_failed("w1", again.id, now=retry, error="still", retry_at=later)
        assert store.outbox_message(again.id).delivered == frozenset({"mail"})  # None keeps
        with pytest.raises(InvalidValueError, match="target"):
            store.mark_failed(
                "w1", again.id, now=later, error="x", retry_at=None, delivered=["a b"]
            )

    def test_state_change_sequences_count_per_stream_and_roll_back(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            numbers = [uow.outbox.next_sequence("conversation/c-1") for _ in range(3)]
            numbers.append(uow.outbox.next_sequence("report/c-1"))
        assert numbers == [1, 2, 3, 1]

        def count_then_crash() -> None:
            with store.unit_of_work() as uow:
                assert uow.outbox.next_sequence("conversation/c-1") == 4
                raise _CrashError

        with pytest.raises(_CrashError):
            count_then_crash()
        with store.unit_of_work() as uow:
            assert uow.outbox.next_sequence("conversation/c-1") == 4  # no gap after a rollback
            assert uow.outbox.forget_sequences(["conversation/c-1", "person/nobody"]) == 1
            assert uow.outbox.next_sequence("conversation/c-1") == 1
            with pytest.raises(InvalidValueError, match="stream"):
                uow.outbox.next_sequence("c-1")

    def test_replay_of_an_unknown_message_is_not_found(self, store: Store) -> None:
        with pytest.raises(NotFoundError):
            store.replay(987654, now=T0)

    def test_claim_rejects_naive_times_and_bad_leases(self, store: Store) -> None:
        with pytest.raises(InvalidValueError):
            store.claim_due("w1", now=datetime(2026, 1, 5), limit=1, lease_seconds=30)
        with pytest.raises(InvalidValueError, match="lease_seconds"):
            store.claim_due("w1", now=T0, limit=1, lease_seconds=0)

    # -- outbox: payloads that no longer decode -----------------------------------------------

    @pytest.mark.parametrize("payload", BAD_PAYLOADS)
    def test_a_damaged_payload_becomes_a_dead_letter_at_its_claim(
        self, store: Store, corrupt_payload: CorruptPayload | None, payload: str
    ) -> None:
        if corrupt_payload is None:
            pytest.skip("this store keeps decoded messages: no payload to damage")
        self._enqueue(store, "k-1", "k-2", "k-3")
        with store.unit_of_work() as uow:
            bad = uow.outbox.by_key("k-2")
        assert bad is not None
        corrupt_payload(store, bad.id, payload)
        assert store.outbox_message(bad.id).notification is None

        claimed = store.claim_due("w1", now=T0, limit=10, lease_seconds=30)
        assert [m.key for m in claimed] == ["k-1", "k-3"]
        (dead,) = store.dead_letters()
        assert (dead.id, dead.key, dead.status, dead.attempts) == (
            bad.id,
            "k-2",
            OutboxStatus.DEAD,
            1,
        )
        assert dead.notification is None
        assert dead.last_error is not None
        assert dead.last_error.startswith("undecodable payload: ")
        assert (dead.lease_owner, dead.lease_until) == (None, None)
        assert store.outbox_stats() == OutboxStats(pending=2, leased=2, dead=1)
        assert all(store.mark_sent("w1", m.id, now=T0) for m in claimed)

    def test_a_repaired_dead_letter_can_be_replayed(
        self, store: Store, corrupt_payload: CorruptPayload | None
    ) -> None:
        if corrupt_payload is None:
            pytest.skip("this store keeps decoded messages: no payload to damage")
        self._enqueue(store, "k-2")
        with store.unit_of_work() as uow:
            message = uow.outbox.by_key("k-2")
        assert message is not None
        corrupt_payload(store, message.id, "{not json")
        assert store.claim_due("w1", now=T0, limit=10, lease_seconds=30) == []
        assert store.replay(message.id, now=T0) is True
        assert store.claim_due("w1", now=T0, limit=10, lease_seconds=30) == []
        assert store.outbox_message(message.id).status is OutboxStatus.DEAD
        corrupt_payload(store, message.id, dumps(make_notification("k-2")))
        assert store.replay(message.id, now=T0) is True
        (claimed,) = store.claim_due("w1", now=T0, limit=10, lease_seconds=30)
        assert claimed.notification == make_notification("k-2")

    # -- locks ----------------------------------------------------------------------------------

    def test_lock_names_must_not_be_blank(self, store: Store) -> None:
        with pytest.raises(InvalidValueError, match="lock name"), store.unit_of_work() as uow:
            uow.lock("  ")

    def test_a_lock_is_held_until_the_unit_of_work_ends(self, store: Store) -> None:
        events: list[str] = []
        taken = threading.Event()

        def second() -> None:
            with store.unit_of_work() as uow:
                uow.lock("planner")
                events.append("second has the lock")
                taken.set()

        with store.unit_of_work() as uow:
            uow.lock("planner")
            uow.people.upsert(_person("e-1"))
            thread = threading.Thread(target=second, daemon=True)
            thread.start()
            assert not taken.wait(0.3), "the second unit of work waits"
            events.append("first ends")
        assert taken.wait(10)
        thread.join(10)
        assert events == ["first ends", "second has the lock"]

    def test_a_lock_ends_with_a_rollback(self, store: Store) -> None:
        def locked(uow: UnitOfWork) -> None:
            uow.lock("planner")

        with pytest.raises(_CrashError):
            _write_then_crash(store, locked)
        done = threading.Event()

        def again() -> None:
            with store.unit_of_work() as uow:
                uow.lock("planner")
            done.set()

        thread = threading.Thread(target=again, daemon=True)
        thread.start()
        assert done.wait(10)
        thread.join(10)

    # -- conversations and reports ------------------------------------------------------------

    def test_conversations_round_trip_with_notes_and_history(self, store: Store) -> None:
        talk = _conversation("c-1", "e-1", "m-1", date(2026, 3, 10))
        at = T0
        for text in HOSTILE_TEXTS[:4]:
            talk = talk.add_note("m-1", text, private=True, at=at)
        talk = talk.schedule(datetime(2026, 3, 9, 10, 0, tzinfo=UTC), at=at)
        talk = talk.reschedule(
            datetime(2026, 3, 11, 10, 0, tzinfo=UTC), reason=HOSTILE_TEXTS[1], at=at
        )
        with store.unit_of_work() as uow:
            assert uow.conversations.add_many([talk]) == 1
        with store.unit_of_work() as uow:
            stored = uow.conversations.get("c-1")
        assert stored == talk
        assert stored.notes_for("m-1") == talk.notes_for("m-1")

    def test_adding_an_existing_conversation_conflicts_unless_skipped(self, store: Store) -> None:
        first = _conversation("c-1", "e-1", "m-1", date(2026, 3, 10))
        with store.unit_of_work() as uow:
            uow.conversations.add_many([first])
        with pytest.raises(ConflictError), store.unit_of_work() as uow:
            uow.conversations.add_many([_conversation("c-2", "e-1", "m-1", T0.date()), first])
        with store.unit_of_work() as uow:
            assert uow.conversations.ids_for_person_type("e-1", "check_in") == {"c-1"}
            second = _conversation("c-2", "e-1", "m-1", T0.date())
            assert uow.conversations.add_many([first, second], skip_existing=True) == 1

    def test_add_planned_stores_what_add_many_of_the_full_objects_stores(
        self, store: Store
    ) -> None:
        making = NewConversations()
        day = date(2026, 3, 10)
        plain = PlannedKind(type_key="check_in", roles=(Role.EMPLOYEE, Role.MANAGER))
        exit_talk = PlannedKind(
            type_key="exit_interview",
            roles=(Role.EMPLOYEE, Role.HR),
            duration_minutes=45,
            time_zone="UTC",
            requires_report=True,
            hr_contact_id="hr-1",
            design_version=2,
            known_late=True,
        )
        new = [
            making.add(plain, "c-1", "e-1", "m-1", day, day, day + timedelta(14)),
            making.add(exit_talk, "c-2", "e-1", "m-1", day - timedelta(7), day, day),
            making.add(plain, "c-3", "e-2", None, day, day, day),
        ]
        with store.unit_of_work() as uow:
            assert uow.conversations.add_planned(new) == 3
        with store.unit_of_work() as uow:
            stored = uow.conversations.by_ids(["c-1", "c-2", "c-3"])
        assert stored == [n.conversation() for n in new]
        assert stored[1].manager_id is None
        assert [p.person_id for p in stored[1].participants] == ["e-1", "hr-1"]
        assert (stored[1].design_version, stored[1].known_late) == (2, True)
        again = making.add(plain, "c-4", "e-2", "m-1", day, day, day)
        with pytest.raises(ConflictError), store.unit_of_work() as uow:
            uow.conversations.add_planned([again, new[0]])
        with store.unit_of_work() as uow:
            assert uow.conversations.by_ids(["c-4"]) == []
            assert uow.conversations.add_planned([new[0], again], skip_existing=True) == 1
            assert uow.conversations.add_planned([]) == 0

    def test_update_checks_the_version(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.conversations.add_many([_conversation("c-1", "e-1", "m-1", date(2026, 3, 10))])
        with store.unit_of_work() as uow:
            read = uow.conversations.get("c-1")
        mine = read.schedule(datetime(2026, 3, 9, 10, tzinfo=UTC), at=T0)
        theirs = read.cancel(reason="left", at=T0)
        with store.unit_of_work() as uow:
            uow.conversations.update(mine)
        with pytest.raises(ConflictError, match="c-1"), store.unit_of_work() as uow:
            uow.conversations.update(theirs)
        with store.unit_of_work() as uow:
            assert uow.conversations.get("c-1") == mine
            assert version_of(mine) == 1
            later = mine.cancel(reason="moved", at=T0)
            uow.conversations.update(later, expected_version=1)
        with pytest.raises(NotFoundError), store.unit_of_work() as uow:
            uow.conversations.update(
                _conversation("nope", "e-1", "m-1", T0.date()), expected_version=0
            )

    def test_conversation_queries(self, store: Store) -> None:
        today = date(2026, 3, 15)
        planned_past = _conversation("c-1", "e-1", "m-1", date(2026, 3, 1))
        planned_today = _conversation("c-2", "e-2", "m-1", today)
        future = _conversation("c-3", "e-1", "m-2", date(2026, 5, 1))
        cancelled = _conversation("c-4", "e-1", "m-1", date(2026, 2, 1)).cancel(
            reason="left", at=T0
        )
        with store.unit_of_work() as uow:
            uow.conversations.add_many([future, cancelled, planned_today, planned_past])
        with store.unit_of_work() as uow:
            assert [c.id for c in uow.conversations.due(today)] == ["c-1", "c-2"]
            assert [c.id for c in uow.conversations.overdue(today)] == ["c-1"]
            assert [c.id for c in uow.conversations.by_employee("e-1")] == ["c-4", "c-1", "c-3"]
            assert [c.id for c in uow.conversations.by_manager("m-1")] == ["c-4", "c-1", "c-2"]
            with pytest.raises(NotFoundError):
                uow.conversations.get("missing")

    def test_reports_are_versioned_per_conversation(self, store: Store) -> None:
        draft = Report(conversation_id="c-1", employee_id="e-1", summary=HOSTILE_TEXTS[3])
        with store.unit_of_work() as uow:
            uow.reports.add(draft)
            assert uow.reports.find("c-2") is None
        with pytest.raises(ConflictError), store.unit_of_work() as uow:
            uow.reports.add(draft)
        shared = draft.share(comment_until=date(2026, 3, 9), at=T0)
        with store.unit_of_work() as uow:
            uow.reports.update(shared)
        with pytest.raises(ConflictError), store.unit_of_work() as uow:
            uow.reports.update(draft.revise(summary="other", at=T0))
        with store.unit_of_work() as uow:
            assert uow.reports.get("c-1") == shared
            assert uow.reports.for_employee("e-1") == [shared]
            with pytest.raises(NotFoundError):
                uow.reports.get("c-2")

    def test_action_items_by_pair_and_owner_with_version_checks(self, store: Store) -> None:
        def item(id: str, manager: str | None, owner: str = "e-1") -> ActionItem:
            return ActionItem(
                id=id,
                title=HOSTILE_TEXTS[1],
                owner_id=owner,
                due=date(2026, 4, 1) if manager else None,
                origin_conversation_id="c-1",
                employee_id="e-1",
                manager_id=manager,
            )

        first, second, other = item("a-2", "m-1"), item("a-1", "m-1", "m-1"), item("a-3", None)
        with store.unit_of_work() as uow:
            assert uow.action_items.add_many([first, second, other]) == 3
        with pytest.raises(ConflictError), store.unit_of_work() as uow:
            uow.action_items.add_many([first])
        done = first.complete(at=T0)
        with store.unit_of_work() as uow:
            assert uow.action_items.add_many([first], skip_existing=True) == 0
            uow.action_items.update(done)
        with pytest.raises(ConflictError), store.unit_of_work() as uow:
            uow.action_items.update(first.drop(reason="no", at=T0))
        with store.unit_of_work() as uow:
            assert uow.action_items.get("a-2") == done
            assert [i.id for i in uow.action_items.open_between("e-1", "m-1")] == ["a-1"]
            assert [i.id for i in uow.action_items.open_between("e-1", None)] == ["a-3"]
            assert [i.id for i in uow.action_items.for_owner("e-1")] == ["a-2", "a-3"]
            with pytest.raises(NotFoundError):
                uow.action_items.get("missing")

    # -- paged queries ------------------------------------------------------------------------

    def test_paged_conversations_match_their_query_in_order_across_pages(
        self, store: Store
    ) -> None:
        talks = _paging_conversations()
        with store.unit_of_work() as uow:
            uow.conversations.add_many(talks)
        everyone = sorted(talks, key=lambda c: (c.window.target, c.id))
        queries = [
            ConversationQuery(),
            ConversationQuery(employee_id="e-1"),
            ConversationQuery(manager_id="m-1", statuses=["planned"]),
            ConversationQuery(participant_id="m-1"),  # not the exit interview he leads
            ConversationQuery(participant_id="hr-1"),
            ConversationQuery(participant_id="e_1"),  # LIKE wildcards are literal
            ConversationQuery(type_keys=["exit_interview", "growth_review"]),
            ConversationQuery(start=date(2026, 3, 5), end=date(2026, 3, 9)),
            ConversationQuery(statuses=["cancelled", "scheduled"], end=date(2026, 3, 6)),
        ]
        for query in queries:
            wanted = [c.id for c in everyone if query.matches(c)]
            for limit in (1, 2, 3, MAX_PAGE):
                found: list[str] = []
                after: tuple[date, str] | None = None
                with store.unit_of_work() as uow:
                    while True:
                        page = uow.conversations.page(query, after=after, limit=limit)
                        assert len(page) <= limit
                        found.extend(c.id for c in page)
                        if len(page) < limit:
                            break
                        after = (page[-1].window.target, page[-1].id)
                assert found == wanted, (query, limit)
        with store.unit_of_work() as uow:
            assert [c.id for c in uow.conversations.page(queries[3], limit=MAX_PAGE)] == [
                c.id for c in everyone if c.role_of("m-1") is not None
            ]
            assert uow.conversations.page(queries[0], limit=2) == everyone[:2]
            for bad in (0, MAX_PAGE + 1, True):
                with pytest.raises(InvalidValueError, match="limit"):
                    uow.conversations.page(queries[0], limit=bad)

    def test_paged_action_items_and_reports_match_their_query(self, store: Store) -> None:
        talks = _paging_conversations()
        items = [
            ActionItem(
                id=f"a-{n}",
                title="Cursus zoeken",
                owner_id=owner,
                due=due,
                origin_conversation_id="c-1",
                employee_id=employee,
                manager_id=manager,
            )
            for n, (owner, employee, manager, due) in enumerate(
                [
                    ("e-1", "e-1", "m-1", date(2026, 4, 1)),
                    ("m-1", "e-1", "m-1", None),
                    ("e-2", "e-2", "m-2", date(2026, 5, 1)),
                    ("e_1", "e_1", None, date(2026, 4, 15)),
                ]
            )
        ]
        items[0] = items[0].complete(at=T0)
        reports = [
            Report(conversation_id=c.id, employee_id=c.employee_id, summary="Goed")
            for c in talks[:5]
        ] + [Report(conversation_id="gone", employee_id="e-1", summary="Weg")]
        reports[1] = reports[1].share(comment_until=date(2026, 3, 20), at=T0)
        with store.unit_of_work() as uow:
            uow.conversations.add_many(talks)
            uow.action_items.add_many(items)
            for report in reports:
                uow.reports.add(report)
        by_id = {talk.id: talk for talk in talks}
        item_queries = [
            ActionItemQuery(),
            ActionItemQuery(employee_id="e-1"),
            ActionItemQuery(owner_id="m-1"),
            ActionItemQuery(manager_id="m-2", statuses=["open"]),
            ActionItemQuery(statuses=["done"]),
            ActionItemQuery(start=date(2026, 4, 1), end=date(2026, 4, 30)),
        ]
        report_queries = [
            ReportQuery(),
            ReportQuery(employee_id="e-1"),
            ReportQuery(statuses=["shared"]),
            ReportQuery(manager_id="m-1"),
            ReportQuery(type_keys=["check_in"], start=date(2026, 3, 2)),
        ]
        for item_query in item_queries:
            wanted = sorted(i.id for i in items if item_query.matches(i))
            assert _all_pages(store, "action_items", item_query) == wanted, item_query
        for report_query in report_queries:
            wanted = sorted(
                r.conversation_id
                for r in reports
                if report_query.matches(r, by_id.get(r.conversation_id))
            )
            assert _all_pages(store, "reports", report_query) == wanted, report_query
        with store.unit_of_work() as uow:
            assert uow.reports.page(ReportQuery(), limit=1) == [reports[0]]
            assert uow.action_items.page(ActionItemQuery(), after="a-2", limit=5) == [items[3]]
            with pytest.raises(InvalidValueError, match="limit"):
                uow.reports.page(ReportQuery(), limit=0)

    def test_action_items_keep_their_agreement_and_reason_for_no_date(self, store: Store) -> None:
        linked = ActionItem(
            id="a-1",
            title="Cursus kiezen",
            owner_id="e-1",
            due=None,
            origin_conversation_id="c-1",
            employee_id="e-1",
            manager_id="m-1",
            agreement=2,
            no_due_reason=HOSTILE_TEXTS[1],
        )
        carried = linked.escalate(to_id="hr-1", reason="needs a budget", at=T0)
        with store.unit_of_work() as uow:
            uow.action_items.add_many([linked])
        with store.unit_of_work() as uow:
            uow.action_items.update(carried)
        with store.unit_of_work() as uow:
            found = uow.action_items.from_conversations(["c-1"])
        assert found == [carried]
        assert (found[0].agreement, found[0].no_due_reason) == (2, HOSTILE_TEXTS[1])

    def test_voice_answers_are_one_per_conversation_and_follow_the_person(
        self, store: Store
    ) -> None:
        def answer(
            conversation_id: str, employee: str, manager: str | None, minutes: int
        ) -> VoiceAnswer:
            return VoiceAnswer(
                conversation_id=conversation_id,
                employee_id=employee,
                manager_id=manager,
                team="sales",
                type_key="check_in",
                at=T0 + timedelta(minutes=minutes),
                heard=4,
                remark=HOSTILE_TEXTS[1],
            )

        first, second, third = (
            answer("c-2", "e-1", "m-1", 2),
            answer("c-1", "e-2", "m-1", 1),
            answer("c-3", "e-1", None, 3),
        )
        with store.unit_of_work() as uow:
            for given in (first, second, third):
                uow.voice_answers.add(given)

        def add_twice(uow: UnitOfWork) -> None:
            uow.voice_answers.add(answer("c-9", "e-9", None, 9))
            uow.voice_answers.add(attrs.evolve(first, heard=1))

        with pytest.raises(ConflictError), store.unit_of_work() as uow:
            add_twice(uow)
        with store.unit_of_work() as uow:
            assert uow.voice_answers.find("c-9") is None  # rolled back with the conflict
            assert uow.voice_answers.find("c-2") == first
            assert uow.voice_answers.all() == [second, first, third]
            assert uow.voice_answers.mentioning("m-1") == [second, first]
            assert uow.voice_answers.mentioning("e-1") == [first, third]
            assert uow.voice_answers.replace_manager("m-1", "gewist-1") == 2
        with store.unit_of_work() as uow:
            assert uow.voice_answers.mentioning("m-1") == []
            assert [a.manager_id for a in uow.voice_answers.all()] == ["gewist-1", "gewist-1", None]
            assert uow.voice_answers.delete_for_person("e-1") == 2
            assert uow.voice_answers.delete(["c-1", "c-1", "missing"]) == 1
        with store.unit_of_work() as uow:
            assert uow.voice_answers.all() == []

    # -- the narrow queries of the service ----------------------------------------------------

    def test_people_and_conversations_by_ids(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            for person_id in ("e-3", "e-1", "e-2"):
                uow.people.upsert(_person(person_id))
            uow.conversations.add_many(
                [_conversation(f"c-{n}", "e-1", "m-1", date(2026, 3, n)) for n in (3, 1, 2)]
            )
        with store.unit_of_work() as uow:
            people = uow.people.by_ids(["e-3", "nobody", "e-1", "e-3"])
            assert [p.id for p in people] == ["e-1", "e-3"]
            assert uow.people.by_ids([]) == []
            talks = uow.conversations.by_ids(iter(["c-3", "c-9", "c-1", "c-1"]))
            assert [c.id for c in talks] == ["c-1", "c-3"]
            assert talks[0] == _conversation("c-1", "e-1", "m-1", date(2026, 3, 1))
            assert uow.conversations.by_ids([]) == []
            many = [f"x-{n}" for n in range(1200)] + ["c-2"]
            assert [c.id for c in uow.conversations.by_ids(many)] == ["c-2"]

    def test_scheduled_before_looks_at_the_start_not_the_window(self, store: Store) -> None:
        far = _conversation("c-far", "e-1", "m-1", date(2026, 9, 1)).schedule(
            datetime(2026, 3, 2, 9, 0, tzinfo=UTC), at=T0
        )
        later = _conversation("c-later", "e-2", "m-1", date(2026, 3, 1)).schedule(
            datetime(2026, 3, 2, 10, 0, tzinfo=UTC), at=T0
        )
        planned = _conversation("c-planned", "e-3", "m-1", date(2026, 2, 1))
        gone = (
            _conversation("c-gone", "e-4", "m-1", date(2026, 2, 1))
            .schedule(datetime(2026, 2, 1, 9, 0, tzinfo=UTC), at=T0)
            .cancel(reason="left", at=T0)
        )
        with store.unit_of_work() as uow:
            uow.conversations.add_many([later, planned, gone, far])
        with store.unit_of_work() as uow:
            cutoff = datetime(2026, 3, 2, 11, 0, tzinfo=timezone(timedelta(hours=1)))
            assert [c.id for c in uow.conversations.scheduled_before(cutoff)] == ["c-far"]
            everything = uow.conversations.scheduled_before(datetime(2027, 1, 1, tzinfo=UTC))
            assert everything == [far, later]
            with pytest.raises(InvalidValueError, match="instant"):
                uow.conversations.scheduled_before(datetime(2026, 3, 2))

    def test_states_by_target_range_and_by_id(self, store: Store) -> None:
        at = T0
        held = _conversation("c-1", "e-1", "m-1", date(2026, 3, 5)).schedule(at, at=at)
        held = held.hold(at=at)
        gone = _conversation("c-2", "e-2", "m-1", date(2026, 3, 1)).cancel(reason="no", at=at)
        early = _conversation("c-3", "e-1", "m-1", date(2025, 1, 1))
        late = _conversation("c-4", "e-3", "m-2", date(2026, 9, 1))
        edge = attrs.evolve(_conversation("c-5", "e-1", "m-1", date(2026, 3, 31)), manager_id=None)
        stranger = _conversation("c-6", "e-9", "m-1", date(2026, 3, 2))  # e-9 is not stored
        with store.unit_of_work() as uow:
            for person_id in ("e-1", "e-2", "e-3"):
                uow.people.upsert(_person(person_id))
            uow.conversations.add_many([held, gone, early, late, edge, stranger])
        with store.unit_of_work() as uow:

            def states(
                first: date, last: date, ids: list[str] | None = None
            ) -> list[ConversationState]:
                found = uow.conversations.states(first, last, ids or ())
                assert all(key == state.id for key, state in found.items())
                return sorted(found.values(), key=lambda state: state.id)

            assert states(date(2026, 3, 1), date(2026, 3, 31)) == [
                state_of(held),
                state_of(gone),
                state_of(edge),
            ]
            assert states(
                date(2026, 3, 1), date(2026, 3, 4), ["c-4", "c-3", "c-2", "x", "c-4"]
            ) == [
                state_of(gone),
                state_of(early),
                state_of(late),
            ]
            assert states(date(2027, 1, 1), date(2027, 12, 31)) == []
            assert states(date(2027, 1, 1), date(2027, 12, 31), ["", "c-1", "c-6"]) == [
                state_of(held)
            ]
        assert state_of(held) == ConversationState(
            "c-1",
            "e-1",
            "m-1",
            ConversationStatus.HELD,
            date(2026, 2, 26),
            date(2026, 3, 5),
            date(2026, 3, 12),
        )

    def test_by_status(self, store: Store) -> None:
        at = T0
        start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        held = _conversation("c-1", "e-1", "m-1", date(2026, 3, 5)).schedule(start, at=at)
        held = held.hold(at=at)
        early = _conversation("c-2", "e-2", "m-1", date(2026, 3, 1)).schedule(start, at=at)
        early = early.hold(at=at)
        reported = _conversation("c-3", "e-3", "m-1", date(2026, 2, 1)).schedule(start, at=at)
        reported = reported.hold(at=at).mark_reported(at=at)
        planned = _conversation("c-4", "e-4", "m-1", date(2026, 1, 1))
        with store.unit_of_work() as uow:
            uow.conversations.add_many([held, planned, reported, early])
        with store.unit_of_work() as uow:
            assert uow.conversations.by_status(["held"]) == [early, held]
            found = uow.conversations.by_status(["held", ConversationStatus.REPORTED, "held"])
            assert [c.id for c in found] == ["c-3", "c-2", "c-1"]
            assert [c.id for c in uow.conversations.by_status(["planned"])] == ["c-4"]
            assert uow.conversations.by_status([]) == []
            assert uow.conversations.by_status(["closed"]) == []
            with pytest.raises(InvalidValueError, match="held"):
                uow.conversations.by_status(["helt"])

    def test_pending_sign_off(self, store: Store) -> None:
        def draft(conversation_id: str, *, sign: bool) -> Report:
            return Report(
                conversation_id=conversation_id,
                employee_id="e-1",
                summary="ok",
                requires_sign_off=sign,
            )

        shared = draft("c-2", sign=True).share(comment_until=date(2026, 1, 9), at=T0)
        other = draft("c-1", sign=True).share(comment_until=date(2026, 1, 9), at=T0)
        no_need = draft("c-3", sign=False).share(comment_until=date(2026, 1, 9), at=T0)
        signed = (
            draft("c-4", sign=True)
            .share(comment_until=date(2026, 1, 9), at=T0)
            .sign("e-1", kind="agreed", at=T0)
        )
        with store.unit_of_work() as uow:
            for report in (shared, draft("c-0", sign=True), no_need, signed, other):
                uow.reports.add(report)
        with store.unit_of_work() as uow:
            assert uow.reports.pending_sign_off() == [other, shared]

    def test_open_action_items_due_before(self, store: Store) -> None:
        def item(id: str, due: date | None) -> ActionItem:
            return ActionItem(
                id=id,
                title="Plan training",
                owner_id="e-1",
                due=due,
                origin_conversation_id="c-1",
                employee_id="e-1",
                manager_id="m-1",
            )

        late = item("a-3", date(2026, 3, 1))
        later = item("a-1", date(2026, 3, 9))
        same_day = item("a-2", date(2026, 3, 1))
        with store.unit_of_work() as uow:
            uow.action_items.add_many(
                [
                    later,
                    late,
                    item("a-4", None),
                    item("a-5", date(2026, 3, 10)),
                    item("a-6", date(2026, 2, 1)).complete(at=T0),
                    same_day,
                ]
            )
        with store.unit_of_work() as uow:
            assert uow.action_items.open_due_before(date(2026, 3, 10)) == [same_day, late, later]
            assert uow.action_items.open_due_before(date(2026, 3, 1)) == []

    # --- design versions ---------------------------------------------------------------

    def test_design_versions_are_numbered_and_the_highest_is_current(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            assert uow.designs.current() is None
            assert uow.designs.all() == []
        first = _design(1, source=HOSTILE_TEXTS[4] + HOSTILE_TEXTS[3])
        second = _design(2, source=HOSTILE_TEXTS[6], fmt="json")
        with store.unit_of_work() as uow:
            uow.designs.add(first)
        with store.unit_of_work() as uow:
            uow.designs.add(second)
        with store.unit_of_work() as uow:
            assert uow.designs.current() == second
            assert uow.designs.get(1) == first
            assert uow.designs.all() == [first, second]
            assert uow.designs.get(1).applied_at.tzinfo is UTC

    def test_a_taken_design_number_conflicts_and_rolls_back(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.designs.add(_design(1))

        def write(uow: UnitOfWork) -> None:
            uow.people.upsert(_person("e-1"))
            uow.designs.add(_design(1, source="other"))

        with pytest.raises(ConflictError):
            _write_then_crash(store, write)
        with store.unit_of_work() as uow:
            assert uow.designs.all() == [_design(1)]
            assert uow.people.find("e-1") is None
        with pytest.raises(NotFoundError), store.unit_of_work() as uow:
            uow.designs.get(2)

    def test_a_design_version_is_rolled_back_with_its_unit(self, store: Store) -> None:
        with pytest.raises(_CrashError):
            _write_then_crash(store, lambda uow: uow.designs.add(_design(1)))
        with store.unit_of_work() as uow:
            assert uow.designs.current() is None

    def test_conversations_keep_the_design_version_that_planned_them(self, store: Store) -> None:
        planned = attrs.evolve(
            _conversation("c-1", "e-1", "m-1", date(2026, 3, 10)), design_version=3
        )
        back = planned.cancel(reason="dropped", at=T0).reinstate(
            reason="planned again", at=T0, design_version=4
        )
        plain = _conversation("c-2", "e-1", "m-1", date(2026, 3, 11))
        with store.unit_of_work() as uow:
            uow.conversations.add_many([planned, plain])
        with store.unit_of_work() as uow:
            assert uow.conversations.get("c-1").design_version == 3
            assert uow.conversations.get("c-2").design_version is None
            uow.conversations.update(planned.cancel(reason="dropped", at=T0))
        with store.unit_of_work() as uow:
            uow.conversations.update(back)
        with store.unit_of_work() as uow:
            assert uow.conversations.by_employee("e-1") == [back, plain]

    def test_access_log_reads_back_by_subject_and_reader_in_order(self, store: Store) -> None:
        later = _access("hr-1", "e-1", T0 + timedelta(hours=1), record_id="c-2")
        first = _access("hr-1", "e-1", T0, record_id="c-1")
        same_instant = _access("m-1", "e-1", T0, record_id="c-1", kind="report")
        other = _access("hr-1", "e-2", T0 + timedelta(minutes=5), sensitivity="health_related")
        with store.unit_of_work() as uow:
            assert uow.access_log.append([later, first, same_instant, other]) == 4
        with store.unit_of_work() as uow:
            assert uow.access_log.about("e-1") == [first, same_instant, later]
            assert uow.access_log.by_reader("hr-1") == [first, other, later]
            assert uow.access_log.about("nobody") == []

    def test_access_log_hands_back_utc_instants(self, store: Store) -> None:
        plus_two = timezone(timedelta(hours=2))
        entry = _access("hr-1", "e-1", datetime(2026, 1, 5, 11, 0, tzinfo=plus_two))
        with store.unit_of_work() as uow:
            uow.access_log.append([entry])
        with store.unit_of_work() as uow:
            (back,) = uow.access_log.about("e-1")
        assert back == entry
        assert back.at.utcoffset() == timedelta(0)

    def test_access_log_deletes_by_person_either_way_and_by_age(self, store: Store) -> None:
        entries = [
            _access("hr-1", "e-1", T0),
            _access("e-1", "e-2", T0 + timedelta(days=1)),
            _access("hr-1", "e-2", T0 + timedelta(days=2)),
            _access("hr-1", "e-3", T0 + timedelta(days=3)),
        ]
        with store.unit_of_work() as uow:
            uow.access_log.append(entries)
        with store.unit_of_work() as uow:
            assert uow.access_log.delete_for_person("e-1") == 2
            assert uow.access_log.delete_for_person("e-1") == 0
        with store.unit_of_work() as uow:
            assert uow.access_log.by_reader("hr-1") == entries[2:]
            assert uow.access_log.delete_before(T0 + timedelta(days=3)) == 1
            assert uow.access_log.by_reader("hr-1") == entries[3:]
        with pytest.raises(InvalidValueError), store.unit_of_work() as uow:
            uow.access_log.delete_before(datetime(2026, 1, 1))

    def test_access_log_rolls_back_with_the_unit(self, store: Store) -> None:
        with pytest.raises(_CrashError):
            _write_then_crash(store, lambda uow: uow.access_log.append([_access("a", "b", T0)]))
        with store.unit_of_work() as uow:
            assert uow.access_log.about("b") == []

    # -- erasure and retention ----------------------------------------------------------------

    def test_absence_records_are_one_per_person_kind_and_day(self, store: Store) -> None:
        sick = SickReportRecord(
            person_id="e-1", first_sick_day=date(2026, 3, 2), contact_phone=HOSTILE_TEXTS[0]
        )
        advice = OccupationalHealthAdvice(
            person_id="e-1",
            on=date(2026, 3, 9),
            work_ability="adapted_work",
            capacities=(FunctionalCapacity(area="static_postures", level="limited"),),
        )
        changed = SickReportRecord(
            person_id="e-1", first_sick_day=date(2026, 3, 2), expected_duration="weeks"
        )
        other = SickReportRecord(person_id="e-2", first_sick_day=date(2026, 1, 5))
        with store.unit_of_work() as uow:
            assert uow.absence_records.put(advice) is True
            assert uow.absence_records.put(sick) is True
            assert uow.absence_records.put(other) is True
        with store.unit_of_work() as uow:
            assert uow.absence_records.put(changed) is False
            assert uow.absence_records.for_person("e-1") == [changed, advice]
            assert uow.absence_records.people() == ["e-1", "e-2"]
            assert uow.absence_records.delete(advice) is True
            assert uow.absence_records.delete(advice) is False
            assert uow.absence_records.delete_for_person("e-1") == 1
            assert uow.absence_records.for_person("e-1") == []
            assert uow.absence_records.for_person("e-2") == [other]

    def test_deleting_people_and_their_events(self, store: Store) -> None:
        change = LifeEvent(
            on=date(2026, 2, 1), person_id="e-2", kind="manager_change", detail="e_1"
        )
        with store.unit_of_work() as uow:
            uow.people.upsert(_person("e_1"))
            uow.people.upsert(_person("e-2"))
            uow.events.append(LifeEvent(on=date(2026, 1, 5), person_id="e_1", kind="hired"))
            uow.events.append(LifeEvent(on=date(2026, 1, 6), person_id="e_1", kind="sick_report"))
            uow.events.append(change)
            uow.events.append(LifeEvent(on=date(2026, 1, 5), person_id="e-2", kind="hired"))
        with store.unit_of_work() as uow:
            # ``_`` is a LIKE wildcard: the lookups must not match "eX1" or "e-1".
            assert uow.events.naming("e-1") == []
            assert uow.events.naming("e_1") == [change]
            moved = LifeEvent(
                on=change.on, person_id="e-2", kind="manager_change", detail="erased-x"
            )
            uow.events.replace(moved)
            assert uow.events.delete_for_person("e_1") == 2
            assert uow.people.delete("e_1") is True
            assert uow.people.delete("e_1") is False
        with store.unit_of_work() as uow:
            assert uow.people.find("e_1") is None
            assert uow.events.for_person("e_1") == []
            assert [e.detail for e in uow.events.for_person("e-2")] == [None, "erased-x"]

    def test_left_before_finds_people_by_their_end_date(self, store: Store) -> None:
        def leaver(person_id: str, end: date | None) -> Person:
            return Person(id=person_id, name="X", hire_date=date(2020, 1, 1), end_date=end)

        with store.unit_of_work() as uow:
            for person in (
                leaver("e-3", date(2025, 12, 31)),
                leaver("e-1", date(2024, 2, 29)),
                leaver("e-2", date(2026, 1, 1)),
                leaver("e-4", None),
            ):
                uow.people.upsert(person)
        with store.unit_of_work() as uow:
            assert [p.id for p in uow.people.left_before(date(2026, 1, 1))] == ["e-1", "e-3"]
            assert uow.people.left_before(date(2024, 2, 29)) == []

    def test_mentioning_finds_every_record_that_names_a_person(self, store: Store) -> None:
        own = _conversation("c-1", "e-1", "m-1", date(2026, 3, 10))
        led = _conversation("c-2", "e-2", "e-1", date(2026, 3, 11))
        noted = _conversation("c-3", "e-3", "m-1", date(2026, 3, 12)).add_note(
            "m-1", "says hello to e-1", private=False, at=T0
        )
        other = _conversation("c-4", "e-11", "m-1", date(2026, 3, 12))
        owned = ActionItem(
            id="a-1",
            title="Plan",
            owner_id="e-1",
            due=None,
            origin_conversation_id="c-2",
            employee_id="e-2",
            manager_id="e-1",
        )
        theirs = ActionItem(
            id="a-2",
            title="Plan",
            owner_id="e-3",
            due=None,
            origin_conversation_id="c-3",
            employee_id="e-3",
            manager_id="m-1",
        )
        report = (
            Report(conversation_id="c-2", employee_id="e-2", summary="ok")
            .share(comment_until=date(2026, 2, 1), at=T0)
            .comment("e-1", "fine", at=T0)
        )
        with store.unit_of_work() as uow:
            uow.conversations.add_many([own, led, noted, other])
            uow.action_items.add_many([owned, theirs])
            uow.reports.add(report)
            uow.reports.add(Report(conversation_id="c-4", employee_id="e-11", summary="on e-1"))
        with store.unit_of_work() as uow:
            assert [c.id for c in uow.conversations.mentioning("e-1")] == ["c-1", "c-2"]
            assert [i.id for i in uow.action_items.mentioning("e-1")] == ["a-1"]
            assert [r.conversation_id for r in uow.reports.mentioning("e-1")] == ["c-2"]
            assert [i.id for i in uow.action_items.from_conversations(["c-3", "x"])] == ["a-2"]
            assert uow.conversations.delete(["c-1", "c-1", "missing"]) == 1
            assert uow.reports.delete(["c-2", "c-9"]) == 1
            assert uow.action_items.delete(["a-1"]) == 1
        with store.unit_of_work() as uow:
            assert uow.conversations.by_ids(["c-1", "c-2"]) == [led]
            assert uow.reports.find("c-2") is None
            assert uow.action_items.mentioning("e-1") == []

    def test_ended_before_lists_only_past_conversations_by_target(self, store: Store) -> None:
        def talk(id: str, target: date) -> Conversation:
            return _conversation(id, "e-1", "m-1", target)

        at = datetime(2026, 1, 1, tzinfo=UTC)
        held = talk("c-2", date(2026, 3, 1)).schedule(at, at=at).hold(at=at)
        cancelled = talk("c-1", date(2026, 3, 1)).cancel(reason="no", at=at)
        later = talk("c-3", date(2026, 4, 1)).cancel(reason="no", at=at)
        with store.unit_of_work() as uow:
            uow.conversations.add_many([held, cancelled, later, talk("c-4", date(2026, 2, 1))])
        with store.unit_of_work() as uow:
            found = uow.conversations.ended_before(date(2026, 4, 1))
        assert found == [
            PastConversation("c-1", "check_in", "e-1", date(2026, 3, 1)),
            PastConversation("c-2", "check_in", "e-1", date(2026, 3, 1)),
        ]

    def test_outbox_mentioning_and_deleting(self, store: Store) -> None:
        self._enqueue(store, "k-1", "k-2")
        with store.unit_of_work() as uow:
            other = make_notification("k-3")
            other = Notification(
                key="k-3",
                kind=other.kind,
                recipient=Recipient(id="e-9", name="Noor", role=Role.MANAGER),
            )
            uow.outbox.enqueue([other], due_at=T0)
        (first, second) = store.claim_due("w", now=T0, limit=2, lease_seconds=60)
        assert store.mark_sent("w", first.id, now=T0)
        with store.unit_of_work() as uow:
            assert [m.key for m in uow.outbox.mentioning(["e-1"])] == ["k-1", "k-2"]
            assert [m.key for m in uow.outbox.mentioning(["e-9", "c-1"])] == ["k-1", "k-2", "k-3"]
            assert uow.outbox.mentioning(["e"]) == []
            assert uow.outbox.delete([second.id, 999_999]) == 1
        with store.unit_of_work() as uow:
            assert uow.outbox.by_key("k-2") is None
            assert uow.outbox.redact_sent_before(T0) == 0
            assert uow.outbox.redact_sent_before(T0 + timedelta(seconds=1)) == 1
            assert uow.outbox.redact_sent_before(T0 + timedelta(days=1)) == 0  # once
        with store.unit_of_work() as uow:
            kept = uow.outbox.by_key("k-1")
            assert kept is not None
            assert first.notification is not None
            assert kept.notification == redacted(first.notification)
            assert kept.status is OutboxStatus.SENT
            assert uow.outbox.mentioning(["e-1", "c-1", "Anna de Vries"]) == []
            # The key stays: enqueuing the reminder again is still a no-op.
            assert uow.outbox.enqueue([make_notification("k-1")], due_at=T0) == 0
            assert uow.outbox.by_key("k-3") is not None
        assert store.outbox_stats() == OutboxStats(pending=1, sent=1)

    def test_outbox_rewrite_keeps_key_and_status(self, store: Store) -> None:
        self._enqueue(store, "k-1")
        replacement = make_notification("k-1", name="Placeholder")
        with store.unit_of_work() as uow:
            message = uow.outbox.by_key("k-1")
            assert message is not None
            assert uow.outbox.rewrite(message.id, replacement) is True
            assert uow.outbox.rewrite(999_999, replacement) is False
        (claimed,) = store.claim_due("w", now=T0, limit=5, lease_seconds=60)
        assert claimed.notification == replacement

    def test_dead_letters_are_deleted_by_the_time_they_died(self, store: Store) -> None:
        self._enqueue(store, "k-1")
        self._enqueue(store, "k-2")
        for hours, key in ((1, "k-1"), (2, "k-2")):
            died = T0 + timedelta(hours=hours)
            (message,) = store.claim_due("w", now=died, limit=1, lease_seconds=60)
            assert message.key == key
            store.mark_failed("w", message.id, now=died, error="x", retry_at=None)
        with store.unit_of_work() as uow:  # both were due at T0; k-1 died first
            assert uow.outbox.delete_dead_before(T0 + timedelta(minutes=30)) == 0
            assert uow.outbox.delete_dead_before(T0 + timedelta(minutes=90)) == 1
        assert [m.key for m in store.dead_letters()] == ["k-2"]

    def test_compact_keeps_the_data(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.people.upsert(_person("e-1"))
            uow.people.upsert(_person("e-2"))
        with store.unit_of_work() as uow:
            uow.people.delete("e-2")
        store.compact()
        with store.unit_of_work() as uow:
            assert [p.id for p in uow.people.all()] == ["e-1"]


def _design(number: int, *, source: str = "name = 'x'", fmt: str = "toml") -> DesignVersion:
    return DesignVersion(
        number=number,
        name=f"Ontwerp {number}",
        fingerprint=f"{number:064x}",
        source=source,
        fmt=fmt,
        applied_by="hr-1",
        applied_at=datetime(2026, 1, number, 9, 30, tzinfo=timezone(timedelta(hours=1))),
    )


def _access(
    reader: str,
    subject: str,
    at: datetime,
    *,
    record_id: str = "c-1",
    kind: str = "conversation",
    sensitivity: str = "confidential",
) -> AccessLogEntry:
    return AccessLogEntry(
        at=at,
        reader_id=reader,
        subject_id=subject,
        record_kind=kind,
        record_id=record_id,
        sensitivity=sensitivity,
    )


def _paging_conversations() -> list[Conversation]:
    """Conversations for the paged queries: several people, types, states and days, two
    on one day (the id breaks the tie), and an exit interview its manager takes no part in."""
    talks = [
        _conversation("c-1", "e-1", "m-1", date(2026, 3, 2)),
        _conversation("c-2", "e-2", "m-1", date(2026, 3, 5)),
        _conversation("c-3", "e-1", "m-2", date(2026, 3, 5)),
        _conversation("c-4", "e-2", "m-2", date(2026, 3, 9)).cancel(reason="ziek", at=T0),
        _conversation("c-5", "e_1", "m-1", date(2026, 3, 12)),
        _conversation("c-6", "m-1", "m-2", date(2026, 3, 6)).schedule(
            datetime(2026, 3, 6, 9, 0, tzinfo=UTC), at=T0
        ),
        attrs.evolve(
            _conversation("g-1", "e-1", "m-1", date(2026, 4, 1)), type_key="growth_review"
        ),
    ]
    window = Window(date(2026, 3, 1), date(2026, 3, 8), date(2026, 3, 15))
    talks.append(
        Conversation.plan(
            id="x-1",
            type_key="exit_interview",
            employee_id="e-1",
            manager_id="m-1",
            participants=[Participant("hr-1", "hr")],
            roles=("employee", "hr"),
            window=window,
        )
    )
    return talks


def _all_pages(store: Store, table: str, query: ActionItemQuery | ReportQuery) -> list[str]:
    """Every key a paged query of ``table`` lists, read two at a time."""
    found: list[str] = []
    after: str | None = None
    while True:
        with store.unit_of_work() as uow:
            repository = getattr(uow, table)
            page = repository.page(query, after=after, limit=2)
        keys = [getattr(row, "id", None) or row.conversation_id for row in page]
        found.extend(keys)
        if len(page) < 2:
            return found
        after = keys[-1]


def _conversation(id: str, employee: str, manager: str, target: date) -> Conversation:
    window = Window(target - timedelta(days=7), target, target + timedelta(days=7))
    return Conversation.plan(
        id=id, type_key="check_in", employee_id=employee, manager_id=manager, window=window
    )
