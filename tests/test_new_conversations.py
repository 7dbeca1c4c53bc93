"""New planned conversations written straight as rows equal what the full objects would give.

The reference is :func:`conversation_from_plan` (a validated ``Conversation`` per plan row,
encoded by the store's ``conversation_row``); the bulk path is a :class:`PlannedKind` per
type, a checked :class:`NewConversation` per row and the store's ``new_conversation_row``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.postgres import store as postgres_store
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.adapters.sqlite import store as sqlite_store
from gesprekscyclus.domain.catalog import built_in_catalog
from gesprekscyclus.domain.new_conversations import NewConversations
from gesprekscyclus.errors import GesprekscyclusError
from gesprekscyclus.examples import load_reference
from gesprekscyclus.planning.planner import PlannedConversation
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import Store
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.materialise import conversation_from_plan, planned_kind

from .postgres_support import disposable_store, require_postgres

CATALOG = built_in_catalog()
TYPES = [*sorted(CATALOG.keys()), "custom_type"]
PEOPLE = ["e-1", "m-1", "hr-1", "x", " ", "", "e\x00", "é-2"]
ENCODINGS = {"sqlite": sqlite_store._ENCODING, "postgres": postgres_store._ENCODING}


@st.composite
def _cases(draw: st.DrawFn) -> dict[str, Any]:
    start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)))
    gaps = draw(st.lists(st.integers(min_value=-3, max_value=30), min_size=2, max_size=2))
    return {
        "type_key": draw(st.sampled_from(TYPES)),
        "time_zone": draw(st.sampled_from(["Europe/Amsterdam", "UTC", "America/Curacao"])),
        "catalog": draw(st.sampled_from([CATALOG, None])),
        "hr": draw(st.sampled_from([None, "hr-1", "e-1", "m-1"])),
        "version": draw(st.sampled_from([None, 1, 7])),
        "late": draw(st.booleans()),
        "id": draw(st.sampled_from(["c-1", "c-é", " ", "", "c\x00"])),
        "employee": draw(st.sampled_from(PEOPLE)),
        "manager": draw(st.sampled_from([None, *PEOPLE])),
        "window": (start, start + timedelta(gaps[0]), start + timedelta(gaps[0] + gaps[1])),
    }


def _reference(case: dict[str, Any]) -> Any:
    earliest, target, latest = case["window"]
    row = PlannedConversation(
        id=case["id"],
        type_key=case["type_key"],
        employee_id=case["employee"],
        manager_id=case["manager"],
        occurrence="n0",
        nominal=target,
        earliest=earliest,
        target=target,
        latest=latest,
    )
    try:
        return conversation_from_plan(
            row,
            time_zone=case["time_zone"],
            catalog=case["catalog"],
            hr_contact_id=case["hr"],
            design_version=case["version"],
            known_late=case["late"],
        )
    except GesprekscyclusError as error:
        return error


def _bulk(case: dict[str, Any], making: NewConversations, kinds: dict[Any, Any]) -> Any:
    # One kind object per set of values, as a materialise run shares them between rows.
    values = tuple(case[key] for key in ("type_key", "time_zone", "hr", "version", "late"))
    key = (*values, case["catalog"] is None)
    if key not in kinds:
        kinds[key] = planned_kind(
            case["type_key"],
            time_zone=case["time_zone"],
            catalog=case["catalog"],
            hr_contact_id=case["hr"],
            design_version=case["version"],
            known_late=case["late"],
        )
    kind = kinds[key]
    try:
        return making.add(kind, case["id"], case["employee"], case["manager"], *case["window"])
    except GesprekscyclusError as error:
        return error


@settings(max_examples=400, deadline=None)
@given(st.lists(_cases(), min_size=1, max_size=12))
def test_the_bulk_path_checks_and_encodes_as_the_full_objects(cases: list[dict[str, Any]]) -> None:
    making = NewConversations()  # shared, as in one materialise run: its memory must not leak
    kinds: dict[Any, Any] = {}
    accepted = []
    for case in cases:
        expected, got = _reference(case), _bulk(case, making, kinds)
        if isinstance(expected, GesprekscyclusError):
            assert type(got) is type(expected)
            assert str(got) == str(expected)
            continue
        assert not isinstance(got, GesprekscyclusError), got
        assert got.conversation() == expected
        accepted.append((got, expected))
        for encoding in ENCODINGS.values():
            assert encoding.new_conversation_row(got) == encoding.conversation_row(expected)
    for encoding in ENCODINGS.values():  # in one go, sharing what the rows have in common
        rows = list(encoding.new_conversation_rows(got for got, _ in accepted))
        assert rows == [encoding.conversation_row(expected) for _, expected in accepted]


def _full_objects(store: Store) -> Callable[[], None]:
    """Make ``add_planned`` of ``store`` build each conversation whole (the reference)."""
    original = store.unit_of_work

    def unit_of_work() -> Any:
        context = original()

        class Wrapped:
            def __enter__(self) -> Any:
                uow = context.__enter__()
                conversations = uow.conversations

                def add_planned(new: Any, *, skip_existing: bool = False) -> int:
                    made = [n.conversation() for n in new]
                    return int(conversations.add_many(made, skip_existing=skip_existing))

                conversations.add_planned = add_planned
                return uow

            def __exit__(self, *exc: Any) -> Any:
                return context.__exit__(*exc)

        return Wrapped()

    store.unit_of_work = unit_of_work  # type: ignore[method-assign]
    return lambda: setattr(store, "unit_of_work", original)


def _materialise(store: Store) -> None:
    design, people, events = load_reference()
    at = datetime(2027, 3, 1, 9, tzinfo=UTC)  # part of the horizon lies before: known late
    service = ConversationService(store, FixedClock(at), design=design, hr_contact_id="d-01")
    with store.unit_of_work() as uow:
        for person in people:
            uow.people.upsert(person)
        for event in events:
            uow.events.append(event)
    report = service.materialise(date(2027, 1, 1), date(2027, 12, 31))
    assert report.added > 100
    assert report.late > 0


def _sqlite_rows(path: Path) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT * FROM conversations ORDER BY id").fetchall()


def test_materialise_stores_the_same_sqlite_rows_as_with_full_objects(tmp_path: Path) -> None:
    rows = []
    for name, full in (("bulk.db", False), ("full.db", True)):
        store = open_sqlite_store(tmp_path / name)
        if full:
            _full_objects(store)
        _materialise(store)
        store.close()
        rows.append(_sqlite_rows(tmp_path / name))
    assert rows[0] == rows[1]
    assert len(rows[0]) > 100


def test_materialise_stores_the_same_memory_conversations_as_with_full_objects() -> None:
    found = []
    for full in (False, True):
        store = MemoryStore()
        if full:
            _full_objects(store)
        _materialise(store)
        with store.unit_of_work() as uow:
            found.append(sorted(uow.conversations.by_status(["planned"]), key=lambda c: c.id))
    assert found[0] == found[1]


@pytest.fixture
def postgres_pair() -> Iterator[tuple[Any, Any]]:
    require_postgres()
    first, second = disposable_store(), disposable_store()
    try:
        yield first, second
    finally:
        first.close()
        second.close()


@pytest.mark.postgres
def test_materialise_stores_the_same_postgres_rows_as_with_full_objects(
    postgres_pair: tuple[Any, Any],
) -> None:
    bulk, full = postgres_pair
    _full_objects(full)
    rows = []
    for store in (bulk, full):
        _materialise(store)
        with store._connection("test") as db:  # the raw rows, as stored
            rows.append(db.rows("SELECT * FROM conversations ORDER BY id"))
    assert rows[0] == rows[1]
    assert len(rows[0]) > 100


def test_a_refused_row_writes_nothing(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path / "store.db")
    kind = planned_kind("check_in", time_zone="Europe/Amsterdam")
    making = NewConversations()
    day = date(2026, 3, 2)

    def write(uow: Any) -> None:
        uow.conversations.add_planned([making.add(kind, "c-1", "e-1", "m-1", day, day, day)])
        bad = making.add(kind, "c-2", "e-1", "m-1", day, day, day - timedelta(1))
        uow.conversations.add_planned([bad])

    with pytest.raises(GesprekscyclusError, match="Window"), store.unit_of_work() as uow:
        write(uow)
    with store.unit_of_work() as uow:
        assert uow.conversations.by_ids(["c-1", "c-2"]) == []
    store.close()


@pytest.mark.parametrize("person", [7, ["e-1"], None])
def test_an_id_that_is_no_text_is_refused_by_name(person: Any) -> None:
    kind = planned_kind("check_in", time_zone="Europe/Amsterdam")
    making = NewConversations()
    day = date(2026, 3, 2)
    making.add(kind, "c-1", "e-1", "m-1", day, day, day)  # a checked pair first
    with pytest.raises(GesprekscyclusError, match=r"person_id: must be text"):
        making.add(kind, "c-2", person, "m-1", day, day, day)
