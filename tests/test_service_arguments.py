"""Hostile arguments to every public method of the service are refused, and nothing is stored.

The methods of :class:`ConversationService` are found with ``inspect``, so a new one is
covered without changing this file. Each parameter in turn gets each hostile value (the
others valid where that is easy); only errors of the library's own hierarchy may escape
(never a TypeError, AttributeError or KeyError from deep inside), and after a refusal the
store holds exactly what it held before: a memory store and a real SQLite file alike.
"""

from __future__ import annotations

import contextlib
import inspect
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.absence_records import SickReportRecord
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import GesprekscyclusError, InvalidValueError
from gesprekscyclus.examples import load_reference
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import Store
from gesprekscyclus.service.app import ConversationService

NOW = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
HR = Person(id="hr-01", name="Sanne Bakker", hire_date=date(2019, 4, 1), team="HR")

HOSTILE: tuple[object, ...] = (
    None,
    5,
    "x",
    1.5,
    float("nan"),
    [],
    {},
    object(),
    datetime(2027, 2, 1, 9, 0),  # naive
    "2027-02-01",
)

METHODS = sorted(
    name
    for name, member in inspect.getmembers(ConversationService, inspect.isfunction)
    if not name.startswith("_")
)


def _organisation() -> tuple[CycleDesign, list[Person], list[LifeEvent]]:
    design, people, events = load_reference()
    by_id = {person.id: person for person in people}
    employee = next(p for p in people if p.manager_id is not None and p.end_date is None)
    chain = [employee]
    while chain[-1].manager_id is not None:
        chain.append(by_id[chain[-1].manager_id])
    ids = {person.id for person in chain}
    return design, [*chain, HR], [event for event in events if event.person_id in ids]


def _fill(service: ConversationService) -> dict[str, Any]:
    """Store a small organisation with a held conversation and an action item; the valid
    argument for each parameter name."""
    _, people, events = _organisation()
    for person in people:
        service.upsert_person(person, at=NOW)
    for event in events:
        service.record_event(event, at=NOW)
    service.materialise(date(2027, 1, 1), date(2027, 3, 31), at=NOW)
    employee, manager = people[0], people[1]
    talk = next(
        view
        for view in service.conversations_of(employee.id, reader=manager.id)
        if view.window.earliest <= NOW.date()
    )
    service.schedule(talk.id, datetime(2027, 1, 29, 10, 0, tzinfo=UTC), at=NOW)
    service.record_held(talk.id, at=NOW)
    item = service.create_action_item(
        talk.id, "Cursus plannen", owner_id=employee.id, due=date(2027, 3, 1), at=NOW
    )
    return {
        "person_id": employee.id,
        "employee_id": employee.id,
        "owner_id": employee.id,
        "participant_id": employee.id,
        "to_id": manager.id,
        "new_manager_id": manager.id,
        "manager_id": manager.id,
        "reader": manager.id,
        "author_id": manager.id,
        "applied_by": manager.id,
        "conversation_id": talk.id,
        "from_conversation_id": talk.id,
        "item_id": item.id,
        "at": NOW,
        "starts_at": datetime(2027, 2, 3, 10, 0, tzinfo=UTC),
        "on": date(2027, 2, 1),
        "day": date(2027, 2, 1),
        "start": date(2027, 2, 1),
        "end": date(2027, 3, 1),
        "due": date(2027, 3, 1),
        "comment_until": date(2027, 2, 15),
        "last_day": date(2027, 6, 30),
        "person": Person(id="n-1", name="Nieuw", hire_date=date(2027, 1, 1)),
        "event": LifeEvent(on=date(2027, 2, 1), person_id=employee.id, kind="sick_report"),
        "record": SickReportRecord(person_id=employee.id, first_sick_day=date(2027, 2, 1)),
        "records": people,
        "design": service.design,
        "text": "Goed gesprek",
        "title": "Cursus",
        "summary": "Samenvatting",
        "reason": "ziek",
        "type_key": "check_in",
        "answers": {},
    }


class _Subject:
    """A service on a fresh copy of the filled store, and what the store holds."""

    def __init__(self, kind: str, folder: Path):
        self.kind = kind
        self.folder = folder
        self.copies = 0
        design, _, _ = _organisation()
        self.design = design
        if kind == "sqlite":
            self.template = folder / "template.db"
            store = open_sqlite_store(self.template)
            self.valid = _fill(self._service(store))
            store.close()
        self.service = self.fresh()

    def _service(self, store: Store) -> ConversationService:
        return ConversationService(store, FixedClock(NOW), design=self.design, hr_contact_id=HR.id)

    def fresh(self) -> ConversationService:
        if self.kind == "memory":
            service = self._service(MemoryStore())
            self.valid = _fill(service)
            return service
        self.copies += 1
        path = self.folder / f"copy-{self.copies}.db"
        shutil.copyfile(self.template, path)
        return self._service(open_sqlite_store(path))

    def snapshot(self) -> object:
        store = self.service.store
        if isinstance(store, MemoryStore):
            return {
                key: value.copy() if hasattr(value, "copy") else value
                for key, value in vars(store._state).items()
            }
        path = self.folder / f"copy-{self.copies}.db"
        with contextlib.closing(sqlite3.connect(path)) as reader:
            return list(reader.iterdump())


@pytest.fixture(params=["memory", "sqlite"])
def subject(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[_Subject]:
    made = _Subject(request.param, tmp_path)
    yield made
    made.service.store.close()


def _arguments(
    function: Callable[..., Any], valid: dict[str, Any], hostile_name: str, value: object
) -> tuple[list[Any], dict[str, Any]]:
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in list(inspect.signature(function).parameters.values())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.name == hostile_name:
            given = value
        elif parameter.name in valid:
            given = valid[parameter.name]
        elif parameter.default is not parameter.empty:
            continue
        else:
            given = "x"
        if parameter.kind is parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = given
        else:
            args.append(given)
    return args, kwargs


def _parameters(name: str) -> list[str]:
    function = inspect.unwrap(getattr(ConversationService, name))
    return [
        parameter.name
        for parameter in list(inspect.signature(function).parameters.values())[1:]
        if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]


@pytest.mark.parametrize("name", METHODS)
def test_hostile_arguments_are_refused_and_nothing_is_stored(subject: _Subject, name: str) -> None:
    function = inspect.unwrap(getattr(ConversationService, name))
    for parameter in _parameters(name):
        for value in HOSTILE:
            args, kwargs = _arguments(function, subject.valid, parameter, value)
            before = subject.snapshot()
            try:
                getattr(subject.service, name)(*args, **kwargs)
            except GesprekscyclusError:
                after = subject.snapshot()
                assert after == before, f"{name}({parameter}={value!r}) changed the store"
            except Exception as error:
                pytest.fail(f"{name}({parameter}={value!r}) raised {type(error).__name__}: {error}")
            else:  # accepted (None for an optional parameter, "x" for text...): start afresh
                subject.service.store.close()
                subject.service = subject.fresh()


def test_the_service_refuses_a_design_of_the_wrong_class() -> None:
    with pytest.raises(InvalidValueError) as refused:
        ConversationService(MemoryStore(), FixedClock(NOW), design="d")  # type: ignore[arg-type]
    assert str(refused.value) == "design: must be a CycleDesign or None, got 'd'"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda s: s.materialise("2027-01-01", "2027-02-01"),
            "start: must be a date, got '2027-01-01'",
        ),
        (lambda s: s.materialise(None, None), "start: must be a date, got None"),
        (lambda s: s.hire({"id": "x"}), "person: must be a Person, got {'id': 'x'}"),
        (
            lambda s: s.record_event("sick"),
            "event: must be a LifeEvent, got 'sick'",
        ),
        (
            lambda s: s.agenda("e-1", reader="e-1", start=datetime(2027, 1, 1)),
            "start: must be a date or None, got datetime.datetime(2027, 1, 1, 0, 0)",
        ),
    ],
)
def test_the_refusal_names_the_parameter_and_what_it_takes(
    call: Callable[[ConversationService], object], message: str
) -> None:
    service = ConversationService(
        MemoryStore(),
        FixedClock(NOW),
        design=CycleDesign(name="d", cycle_start=date(2027, 1, 1)),
    )
    with pytest.raises(InvalidValueError) as refused:
        call(service)
    assert str(refused.value) == message
