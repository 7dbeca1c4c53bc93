"""E-mail delivery end to end: service → outbox in a SQLite file → dispatcher → SMTP server.

The mail server is a real aiosmtpd server on 127.0.0.1 that answers from a script, so the
tests see what a mail server sees: every attempt, every accepted message and its headers.
Time only moves when a test moves the :class:`FixedClock`, which is how backoff and leases
are exercised without sleeping.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import icalendar
import pytest
from aiosmtpd.controller import Controller

from gesprekscyclus.adapters.notifiers.mail import EmailNotifier, message_id
from gesprekscyclus.bootstrap import build_service
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.ports.store import OutboxMessage, OutboxStats, OutboxStatus, Store
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.dispatch import Backoff, Dispatcher, DispatchReport
from gesprekscyclus.service.reminders import reminder_key

T0 = datetime(2025, 12, 29, 8, 0, tzinfo=UTC)  # a Monday, a week before the conversation
START = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
DESIGN = CycleDesign(
    name="delivery",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(
            type="growth_review",
            cadence=(Interval(every=1, unit="years", anchor="cycle_start"),),
        ),
    ),
)
ADDRESSES = {"e-1": "ed@example.org", "m-1": "mia@example.org"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def parse(content: bytes) -> EmailMessage:
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


class MailServer:
    """An SMTP handler that refuses recipients or messages as scripted and keeps the rest.

    ``script`` holds the replies to the next DATA commands (``250 OK`` once it is empty);
    ``refused`` maps a recipient address to the reply its RCPT gets. ``attempts`` lists the
    Message-ID of every message offered, ``accepted`` the messages taken in.
    """

    def __init__(self) -> None:
        self.script: list[str] = []
        self.refused: dict[str, str] = {}
        self.attempts: list[str] = []
        self.accepted: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        with self._lock:
            reply = self.refused.get(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = parse(envelope.content)
        with self._lock:
            self.attempts.append(str(message["Message-ID"]))
            reply = self.script.pop(0) if self.script else "250 OK"
            if reply.startswith("250"):
                self.accepted.append(message)
        return reply

    def accepted_ids(self) -> Counter[str]:
        """How often each Message-ID was accepted."""
        with self._lock:
            return Counter(str(message["Message-ID"]) for message in self.accepted)


@pytest.fixture
def mail() -> Iterator[tuple[MailServer, int]]:
    handler = MailServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def service(tmp_path: Path, clock: FixedClock) -> Iterator[ConversationService]:
    built = build_service(f"sqlite:///{tmp_path / 'delivery.db'}", design=DESIGN, clock=clock)
    built.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1), email=ADDRESSES["m-1"]))
    built.hire(
        Person(
            id="e-1",
            name="Ed",
            hire_date=date(2020, 1, 1),
            manager_id="m-1",
            locale="en",
            email=ADDRESSES["e-1"],
        )
    )
    built.materialise(date(2026, 1, 1), date(2026, 1, 31))
    yield built
    built.store.close()


def notifier(port: int, clock: FixedClock, **options: Any) -> EmailNotifier:
    return EmailNotifier(
        "127.0.0.1",
        port,
        sender="HR <hr@example.org>",
        timeout=5.0,
        clock=clock,
        message_id_domain="hr.example.org",
        **options,
    )


def dispatcher(
    store: Store, sender: Any, clock: FixedClock, *, owner: str = "w1", **options: Any
) -> Dispatcher:
    return Dispatcher(store, sender, clock, owner=owner, **options)


def scheduled(service: ConversationService) -> tuple[Conversation, list[str]]:
    """Schedule Ed's first conversation; returns it and the keys of the two messages."""
    talk = service.administration.conversations_of("e-1")[0]
    talk = service.schedule(talk.id, START)
    return talk, [reminder_key("scheduled", talk.id, who, 0) for who in ("e-1", "m-1")]


def row(store: Store, key: str) -> OutboxMessage:
    with store.unit_of_work() as uow:
        found = uow.outbox.by_key(key)
    assert found is not None, key
    return found


def ids_of(keys: list[str]) -> set[str]:
    return {message_id(key, domain="hr.example.org") for key in keys}


def test_transient_refusals_back_off_then_each_message_arrives_once(
    mail: tuple[MailServer, int], service: ConversationService, clock: FixedClock
) -> None:
    server, port = mail
    server.script = ["451 4.3.0 Mailbox busy, try again later"] * 3
    _, keys = scheduled(service)
    store = service.store
    work = dispatcher(store, notifier(port, clock), clock, backoff=Backoff(jitter=0.2))

    assert work.run_once() == DispatchReport(retried=2)
    for key in keys:
        failed = row(store, key)
        assert failed.attempts == 1
        assert failed.last_error is not None
        assert "451" in failed.last_error
        assert "Mailbox busy" in failed.last_error
        assert failed.due_at == clock.now() + work.backoff.delay(1, key)

    rounds = 0
    while store.outbox_stats().pending:
        rounds += 1
        assert rounds < 10, "the outbox never drained"
        waiting = [
            row(store, key) for key in keys if row(store, key).status is not OutboxStatus.SENT
        ]
        earliest = min(message.due_at for message in waiting)
        clock.set(earliest - timedelta(seconds=1))
        assert work.run_once() == DispatchReport(), "sent before its backoff had passed"
        clock.set(earliest)
        report = work.run_once()
        assert report.handled >= 1
        for message in waiting:
            after = row(store, message.key)
            if after.status is OutboxStatus.PENDING and after.attempts > message.attempts:
                assert after.due_at == clock.now() + work.backoff.delay(after.attempts, message.key)

    assert store.outbox_stats() == OutboxStats(sent=2)
    assert len(server.attempts) == 3 + 2  # three refusals, then one acceptance each
    assert set(server.attempts) == ids_of(keys)
    assert server.accepted_ids() == Counter(dict.fromkeys(ids_of(keys), 1))
    assert sorted(str(m["X-Gesprekscyclus-Key"]) for m in server.accepted) == sorted(keys)
    assert sorted(m["To"].addresses[0].addr_spec for m in server.accepted) == sorted(
        ADDRESSES.values()
    )
    clock.advance(days=1)
    assert work.run_once() == DispatchReport()
    assert len(server.accepted) == 2


def test_a_mail_server_that_is_down_loses_nothing(
    service: ConversationService, clock: FixedClock
) -> None:
    port = free_port()  # nothing listens here yet
    _, keys = scheduled(service)
    store = service.store
    work = dispatcher(store, notifier(port, clock), clock)
    assert work.run_once() == DispatchReport(retried=2)
    for key in keys:
        assert "SMTP server 127.0.0.1:" in (row(store, key).last_error or "")

    handler = MailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        clock.set(max(row(store, key).due_at for key in keys))
        assert work.run_once() == DispatchReport(sent=2)
    finally:
        controller.stop()
    assert handler.accepted_ids() == Counter(dict.fromkeys(ids_of(keys), 1))
    assert store.outbox_stats() == OutboxStats(sent=2)


def test_a_permanent_refusal_is_a_dead_letter_that_replays_once_fixed(
    mail: tuple[MailServer, int], service: ConversationService, clock: FixedClock
) -> None:
    server, port = mail
    server.refused[ADDRESSES["e-1"]] = "550 5.1.1 <ed@example.org>: mailbox unknown"
    _, (to_ed, to_mia) = scheduled(service)
    store = service.store
    work = dispatcher(store, notifier(port, clock), clock)

    assert work.run_once() == DispatchReport(sent=1, dead=1)
    (dead,) = store.dead_letters()
    assert dead.key == to_ed
    assert dead.status is OutboxStatus.DEAD
    assert dead.attempts == 1
    assert dead.last_error is not None
    assert "550" in dead.last_error
    assert "mailbox unknown" in dead.last_error
    assert dead.notification.recipient.email == ADDRESSES["e-1"]
    assert server.accepted_ids() == Counter(ids_of([to_mia]))

    clock.advance(hours=6)
    assert work.run_once() == DispatchReport(), "a dead letter is not retried by itself"

    server.refused.clear()  # the mailbox was created
    assert store.replay(dead.id, now=clock.now())
    assert not store.replay(dead.id, now=clock.now()), "only a dead letter can be replayed"
    assert store.dead_letters() == []
    assert work.run_once() == DispatchReport(sent=1)
    assert work.run_once() == DispatchReport()
    assert store.outbox_stats() == OutboxStats(sent=2)
    assert server.accepted_ids() == Counter(ids_of([to_ed, to_mia]))


def test_a_server_that_keeps_refusing_ends_in_the_dead_letters_with_its_last_reply(
    mail: tuple[MailServer, int], service: ConversationService, clock: FixedClock
) -> None:
    server, port = mail
    server.script = ["421 4.7.0 Too many connections"] * 6
    _, keys = scheduled(service)
    store = service.store
    work = dispatcher(store, notifier(port, clock), clock, max_attempts=3)
    totals = DispatchReport()
    for _ in range(3):
        totals += work.run_once()
        clock.advance(days=1)
    assert totals == DispatchReport(retried=4, dead=2)
    dead = store.dead_letters()
    assert sorted(message.key for message in dead) == sorted(keys)
    for message in dead:
        assert message.attempts == 3
        assert message.last_error is not None
        assert "421" in message.last_error
        assert "gave up after 3 attempts" in message.last_error
    assert server.accepted == []


def calendar_of(message: EmailMessage) -> tuple[str, Any]:
    """The method parameter of the text/calendar part and its single event."""
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    (part,) = parts
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = icalendar.Calendar.from_ical(payload)
    (attachment,) = (p for p in message.walk() if p.get_content_type() == "application/ics")
    assert attachment.get_payload(decode=True) == payload
    assert str(calendar["METHOD"]) == part.get_param("method")
    (event,) = calendar.walk("VEVENT")
    return str(part.get_param("method")), event


def test_schedule_reschedule_cancel_keep_one_uid_and_raise_the_sequence(
    mail: tuple[MailServer, int], service: ConversationService, clock: FixedClock
) -> None:
    server, port = mail
    work = dispatcher(service.store, notifier(port, clock), clock)
    talk, _ = scheduled(service)
    assert work.run_once() == DispatchReport(sent=2)
    clock.advance(hours=2)
    moved_to = START + timedelta(days=1, hours=4)
    service.reschedule(talk.id, moved_to, reason="Mia is away that day")
    assert work.run_once() == DispatchReport(sent=2)
    clock.advance(hours=2)
    service.cancel(talk.id, reason="Ed changes teams")
    assert work.run_once() == DispatchReport(sent=2)

    assert len(server.accepted) == 6
    assert len(server.accepted_ids()) == 6, "each change is a message of its own"
    for address in ADDRESSES.values():
        received = [m for m in server.accepted if m["To"].addresses[0].addr_spec == address]
        assert [m["X-Gesprekscyclus-Kind"] for m in received] == [
            "scheduled",
            "scheduled",
            "cancelled",
        ]
        steps = [calendar_of(message) for message in received]
        assert [method for method, _ in steps] == ["REQUEST", "REQUEST", "CANCEL"]
        events = [event for _, event in steps]
        assert {str(event["UID"]) for event in events} == {f"{talk.id}@example.org"}
        sequences = [int(event["SEQUENCE"]) for event in events]
        assert sequences[0] == 0
        assert sequences[1] > sequences[0]
        assert sequences[2] > sequences[1]  # a cancellation is a revision too
        assert events[0].decoded("DTSTART") == START
        assert events[1].decoded("DTSTART") == moved_to
        assert events[2].decoded("DTSTART") == moved_to
        assert [str(event["STATUS"]) for event in events] == [
            "CONFIRMED",
            "CONFIRMED",
            "CANCELLED",
        ]
        attendees = {str(a).removeprefix("mailto:") for a in events[0].get("ATTENDEE")}
        assert attendees == set(ADDRESSES.values())
        assert str(events[0]["ORGANIZER"]) == f"mailto:{ADDRESSES['m-1']}"


class CrashesAfterSending(EmailNotifier):
    """Hands the message to the server, then fails once per key in ``crash_on``, as a worker
    would that dies before it could record the delivery."""

    def __init__(self, *args: Any, crash_on: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crash_on = crash_on

    def send(self, notification: Notification) -> None:
        super().send(notification)
        if notification.key in self.crash_on:
            self.crash_on.discard(notification.key)
            raise RuntimeError("worker crashed after the server took the message")


def test_an_error_after_the_server_took_the_message_repeats_only_that_message(
    mail: tuple[MailServer, int], service: ConversationService, clock: FixedClock
) -> None:
    server, port = mail
    _, (to_ed, to_mia) = scheduled(service)
    store = service.store
    sender = CrashesAfterSending(
        "127.0.0.1",
        port,
        sender="HR <hr@example.org>",
        timeout=5.0,
        clock=clock,
        message_id_domain="hr.example.org",
        crash_on={to_ed},
    )
    work = dispatcher(store, sender, clock)
    assert work.run_once() == DispatchReport(sent=1, retried=1)
    clock.set(row(store, to_ed).due_at)
    assert work.run_once() == DispatchReport(sent=1)
    clock.advance(days=1)
    assert work.run_once() == DispatchReport()

    ed_id, mia_id = (
        message_id(to_ed, domain="hr.example.org"),
        message_id(to_mia, domain="hr.example.org"),
    )
    assert server.accepted_ids() == Counter({ed_id: 2, mia_id: 1})
    repeats = [m for m in server.accepted if m["Message-ID"] == ed_id]
    assert repeats[0]["X-Gesprekscyclus-Key"] == repeats[1]["X-Gesprekscyclus-Key"] == to_ed
    texts = [message.get_body(("plain",)) for message in repeats]
    assert texts[0] is not None
    assert texts[1] is not None
    assert texts[0].get_content() == texts[1].get_content()
    assert store.outbox_stats() == OutboxStats(sent=2)


class Killed(BaseException):
    """Stands for the worker process being killed: nothing after it runs."""


class KilledAfterSending(EmailNotifier):
    """Hands the first message to the server and then 'dies'."""

    def send(self, notification: Notification) -> None:
        super().send(notification)
        raise Killed


class NoRelease:
    """A store as seen by a process that is killed: leases it holds are never given back."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def release(self, owner: str, ids: Any) -> int:
        return 0


def test_a_killed_worker_leaves_leases_that_expire_and_only_its_unrecorded_send_repeats(
    mail: tuple[MailServer, int], service: ConversationService, clock: FixedClock
) -> None:
    server, port = mail
    _, keys = scheduled(service)
    store = service.store
    doomed = Dispatcher(
        NoRelease(store),
        KilledAfterSending(
            "127.0.0.1",
            port,
            sender="HR <hr@example.org>",
            timeout=5.0,
            clock=clock,
            message_id_domain="hr.example.org",
        ),
        clock,
        owner="w1",
        lease_seconds=60,
    )
    with pytest.raises(Killed):
        doomed.run_once()
    (first_id,) = server.accepted_ids()
    assert store.outbox_stats() == OutboxStats(pending=2, leased=2)

    survivor = dispatcher(store, notifier(port, clock), clock, owner="w2", lease_seconds=60)
    clock.advance(seconds=30)
    assert survivor.run_once() == DispatchReport(), "the leases of the killed worker still hold"
    clock.advance(seconds=31)
    assert survivor.run_once() == DispatchReport(sent=2)
    assert survivor.run_once() == DispatchReport()

    counts = server.accepted_ids()
    assert set(counts) == ids_of(keys)
    assert counts[first_id] == 2, "the message sent before the kill arrives again, same id"
    assert sum(counts.values()) == 3, "nothing else is repeated"
    assert store.outbox_stats() == OutboxStats(sent=2)
