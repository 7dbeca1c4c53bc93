"""Erasure, access export and retention purges through the service, on every store."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from gesprekscyclus.adapters.memory import MemoryStore, MemoryUnitOfWork
from gesprekscyclus.adapters.notifiers.recording import RecordingNotifier
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.absence_records import OccupationalHealthAdvice, SickReportRecord
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.pseudonyms import mentions, placeholder_for
from gesprekscyclus.errors import ConflictError, ErasureRefusedError, NotFoundError
from gesprekscyclus.planning.design import CycleDesign, Retention, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import Store
from gesprekscyclus.service import privacy
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.dispatch import Dispatcher
from gesprekscyclus.service.privacy import EXPORT_FORMAT, EXPORT_VERSION, PersonalLog

from .postgres_support import postgres_factory

StoreFactory = Callable[[], Store]
T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def _memory(_tmp_path: Path) -> StoreFactory:
    return MemoryStore


def _sqlite(tmp_path: Path) -> StoreFactory:
    return lambda: open_sqlite_store(tmp_path / "privacy.db")


STORES = [
    pytest.param(_memory, id="memory"),
    pytest.param(_sqlite, id="sqlite"),
    pytest.param(postgres_factory, id="postgres", marks=pytest.mark.postgres),
]

DESIGN = CycleDesign(
    name="privacy",
    cycle_start=date(2026, 1, 1),
    types=(
        TypeRule(
            type="check_in",
            cadence=(Interval(every=1, unit="months", anchor="cycle_start"),),
            retention=Retention(years=1, after="held"),
        ),
        TypeRule(type="growth_review", cadence=(Interval(every=1, unit="years"),)),
    ),
)

MILA = Person(id="m-1", name="Mila Manager", hire_date=date(2019, 1, 1), email="mila@example.org")
EVA = Person(
    id="e-1",
    name="Eva Verwijderd",
    hire_date=date(2022, 3, 1),
    manager_id="m-1",
    email="eva.verwijderd@example.org",
)
BRAM = Person(id="e-2", name="Bram Blijft", hire_date=date(2021, 5, 1), manager_id="m-1")


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    make: Callable[[Path], StoreFactory] = request.param
    opened = make(tmp_path)()
    yield opened
    opened.close()


class World:
    """A small organisation with a history: conversations held, notes, a report, items,
    sent and pending reminders."""

    def __init__(self, store: Store):
        self.store = store
        self.clock = FixedClock(T0)
        self.service = ConversationService(store, self.clock, design=DESIGN)
        self.notifier = RecordingNotifier()
        self.dispatcher = Dispatcher(store, self.notifier, self.clock, owner="test")
        for person in (MILA, EVA, BRAM):
            self.service.hire(person)
        self.service.materialise(date(2026, 1, 1), date(2026, 6, 30))

    def hold_first(self, employee_id: str, note: str) -> str:
        talk = next(
            t
            for t in self.service.administration.conversations_of(employee_id)
            if t.type_key == "check_in"
        )
        self.service.schedule(talk.id, self.clock.now() + timedelta(hours=2))
        self.dispatcher.run_once()  # the invitations go out before it is held
        self.service.add_note(talk.id, "m-1", note)
        self.service.add_note(talk.id, "m-1", f"private {note}", private=True)
        self.service.add_note(talk.id, employee_id, f"own {note}")
        self.service.record_held(talk.id)
        self.service.create_action_item(talk.id, f"Follow up {note}", owner_id="m-1")
        return talk.id

    def remind(self) -> None:
        self.service.enqueue_due_reminders(self.clock.now())
        self.dispatcher.run_once()


@pytest.fixture
def world(store: Store) -> World:
    return World(store)


def _everything(store: Store) -> str:
    """Every stored value as text, for searching."""
    with store.unit_of_work() as uow:
        people = uow.people.all()
        texts = [repr(p) for p in people]
        for person_id in {p.id for p in people} | {"e-1", "m-1", "e-2"}:
            texts += [repr(x) for x in uow.conversations.mentioning(person_id)]
            texts += [repr(x) for x in uow.reports.mentioning(person_id)]
            texts += [repr(x) for x in uow.action_items.mentioning(person_id)]
            texts += [repr(x) for x in uow.events.for_person(person_id)]
            texts += [repr(x) for x in uow.absence_records.for_person(person_id)]
        texts += [repr(m) for m in uow.outbox.mentioning(["e-1", "m-1", "e-2"])]
    return "\n".join(texts)


def test_erasure_removes_the_person_everywhere_and_keeps_others_records(world: World) -> None:
    service = world.service
    eva_talk = world.hold_first("e-1", "Eva's secret plan")
    bram_talk = world.hold_first("e-2", "Bram's plan")
    service.create_report(eva_talk, "Summary for Eva", author_id="m-1")
    service.record_absence(
        SickReportRecord(person_id="e-1", first_sick_day=date(2026, 1, 6), contact_phone="0612")
    )
    service.record_recovery("e-1", on=date(2026, 1, 9))
    world.clock.set(T0 + timedelta(days=20))
    world.remind()
    assert world.notifier.sent  # reminders went out and are stored as sent

    report = service.erase_person("e-1", reason="request of 2026-01-25 (AVG art. 17)")

    assert report.removed["people"] == 1
    text = _everything(world.store)
    for secret in ("e-1", "Eva Verwijderd", "eva.verwijderd@example.org", "Eva's secret", "0612"):
        assert secret not in text
    with pytest.raises(NotFoundError):
        service.person("e-1")
    kept = service.administration.conversation(bram_talk)
    assert kept.notes_for("e-2")  # Bram's file is untouched
    assert service.person("m-1") == MILA


def test_erasure_counts_per_kind(world: World) -> None:
    service = world.service
    talk = world.hold_first("e-1", "n")
    service.create_report(talk, "Summary", author_id="m-1")
    own = len(service.administration.conversations_of("e-1"))
    report = service.erase_person("e-1", reason="request")
    assert report.removed["conversations"] == own
    assert report.removed["reports"] == 1
    assert report.removed["action_items"] == 1
    assert report.removed["life_events"] == 1  # hired
    assert report.reason == "request"
    assert report.removed.total == sum(count for _kind, count in report.removed.counts)


def test_a_manager_is_replaced_by_a_placeholder_in_their_team_s_records(world: World) -> None:
    service = world.service
    talk = world.hold_first("e-2", "Bram's plan")
    with pytest.raises(ConflictError, match="still the manager of e-1, e-2"):
        service.erase_person("m-1", reason="left long ago")
    service.upsert_person(Person(id="e-2", name="Bram Blijft", hire_date=date(2021, 5, 1)))
    service.change_manager("e-1", "e-2", on=date(2026, 1, 6))
    service.erase_person("m-1", reason="left long ago")
    kept = service.administration.conversation(talk)
    placeholder = placeholder_for("m-1")
    assert kept.manager_id == placeholder
    assert not mentions(kept, "m-1")
    notes = kept.notes_for(placeholder)
    assert [n.text for n in notes] == ["Bram's plan", "own Bram's plan"]  # private one gone
    with world.store.unit_of_work() as uow:
        (item,) = uow.action_items.mentioning(placeholder)
    assert (item.owner_id, item.manager_id, item.employee_id) == (placeholder, placeholder, "e-2")


def test_erasure_is_refused_while_an_absence_case_is_open(world: World) -> None:
    world.service.record_sick_report("e-1", on=date(2026, 1, 6))
    with pytest.raises(ErasureRefusedError, match="re-integration file") as caught:
        world.service.erase_person("e-1", reason="request")
    assert caught.value.person_id == "e-1"
    assert world.service.person("e-1") == EVA  # nothing was removed
    world.service.record_recovery("e-1", on=date(2026, 1, 12))
    assert world.service.erase_person("e-1", reason="request").removed["people"] == 1


def test_erasure_needs_a_reason_and_a_known_person(world: World) -> None:
    with pytest.raises(Exception, match="reason"):
        world.service.erase_person("e-1", reason=" ")
    with pytest.raises(NotFoundError):
        world.service.erase_person("nobody", reason="request")


def test_the_export_holds_everything_about_the_person_and_nothing_private_of_others(
    world: World,
) -> None:
    service = world.service
    talk = world.hold_first("e-1", "plan")
    service.create_report(talk, "Summary for Eva", author_id="m-1")
    service.share_report(talk, comment_until=date(2026, 1, 20))
    service.record_absence(
        SickReportRecord(person_id="e-1", first_sick_day=date(2026, 1, 6), contact_phone="0612")
    )
    service.record_absence(
        OccupationalHealthAdvice(person_id="e-1", on=date(2026, 1, 7), work_ability="no_work")
    )
    world.clock.set(T0 + timedelta(days=20))
    world.remind()
    document = service.export_person("e-1")
    assert json.loads(json.dumps(document)) == document  # plain JSON
    assert (document["format"], document["version"]) == (EXPORT_FORMAT, EXPORT_VERSION)
    assert document["person"]["email"] == "eva.verwijderd@example.org"
    assert [e["kind"] for e in document["life_events"]] == ["hired", "sick_report"]
    assert [r["kind"] for r in document["absence_records"]] == [
        "sick_report",
        "occupational_health_advice",
    ]
    assert {c["employee_id"] for c in document["conversations"]} == {"e-1"}
    held = next(c for c in document["conversations"] if c["id"] == talk)
    assert [n["text"] for n in held["notes"]] == ["plan", "own plan"]
    assert "private plan" not in json.dumps(document)
    assert [r["summary"] for r in document["reports"]] == ["Summary for Eva"]
    assert [i["title"] for i in document["action_items"]] == ["Follow up plan"]
    assert document["messages"]
    assert all(m["notification"]["recipient"]["id"] == "e-1" for m in document["messages"])


def test_the_manager_s_export_holds_their_private_notes(world: World) -> None:
    world.hold_first("e-1", "plan")
    document = world.service.export_person("m-1")
    notes = [n["text"] for c in document["conversations"] for n in c["notes"]]
    assert "private plan" in notes


def test_purge_removes_what_retention_no_longer_allows(world: World) -> None:
    service = world.service
    talk = world.hold_first("e-2", "plan")
    service.give_notice("e-1", on=date(2026, 1, 10), last_day=date(2026, 2, 28))
    service.record_absence(
        OccupationalHealthAdvice(person_id="e-2", on=date(2026, 1, 7), work_ability="no_work")
    )
    service.record_sick_report("e-2", on=date(2026, 1, 6))
    service.record_recovery("e-2", on=date(2026, 1, 20))
    world.clock.set(T0 + timedelta(hours=1))  # before the talk: its reminders still serve
    world.remind()

    sent = {n.key for n in world.notifier.sent}
    assert sent
    soon = service.purge(datetime(2026, 6, 1, tzinfo=UTC))
    assert soon.removed["outbox_payloads"] == len(sent)  # sent more than 90 days before
    with world.store.unit_of_work() as uow:
        for key in sent:
            row = uow.outbox.by_key(key)
            assert row is not None
            assert row.notification.recipient.id == "redacted"
    world.clock.set(T0 + timedelta(days=1))
    world.remind()  # the same reminders are due again: their kept keys stop a second send
    assert len(world.notifier.sent) == len(sent)
    assert soon.removed["people"] == 0
    assert service.administration.conversation(talk)

    dry = service.purge(datetime(2027, 1, 10, tzinfo=UTC), dry_run=True)
    assert dry.dry_run
    assert dry.removed["conversations"] == 1  # the check-in, 1 year on
    assert service.administration.conversation(talk)  # a dry run changes nothing
    done = service.purge(datetime(2027, 1, 10, tzinfo=UTC))
    assert done.removed == dry.removed
    with pytest.raises(NotFoundError):
        service.administration.conversation(talk)
    assert service.person("e-1")  # left on 2026-02-28: kept until 2028-02-28

    later = service.purge(datetime(2028, 2, 29, tzinfo=UTC))
    assert later.removed["people"] == 1
    assert later.removed["absence_records"] == 1  # the advice, 2 years after recovery
    with pytest.raises(NotFoundError):
        service.person("e-1")
    assert service.administration.absence_records("e-2") == []
    assert service.purge(datetime(2028, 3, 1, tzinfo=UTC)).removed.total == 0


def test_purge_keeps_a_leaver_with_an_open_case_and_says_why(world: World) -> None:
    service = world.service
    service.give_notice("e-1", on=date(2026, 1, 10), last_day=date(2026, 2, 28))
    service.record_sick_report("e-1", on=date(2026, 2, 2))
    report = service.purge(datetime(2029, 1, 1, tzinfo=UTC))
    assert report.removed["people"] == 0
    (why,) = report.kept
    assert why.startswith("e-1: an absence case has been open since 2026-02-02")


def test_inconsistent_sick_events_keep_the_records_and_say_why(world: World) -> None:
    service = world.service
    service.record_recovery("e-1", on=date(2026, 1, 9))  # a recovery without a sick report
    with pytest.raises(ErasureRefusedError, match="do not form valid periods"):
        service.erase_person("e-1", reason="request")
    service.give_notice("e-1", on=date(2026, 1, 10), last_day=date(2026, 2, 28))
    report = service.purge(datetime(2029, 1, 1, tzinfo=UTC))
    (why,) = report.kept
    assert why.startswith("e-1: its sick reports and recoveries do not form valid periods")
    assert service.person("e-1")


def test_the_occupational_physician_s_advice_records_the_prognosis(world: World) -> None:
    service = world.service
    service.record_sick_report("e-1", on=date(2026, 1, 6))
    advice = OccupationalHealthAdvice(
        person_id="e-1", on=date(2026, 2, 2), work_ability="no_work", expected_duration="weeks"
    )
    assert service.record_absence(advice).recorded is True
    revised = OccupationalHealthAdvice(
        person_id="e-1", on=date(2026, 2, 2), work_ability="no_work", expected_duration="long_term"
    )
    assert service.record_absence(revised).recorded is False
    assert service.administration.absence_records("e-1") == [revised]
    with world.store.unit_of_work() as uow:
        prognoses = [e for e in uow.events.for_person("e-1") if e.kind.value == "prognosis"]
    assert [(e.on, e.detail) for e in prognoses] == [(date(2026, 2, 2), "long_term")]


def test_others_reminders_keep_their_key_but_lose_the_erased_person(world: World) -> None:
    service = world.service
    talk = world.hold_first("e-2", "plan")  # m-1's note keeps them on Bram's conversation
    world.clock.set(T0 + timedelta(days=20))
    world.remind()
    with world.store.unit_of_work() as uow:
        to_bram = [
            m for m in uow.outbox.mentioning(["e-2"]) if m.notification.recipient.id == "e-2"
        ]
    assert to_bram
    assert any("Mila Manager" in repr(m.notification) for m in to_bram)
    service.upsert_person(Person(id="e-2", name="Bram Blijft", hire_date=date(2021, 5, 1)))
    service.upsert_person(Person(id="e-1", name="Eva", hire_date=date(2022, 3, 1)))
    report = service.erase_person("m-1", reason="left")
    assert report.removed.pseudonymised >= len(to_bram)
    with world.store.unit_of_work() as uow:
        for before in to_bram:
            after = uow.outbox.by_key(before.key)
            assert after is not None
            assert (after.id, after.status) == (before.id, before.status)
            assert "Mila" not in repr(after.notification)
            assert not mentions(after.notification, "m-1")
    assert service.administration.conversation(talk).manager_id == placeholder_for("m-1")


class _Log:
    """A personal log as the access log will be: rows of (person, instant)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, datetime]] = []

    def delete_for_person(self, person_id: str) -> int:
        before = len(self.rows)
        self.rows = [row for row in self.rows if row[0] != person_id]
        return before - len(self.rows)

    def delete_before(self, instant: datetime) -> int:
        before = len(self.rows)
        self.rows = [row for row in self.rows if row[1] >= instant]
        return before - len(self.rows)


class _LoggedStore(MemoryStore):
    """A memory store whose units of work carry one more repository."""

    def __init__(self, log: _Log):
        super().__init__()
        self.log = log

    @contextmanager
    def unit_of_work(self) -> Iterator[MemoryUnitOfWork]:
        with super().unit_of_work() as uow:
            uow.reads = self.log  # type: ignore[attr-defined]
            yield uow


def test_personal_logs_join_erasure_purge_and_export_with_one_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = _Log()
    entry = PersonalLog(
        "reads",
        lambda policy: policy.access_log_days,
        export=lambda repo, person: [at.isoformat() for who, at in repo.rows if who == person],
    )
    monkeypatch.setattr(privacy, "PERSONAL_LOGS", (entry,))
    service = ConversationService(_LoggedStore(log), FixedClock(T0), design=DESIGN)
    for person in (MILA, EVA, BRAM):
        service.hire(person)
    log.rows = [("e-1", T0), ("e-2", T0), ("e-2", T0 - timedelta(days=200))]
    assert service.export_person("e-2")["reads"] == [
        T0.isoformat(),
        (T0 - timedelta(days=200)).isoformat(),
    ]
    assert service.purge(T0).removed["reads"] == 1  # older than 90 days
    assert service.erase_person("e-1", reason="request").removed["reads"] == 1
    assert log.rows == [("e-2", T0)]
