"""Messages that can never be sent become dead letters at once; the rest keeps flowing.

Against a real SQLite file and a real SMTP server (aiosmtpd) on the loopback interface.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from hypothesis import given, settings
from hypothesis import strategies as st

from gesprekscyclus.adapters.notifiers.mail import EmailNotifier
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.adapters.sqlite.store import SQLiteStore
from gesprekscyclus.domain.people import Role
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.notifier import Notification, PermanentNotificationError, Recipient
from gesprekscyclus.ports.store import OutboxStats, OutboxStatus
from gesprekscyclus.service.dispatch import Dispatcher
from gesprekscyclus.testing.contract import T0, make_notification

from .test_notifier_mail import Collect, free_port

REFUSED_ADDRESSES = {
    # (a non-ASCII domain is no longer refused: it goes out in its IDNA form)
    "a@b@c": "is not an e-mail address",
    "no-domain": "is not an e-mail address",
}


def _to(address: str, key: str = "k") -> Notification:
    person = Recipient(id="e-9", name="Jan", role=Role.EMPLOYEE, email=address)
    return Notification(key=key, kind="report_due", recipient=person)


@pytest.fixture
def smtp() -> Iterator[tuple[int, Collect]]:
    collect = Collect()
    port = free_port()
    controller = Controller(collect, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, collect
    controller.stop()


def _mailer(port: int) -> EmailNotifier:
    return EmailNotifier(
        "127.0.0.1", port, sender="HR <hr@example.org>", timeout=5.0, clock=FixedClock(T0)
    )


@pytest.mark.parametrize(("address", "reason"), sorted(REFUSED_ADDRESSES.items()))
def test_an_address_the_mail_library_refuses_is_permanent(address: str, reason: str) -> None:
    # Refused before any connection: nothing listens on the port.
    with pytest.raises(PermanentNotificationError, match=reason) as caught:
        _mailer(free_port()).send(_to(address))
    assert "e-9" in caught.value.reason


def _corrupt(store: SQLiteStore, key: str, payload: str) -> None:
    with store.unit_of_work() as uow:
        message = uow.outbox.by_key(key)
    assert message is not None
    with sqlite3.connect(store.path) as connection:
        connection.execute("UPDATE outbox SET payload = ? WHERE id = ?", (payload, message.id))
    connection.close()


def test_poison_rows_and_refused_addresses_die_at_once_and_the_rest_is_sent(
    tmp_path: Path, smtp: tuple[int, Collect]
) -> None:
    port, collect = smtp
    store = open_sqlite_store(tmp_path / "outbox.db")
    good = [make_notification(f"good-{n}") for n in range(6)]
    refused = [_to(address, f"refused-{n}") for n, address in enumerate(REFUSED_ADDRESSES)]
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([*good[:3], *refused, make_notification("poison"), *good[3:]], due_at=T0)
    _corrupt(store, "poison", '{"schema_version": 1, "type": "Notification", "data": 7}')

    clock = FixedClock(T0)
    dispatcher = Dispatcher(store, _mailer(port), clock, owner="w1", batch_size=4)
    reports = [dispatcher.run_once() for _ in range(4)]

    assert sum(r.sent for r in reports) == len(good)
    assert sum(r.dead for r in reports) == len(refused)
    assert sum(r.retried for r in reports) == 0
    assert sorted(e.rcpt_tos[0] for e in collect.envelopes) == ["anna@example.org"] * 6
    dead = {message.key: message for message in store.dead_letters()}
    assert set(dead) == {"poison", *(n.key for n in refused)}
    assert all(m.attempts == 1 and m.status is OutboxStatus.DEAD for m in dead.values())
    assert dead["poison"].last_error is not None
    assert dead["poison"].last_error.startswith("undecodable payload: ")
    for notification in refused:
        assert (dead[notification.key].last_error or "").startswith("permanent: ")
    assert store.outbox_stats() == OutboxStats(sent=6, dead=len(refused) + 1)
    # Nothing is left to claim, later either.
    later = T0 + timedelta(days=2)
    assert store.claim_due("w2", now=later, limit=50, lease_seconds=30) == []
    store.close()


def test_an_unexpected_notifier_error_is_retried_not_dead(tmp_path: Path) -> None:
    class Broken:
        def send(self, notification: Any) -> None:
            raise RuntimeError("template engine crashed")

    store = open_sqlite_store(tmp_path / "outbox.db")
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([make_notification("k-1")], due_at=T0)
    report = Dispatcher(store, Broken(), FixedClock(T0), owner="w1").run_once()
    assert (report.retried, report.dead) == (1, 0)
    message = store.outbox_message(1)
    assert message.status is OutboxStatus.PENDING
    assert "RuntimeError: template engine crashed" in (message.last_error or "")
    store.close()


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.booleans(), min_size=1, max_size=30),
    st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=8),
)
def test_claims_hand_out_each_good_message_once_and_bury_each_bad_one(
    bad: list[bool], batches: list[int]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = open_sqlite_store(Path(folder) / "outbox.db")
        keys = [f"k-{n:02d}" for n in range(len(bad))]
        with store.unit_of_work() as uow:
            uow.outbox.enqueue([make_notification(key) for key in keys], due_at=T0)
        for key, broken in zip(keys, bad, strict=True):
            if broken:
                _corrupt(store, key, "{not json")
        handed_out: list[str] = []
        owners = ("w1", "w2")
        for turn in range(len(keys) + len(batches)):
            limit = batches[turn % len(batches)]
            owner = owners[turn % 2]
            for message in store.claim_due(owner, now=T0, limit=limit, lease_seconds=30):
                assert message.notification is not None
                handed_out.append(message.key)
                assert store.mark_sent(owner, message.id, now=T0)
        good = [key for key, broken in zip(keys, bad, strict=True) if not broken]
        assert handed_out == good, "oldest first, each once, none of the bad ones"
        dead = store.dead_letters()
        assert [m.key for m in dead] == [k for k, broken in zip(keys, bad, strict=True) if broken]
        assert all(m.attempts == 1 for m in dead)
        assert store.outbox_stats() == OutboxStats(sent=len(good), dead=len(keys) - len(good))
        store.close()
