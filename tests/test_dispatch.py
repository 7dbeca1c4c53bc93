"""The dispatcher: leases, retries with backoff, dead letters, lost leases, stopping."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.notifier import (
    Notification,
    PermanentNotificationError,
    TransientNotificationError,
)
from gesprekscyclus.ports.store import OutboxStats, OutboxStatus
from gesprekscyclus.service.dispatch import Backoff, Dispatcher, DispatchReport
from gesprekscyclus.testing.contract import T0, make_notification


class Recorder:
    """Records keys; fails as told per key; may move the clock while sending."""

    def __init__(
        self, clock: FixedClock, *, fail: dict[str, Exception] | None = None, advance: float = 0.0
    ):
        self.clock = clock
        self.fail = fail or {}
        self.advance = advance
        self.sent: list[str] = []

    def send(self, notification: Notification) -> None:
        self.clock.advance(seconds=self.advance)
        error = self.fail.get(notification.key)
        if error is not None:
            raise error
        self.sent.append(notification.key)


def _setup(*keys: str) -> tuple[MemoryStore, FixedClock]:
    store, clock = MemoryStore(), FixedClock(T0)
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([make_notification(key) for key in keys], due_at=T0)
    return store, clock


def test_sends_everything_due_once_with_its_key() -> None:
    store, clock = _setup("a", "b", "c")
    notifier = Recorder(clock)
    dispatcher = Dispatcher(store, notifier, clock, owner="w1", batch_size=2)
    assert dispatcher.run_once() == DispatchReport(sent=2)
    assert dispatcher.run_once() == DispatchReport(sent=1)
    assert dispatcher.run_once() == DispatchReport()
    assert notifier.sent == ["a", "b", "c"]
    assert store.outbox_stats() == OutboxStats(sent=3)


def test_transient_failures_back_off_then_become_dead_letters() -> None:
    store, clock = _setup("a")
    notifier = Recorder(clock, fail={"a": TransientNotificationError("421 try later")})
    backoff = Backoff(base_seconds=10, factor=2, jitter=0)
    dispatcher = Dispatcher(store, notifier, clock, owner="w1", max_attempts=3, backoff=backoff)
    assert dispatcher.run_once() == DispatchReport(retried=1)
    (message,) = [store.outbox_message(1)]
    assert message.due_at == T0 + timedelta(seconds=10)
    assert message.last_error == "transient: 421 try later"
    assert dispatcher.run_once() == DispatchReport()  # not due yet
    clock.set(message.due_at)
    assert dispatcher.run_once() == DispatchReport(retried=1)
    assert store.outbox_message(1).due_at == clock.now() + timedelta(seconds=20)
    clock.advance(seconds=20)
    assert dispatcher.run_once() == DispatchReport(dead=1)
    (dead,) = store.dead_letters()
    assert dead.attempts == 3
    assert dead.last_error == "transient: 421 try later (gave up after 3 attempts)"


def test_permanent_failure_is_a_dead_letter_with_the_reason() -> None:
    store, clock = _setup("a", "b")
    notifier = Recorder(clock, fail={"a": PermanentNotificationError("550 unknown user")})
    report = Dispatcher(store, notifier, clock, owner="w1").run_once()
    assert report == DispatchReport(sent=1, dead=1)
    (dead,) = store.dead_letters()
    assert (dead.key, dead.last_error) == ("a", "permanent: 550 unknown user")
    assert store.replay(dead.id, now=clock.now())
    notifier.fail.clear()
    assert Dispatcher(store, notifier, clock, owner="w2").run_once() == DispatchReport(sent=1)


def test_unexpected_notifier_errors_are_retried_not_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, clock = _setup("a")
    notifier = Recorder(clock, fail={"a": RuntimeError("socket went away")})
    with caplog.at_level(logging.ERROR):
        report = Dispatcher(store, notifier, clock, owner="w1").run_once()
    assert report == DispatchReport(retried=1)
    assert store.outbox_message(1).last_error == "unexpected: RuntimeError: socket went away"
    assert "failed unexpectedly" in caplog.text


def test_a_lease_lost_during_the_send_is_logged_and_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, clock = _setup("a")
    notifier = Recorder(clock, advance=61)
    dispatcher = Dispatcher(store, notifier, clock, owner="w1", lease_seconds=60)
    with caplog.at_level(logging.ERROR):
        assert dispatcher.run_once() == DispatchReport(lost_leases=1)
    assert "lost the lease on message 1" in caplog.text
    assert notifier.sent == ["a"]
    message = store.outbox_message(1)
    assert message.status is OutboxStatus.PENDING  # another owner may deliver it again


def test_the_lease_is_renewed_while_a_long_batch_is_worked_on() -> None:
    keys = [f"k{i}" for i in range(6)]
    store, clock = _setup(*keys)
    notifier = Recorder(clock, advance=20)  # each send uses a third of the lease
    dispatcher = Dispatcher(store, notifier, clock, owner="w1", lease_seconds=60)
    assert dispatcher.run_once() == DispatchReport(sent=6)
    assert notifier.sent == keys


def test_an_expired_lease_is_not_sent_on() -> None:
    store, clock = _setup("a", "b")

    class Slow(Recorder):
        def send(self, notification: Notification) -> None:
            super().send(notification)
            # Another owner takes over the rest while this one stalls.
            self.clock.advance(seconds=61)
            store.claim_due("w2", now=self.clock.now(), limit=10, lease_seconds=60)

    notifier = Slow(clock)
    dispatcher = Dispatcher(store, notifier, clock, owner="w1", lease_seconds=60)
    assert dispatcher.run_once() == DispatchReport(lost_leases=2)
    assert notifier.sent == ["a"]
    assert store.outbox_message(2).lease_owner == "w2"


def test_a_batch_is_recorded_at_once_and_each_lost_lease_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, clock = _setup("a", "b", "c", "d")
    recorded: list[list[int]] = []
    mark_sent_many = store.mark_sent_many

    def counting(owner: str, ids: list[int], *, now: datetime) -> set[int]:
        recorded.append(list(ids))
        return mark_sent_many(owner, ids, now=now)

    store.mark_sent_many = counting  # type: ignore[method-assign]

    class Losing(Recorder):
        def send(self, notification: Notification) -> None:
            super().send(notification)
            if notification.key in ("b", "d"):  # their leases are taken away after the send
                store.release("w1", [ord(notification.key) - ord("a") + 1])

    notifier = Losing(clock)
    dispatcher = Dispatcher(store, notifier, clock, owner="w1", batch_size=10)
    with caplog.at_level(logging.ERROR):
        assert dispatcher.run_once() == DispatchReport(sent=2, lost_leases=2)
    assert recorded == [[1, 2, 3, 4]], "one guarded statement for the batch"
    assert notifier.sent == ["a", "b", "c", "d"]
    for number, key in ((2, "b"), (4, "d")):
        assert f"lost the lease on message {number} (key {key!r}) after sending" in caplog.text
    assert store.outbox_stats() == OutboxStats(pending=2, sent=2)


def test_deliveries_are_recorded_when_a_batch_is_stopped_or_fails() -> None:
    store, clock = _setup("a", "b", "c")

    class Breaking(Recorder):
        def send(self, notification: Notification) -> None:
            super().send(notification)
            if notification.key == "b":
                store.mark_failed = broken  # type: ignore[method-assign]

    def broken(*args: object, **kwargs: object) -> bool:
        raise RuntimeError("store gone")

    notifier = Breaking(clock, fail={"c": TransientNotificationError("busy")})
    dispatcher = Dispatcher(store, notifier, clock, owner="w1")
    with pytest.raises(RuntimeError, match="store gone"):
        dispatcher.run_once()
    assert dispatcher.last_round == DispatchReport(sent=2)
    assert store.outbox_stats() == OutboxStats(pending=1, sent=2)


def test_stopping_mid_batch_releases_the_unsent_claims() -> None:
    store, clock = _setup("a", "b", "c")
    notifier = Recorder(clock)
    dispatcher = Dispatcher(store, notifier, clock, owner="w1")
    assert dispatcher.run_once(stop=lambda: len(notifier.sent) >= 1) == DispatchReport(sent=1)
    assert store.outbox_stats() == OutboxStats(pending=2, leased=0, sent=1)


def test_run_forever_returns_totals_when_stopped() -> None:
    store, clock = _setup("a", "b", "c")
    notifier = Recorder(clock)
    dispatcher = Dispatcher(store, notifier, clock, owner="w1", batch_size=1)
    total = dispatcher.run_forever(lambda: store.outbox_stats().pending == 0, idle_seconds=0)
    assert total == DispatchReport(sent=3)


def test_settings_are_checked() -> None:
    store, clock = _setup()
    with pytest.raises(InvalidValueError, match="owner"):
        Dispatcher(store, Recorder(clock), clock, owner=" ")
    with pytest.raises(InvalidValueError, match="lease_seconds"):
        Dispatcher(store, Recorder(clock), clock, owner="w", lease_seconds=0)
    with pytest.raises(InvalidValueError, match="max_attempts"):
        Dispatcher(store, Recorder(clock), clock, owner="w", max_attempts=0)
    with pytest.raises(InvalidValueError, match=r"Backoff\.factor"):
        Backoff(factor=-1)


@given(attempt=st.integers(1, 40), key=st.text(min_size=1, max_size=20))
def test_backoff_is_deterministic_bounded_and_growing(attempt: int, key: str) -> None:
    backoff = Backoff(base_seconds=30, factor=2, max_seconds=3600, jitter=0.25)
    delay = backoff.delay(attempt, key)
    assert delay == backoff.delay(attempt, key)
    raw = min(30 * 2 ** (attempt - 1), 3600)
    assert timedelta(seconds=raw) <= delay <= timedelta(seconds=raw * 1.25)
