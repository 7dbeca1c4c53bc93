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
Times are passed explicitly; no test sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus, Window
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import Person, Role
from gesprekscyclus.domain.reports import Report
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import ConflictError, InvalidValueError, NotFoundError
from gesprekscyclus.ports.notifier import (
    ActionItemInfo,
    ConversationInfo,
    Notification,
    Recipient,
    ReminderKind,
)
from gesprekscyclus.ports.store import (
    OutboxMessage,
    OutboxStats,
    OutboxStatus,
    Store,
    UnitOfWork,
    version_of,
)

__all__ = ["HOSTILE_TEXTS", "T0", "StoreContract", "make_notification"]

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
        again = LifeEvent(
            on=date(2026, 3, 2), person_id="e-1", kind=LifeEventKind.SICK_REPORT, detail="x"
        )
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

    def test_replay_of_an_unknown_message_is_not_found(self, store: Store) -> None:
        with pytest.raises(NotFoundError):
            store.replay(987654, now=T0)

    def test_claim_rejects_naive_times_and_bad_leases(self, store: Store) -> None:
        with pytest.raises(InvalidValueError):
            store.claim_due("w1", now=datetime(2026, 1, 5), limit=1, lease_seconds=30)
        with pytest.raises(InvalidValueError, match="lease_seconds"):
            store.claim_due("w1", now=T0, limit=1, lease_seconds=0)

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


def _conversation(id: str, employee: str, manager: str, target: date) -> Conversation:
    window = Window(target - timedelta(days=7), target, target + timedelta(days=7))
    return Conversation.plan(
        id=id, type_key="check_in", employee_id=employee, manager_id=manager, window=window
    )
