"""Syncing the stored people with a staff table: life events, idempotence, all or nothing."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.cadence import Interval
from gesprekscyclus.domain.events import LifeEventKind
from gesprekscyclus.domain.people import Person, WorkingPattern
from gesprekscyclus.errors import ConflictError, DesignError, InvalidValueError
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import Store
from gesprekscyclus.serialization import to_data
from gesprekscyclus.service.app import ConversationService

from .postgres_support import disposable_store

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
DESIGN = CycleDesign(
    name="sync tests",
    cycle_start=date(2026, 1, 1),
    types=(TypeRule(type="check_in", cadence=(Interval(every=1, unit="months"),)),),
)
HORIZON = (date(2026, 1, 1), date(2026, 6, 30))
SYNC_DAY = date(2026, 3, 1)


def _staff() -> list[Person]:
    return [
        Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)),
        Person(id="m-2", name="Max", hire_date=date(2016, 1, 1)),
        Person(id="e-1", name="Eva", hire_date=date(2020, 3, 1), manager_id="m-1"),
        Person(id="e-2", name="Ed", hire_date=date(2021, 6, 1), manager_id="m-1"),
    ]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        made: Store = MemoryStore()
    elif request.param == "sqlite":
        made = open_sqlite_store(tmp_path / "s.db")
    else:
        made = disposable_store()
    yield made
    made.close()


def _service(store: Store) -> ConversationService:
    return ConversationService(store, FixedClock(T0), design=DESIGN)


def _people(service: ConversationService) -> dict[str, Person]:
    with service.store.unit_of_work() as uow:
        return {person.id: person for person in uow.people.all()}


def test_a_first_sync_hires_everyone_on_their_hire_date(store: Store) -> None:
    service = _service(store)
    report = service.sync_people(_staff(), on=SYNC_DAY)
    assert report.hired == ("e-1", "e-2", "m-1", "m-2")
    assert (report.changed, report.left, report.unchanged) == ((), (), ())
    assert list(_people(service).values()) == sorted(_staff(), key=lambda p: p.id)
    with store.unit_of_work() as uow:
        hired = [e for e in uow.events.for_person("e-1") if e.kind is LifeEventKind.HIRED]
    assert [e.on for e in hired] == [date(2020, 3, 1)]
    assert service.find_person("e-1") == _staff()[2]
    assert service.find_person("nobody") is None


def test_a_manager_change_moves_conversations_exactly_as_change_manager_does(
    tmp_path: Path,
) -> None:
    synced, by_hand = _service(MemoryStore()), _service(MemoryStore())
    for service in (synced, by_hand):
        service.sync_people(_staff(), on=SYNC_DAY)
        service.materialise(*HORIZON)
    staff = _staff()
    staff[2] = attrs.evolve(staff[2], manager_id="m-2")
    report = synced.sync_people(staff, on=SYNC_DAY)
    expected = by_hand.change_manager("e-1", "m-2", on=SYNC_DAY)
    (change,) = report.changed
    assert (change.person_id, change.fields) == ("e-1", ("manager_id",))
    assert change.manager == expected
    assert to_data(report)["changed"] == [to_data(change)]  # a report hosts can send on
    assert expected.moved  # conversations from the sync day on moved to the new manager
    assert synced.conversations_of("e-1", reader="e-1") == by_hand.conversations_of(
        "e-1", reader="e-1"
    )
    assert synced.manager_on("e-1", date(2026, 2, 28)) == "m-1"
    assert synced.manager_on("e-1", SYNC_DAY) == "m-2"


def test_other_fields_are_stored_and_reported_by_name(store: Store) -> None:
    service = _service(store)
    service.sync_people(_staff(), on=SYNC_DAY)
    staff = _staff()
    staff[3] = attrs.evolve(
        staff[3],
        team="Sales",
        contract="temporary",
        working_pattern=WorkingPattern.of("mon tue"),
        manager_id="m-2",
    )
    report = service.sync_people(staff, on=SYNC_DAY)
    (change,) = report.changed
    assert change.fields == ("manager_id", "team", "working_pattern", "contract")
    assert report.unchanged == ("e-1", "m-1", "m-2")
    assert service.find_person("e-2") == staff[3]


def test_leavers_get_notice_and_the_day_before_the_sync_as_their_last_day(store: Store) -> None:
    service = _service(store)
    service.sync_people(_staff(), on=SYNC_DAY)
    report = service.sync_people(_staff()[:3], on=SYNC_DAY)
    assert report.left == ("e-2",)
    assert report.last_day == date(2026, 2, 28)
    left = service.find_person("e-2")
    assert left is not None
    assert left.end_date == date(2026, 2, 28)
    with store.unit_of_work() as uow:
        kinds = {e.kind for e in uow.events.for_person("e-2")}
    assert {LifeEventKind.NOTICE_GIVEN, LifeEventKind.LAST_DAY} <= kinds
    again = service.sync_people(_staff()[:3], on=date(2026, 4, 1))
    assert again.left == ()
    assert "e-2" in again.unchanged


def test_an_earlier_end_date_is_notice_and_a_later_one_is_refused(store: Store) -> None:
    service = _service(store)
    staff = _staff()
    staff[2] = attrs.evolve(staff[2], end_date=date(2026, 5, 31))
    service.sync_people(staff, on=SYNC_DAY)
    staff[2] = attrs.evolve(staff[2], end_date=date(2026, 4, 30))
    (change,) = service.sync_people(staff, on=SYNC_DAY).changed
    assert change.fields == ("end_date",)
    assert service.manager_on("e-1", date(2026, 4, 1)) == "m-1"
    staff[2] = attrs.evolve(staff[2], end_date=date(2026, 6, 30))
    with pytest.raises(ConflictError, match=r"Person\.end_date: 'e-1'.*later"):
        service.sync_people(staff, on=SYNC_DAY)
    staff[2] = attrs.evolve(staff[2], end_date=None)
    with pytest.raises(ConflictError, match="cannot take it away"):
        service.sync_people(staff, on=SYNC_DAY)


def test_a_refused_change_stores_nothing_of_the_sync(store: Store) -> None:
    service = _service(store)
    staff = _staff()
    staff[2] = attrs.evolve(staff[2], end_date=date(2026, 5, 31))
    service.sync_people(staff, on=SYNC_DAY)
    before = _people(service)
    with store.unit_of_work() as uow:
        events_before = uow.events.all()
    newcomer = Person(id="a-0", name="Ada", hire_date=date(2026, 3, 1), manager_id="m-2")
    staff = [newcomer, *staff[:3]]  # a hire, e-2 leaves ...
    staff[1] = attrs.evolve(staff[1], team="Sales")  # ... a change ...
    staff[3] = attrs.evolve(staff[3], end_date=date(2026, 7, 31))  # ... and a refused one
    with pytest.raises(ConflictError):
        service.sync_people(staff, on=SYNC_DAY)
    assert _people(service) == before
    with store.unit_of_work() as uow:
        assert uow.events.all() == events_before


def test_records_are_checked_like_a_people_file_before_anything_is_stored() -> None:
    service = _service(MemoryStore())
    records = [
        {"id": "m-1", "name": "Mia", "hire_date": "2015-01-01"},
        {"id": "e-1", "name": "Eva", "hire_date": "2020-02-30", "manager_id": "m-9"},
        Person(id="m-1", name="Mia again", hire_date=date(2015, 1, 1)),
    ]
    with pytest.raises(DesignError) as raised:
        service.sync_people(records, on=SYNC_DAY)
    text = str(raised.value)
    assert "records:2: hire_date: '2020-02-30' is not a valid date" in text
    assert "records:3: id: duplicate id 'm-1' (first on line 1)" in text
    assert _people(service) == {}
    with pytest.raises(DesignError, match="holds no records"):
        service.sync_people([], on=SYNC_DAY)
    for bad in (None, "id,name", {"id": "x"}):
        with pytest.raises(InvalidValueError, match=r"^records: must be a list"):
            service.sync_people(bad, on=SYNC_DAY)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match=r"^on: must be a date"):
        service.sync_people(records[:1], on="2026-03-01")  # type: ignore[arg-type]
    with pytest.raises(DesignError, match="records:1: team: must be text, got int"):
        service.sync_people([{"id": "x", "name": "X", "hire_date": "2020-01-01", "team": 3}],
                            on=SYNC_DAY)  # fmt: skip


def test_mappings_and_people_mix_and_none_is_an_empty_field() -> None:
    service = _service(MemoryStore())
    records = [
        Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)),
        {"id": "e-1", "name": "Eva", "hire_date": "2020-03-01", "manager_id": "m-1", "team": None},
    ]
    assert service.sync_people(records, on=SYNC_DAY).hired == ("e-1", "m-1")
    assert service.find_person("e-1") == Person(
        id="e-1", name="Eva", hire_date=date(2020, 3, 1), manager_id="m-1"
    )


# --- properties -----------------------------------------------------------------------------

_IDS = [f"p-{n}" for n in range(6)]


@st.composite
def _staff_tables(draw: st.DrawFn) -> list[Person]:
    """A valid staff table: a subset of a fixed pool, managers among earlier members."""
    chosen = draw(st.lists(st.sampled_from(_IDS), min_size=1, unique=True))
    people: list[Person] = []
    for index, person_id in enumerate(chosen):
        manager = draw(st.none() | st.sampled_from(chosen[:index])) if index else None
        days = draw(st.sets(st.integers(2, 5), max_size=3))
        people.append(
            Person(
                id=person_id,
                name=draw(st.sampled_from(["An", "Bo", "Cas"])),
                hire_date=draw(st.sampled_from([date(2019, 1, 1), date(2024, 6, 1)])),
                manager_id=manager,
                team=draw(st.none() | st.sampled_from(["Sales", "Ops"])),
                contract=draw(st.none() | st.just("temporary")),
                working_pattern=WorkingPattern(frozenset({1, *days})),  # Mondays shared
            )
        )
    return people


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=_staff_tables(), second=_staff_tables())
def test_sync_twice_is_sync_once_and_leaves_the_records_stored(
    first: list[Person], second: list[Person]
) -> None:
    _sync_twice_is_sync_once(MemoryStore(), first, second)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=_staff_tables(), second=_staff_tables())
def test_sync_twice_is_sync_once_on_a_sqlite_file(
    first: list[Person], second: list[Person]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = open_sqlite_store(Path(folder) / "sync.db")
        try:
            _sync_twice_is_sync_once(store, first, second)
        finally:
            store.close()


def _sync_twice_is_sync_once(store: Store, first: list[Person], second: list[Person]) -> None:
    service = _service(store)
    service.sync_people(first, on=SYNC_DAY)
    service.materialise(*HORIZON)
    on = date(2026, 4, 1)
    service.sync_people(second, on=on)
    with service.store.unit_of_work() as uow:
        once = (uow.people.all(), uow.events.all(), uow.conversations.by_ids(_all_ids(uow)))
    again = service.sync_people(second, on=on)
    assert not again.changes_anything
    assert again.unchanged == tuple(sorted({p.id for p in first} | {p.id for p in second}))
    with service.store.unit_of_work() as uow:
        twice = (uow.people.all(), uow.events.all(), uow.conversations.by_ids(_all_ids(uow)))
    assert twice == once
    stored = {person.id: person for person in once[0]}
    for person in second:
        assert stored[person.id] == person
    for person_id in stored.keys() - {p.id for p in second}:
        end = stored[person_id].end_date
        assert end is not None
        assert end <= max(date(2026, 3, 31), stored[person_id].hire_date)


def _all_ids(uow: object) -> list[str]:
    ids: list[str] = []
    for person in uow.people.all():  # type: ignore[attr-defined]
        ids.extend(talk.id for talk in uow.conversations.by_employee(person.id))  # type: ignore[attr-defined]
    return ids
