"""The design lives in the store, and no obligation is lost when materialising.

Every scenario runs on the memory store, a real SQLite file and the PostgreSQL server. Raw
state is read through the store's repositories, not the service's queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.cadence import Interval, LifecycleOffset
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import ConflictError, DesignError, DesignMismatchError, NoDesignError
from gesprekscyclus.examples import directory
from gesprekscyclus.planning.design import CatalogChanges, CycleDesign, TypeRule
from gesprekscyclus.planning.design_file import dump_design, load_design
from gesprekscyclus.planning.planner import plan
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import DesignVersion, Store
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.design import design_fingerprint
from gesprekscyclus.service.materialise import PLAN_MARGIN_DAYS, VANISHED_REASON

from .postgres_support import disposable_store


def _memory(_tmp_path: Path) -> Store:
    return MemoryStore()


def _sqlite(tmp_path: Path) -> Store:
    return open_sqlite_store(tmp_path / "design.db")


def _postgres(_tmp_path: Path) -> Store:
    store: Store = disposable_store()
    return store


@pytest.fixture(
    params=[
        pytest.param(_memory, id="memory"),
        pytest.param(_sqlite, id="sqlite"),
        pytest.param(_postgres, id="postgres", marks=pytest.mark.postgres),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    make: Callable[[Path], Store] = request.param
    made = make(tmp_path)
    yield made
    made.close()


def _at(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


MONTHLY = TypeRule(
    type="check_in", cadence=(Interval(every=1, unit="months", anchor="cycle_start"),)
)
EXIT = TypeRule(
    type="exit_interview",
    window_before=5,
    window_after=4,
    convention="preceding",
    cadence=(LifecycleOffset("last_day", -5, working_days=True),),
)
GROWTH = TypeRule(
    type="growth_review",
    window_before=0,
    window_after=30,
    cadence=(Interval(every=1, unit="years", anchor="fixed_month", month=3, day=1),),
)
DESIGN = CycleDesign(
    name="Ontwerp A",
    cycle_start=date(2027, 1, 1),
    types=(MONTHLY, EXIT, TypeRule(type="absence")),
)


def _service(store: Store, today: date) -> ConversationService:
    service = ConversationService(store, FixedClock(_at(today)))
    service.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)))
    service.hire(Person(id="e-1", name="Eva", hire_date=date(2020, 3, 1), manager_id="m-1"))
    return service


def _stored(store: Store, employee_id: str = "e-1") -> list[Conversation]:
    with store.unit_of_work() as uow:
        return uow.conversations.by_employee(employee_id)


def _of_type(store: Store, type_key: str) -> list[Conversation]:
    return [talk for talk in _stored(store) if talk.type_key == type_key]


# --- the design in the store --------------------------------------------------------------


def test_a_store_without_a_design_refuses_what_needs_one(store: Store) -> None:
    service = _service(store, date(2027, 1, 4))
    assert service.design_version is None
    with pytest.raises(NoDesignError, match="design apply"):
        service.materialise(date(2027, 1, 4), date(2027, 3, 31))
    with pytest.raises(NoDesignError):
        _ = service.design
    assert _stored(store) == []


def test_apply_design_stores_a_version_and_replans_in_one_step(store: Store) -> None:
    service = _service(store, date(2027, 1, 4))
    change = service.apply_design(DESIGN, applied_by="hr-1", horizon_days=89)
    assert change.stored
    assert change.previous is None
    assert change.version.number == 1
    assert change.version.fingerprint == design_fingerprint(DESIGN)
    assert change.version.applied_by == "hr-1"
    assert change.version.applied_at == _at(date(2027, 1, 4))
    assert change.materialised is not None
    # January (targeted on 4 January, its nominal 1 January being a holiday) to April
    assert change.materialised.added == len(change.diff.appeared) == 4
    with store.unit_of_work() as uow:
        assert uow.designs.current() == change.version
    assert {talk.design_version for talk in _stored(store)} == {1}
    # the stored source reads back as the same design
    assert service.design == DESIGN
    assert service.design_versions() == (change.version,)


def test_a_dry_run_previews_exactly_what_applying_does(store: Store) -> None:
    service = _service(store, date(2027, 1, 4))
    service.apply_design(DESIGN, applied_by="hr-1", horizon_days=180)
    with_growth = attrs.evolve(DESIGN, name="Ontwerp B", types=(*DESIGN.types, GROWTH))
    before = _stored(store)
    preview = service.apply_design(with_growth, applied_by="hr-1", dry_run=True, horizon_days=180)
    assert not preview.stored
    assert preview.materialised is None
    assert [row.type_key for row in preview.diff.appeared] == ["growth_review"]
    assert _stored(store) == before
    assert len(service.design_versions()) == 1
    applied = service.apply_design(with_growth, applied_by="hr-1", horizon_days=180)
    assert applied.diff == preview.diff
    assert applied.version.number == 2
    assert applied.materialised is not None
    assert applied.materialised.added == 1


def test_applying_the_same_design_again_stores_nothing(store: Store) -> None:
    service = _service(store, date(2027, 1, 4))
    first = service.apply_design(DESIGN, applied_by="hr-1", horizon_days=60)
    again = service.apply_design(
        DESIGN, applied_by="hr-2", source=dump_design(DESIGN, fmt="json"), fmt="json"
    )
    assert again.unchanged
    assert not again.stored
    assert again.diff.is_empty
    assert service.design_versions() == (first.version,)


def test_a_source_that_holds_another_design_is_refused(store: Store) -> None:
    service = _service(store, date(2027, 1, 4))
    other = attrs.evolve(DESIGN, carry_over_limit=5)
    with pytest.raises(ValueError, match="source: holds another design"):
        service.apply_design(
            DESIGN, applied_by="hr-1", source=dump_design(other, fmt="json"), fmt="json"
        )


def test_a_given_design_that_differs_from_the_stored_one_is_refused(store: Store) -> None:
    _service(store, date(2027, 1, 4)).apply_design(DESIGN, applied_by="hr-1", horizon_days=60)
    before = _stored(store)
    other = attrs.evolve(DESIGN, types=(MONTHLY,))
    stale = ConversationService(store, FixedClock(_at(date(2027, 1, 5))), design=other)
    with pytest.raises(DesignMismatchError) as raised:
        stale.materialise(date(2027, 1, 5), date(2027, 3, 31))
    message = str(raised.value)
    assert design_fingerprint(other)[:12] in message
    assert f"version 1 ({design_fingerprint(DESIGN)[:12]})" in message
    with pytest.raises(DesignMismatchError):
        stale.enqueue_due_reminders(_at(date(2027, 1, 5)))
    assert _stored(store) == before  # never a silent replan
    # the same design given explicitly is fine, and records the stored version
    same = ConversationService(store, FixedClock(_at(date(2027, 1, 5))), design=DESIGN)
    assert not same.materialise(date(2027, 1, 5), date(2027, 3, 5)).changed
    assert same.design_version is not None
    assert same.design_version.number == 1


def test_a_service_follows_a_design_another_process_applies(store: Store) -> None:
    worker = _service(store, date(2027, 1, 4))
    web = ConversationService(store, FixedClock(_at(date(2027, 1, 4))))
    web.apply_design(DESIGN, applied_by="hr-1", horizon_days=60)
    assert worker.design_version is None
    worker.materialise(date(2027, 1, 4), date(2027, 3, 4))
    assert worker.design_version is not None
    assert worker.design_version.number == 1
    two = attrs.evolve(DESIGN, name="Ontwerp B", types=(*DESIGN.types, GROWTH))
    web.apply_design(two, applied_by="hr-1", horizon_days=60)
    worker.enqueue_due_reminders(_at(date(2027, 1, 4)))
    assert worker.design.name == "Ontwerp B"


def test_two_applies_of_the_same_next_number_conflict(store: Store) -> None:
    service = _service(store, date(2027, 1, 4))
    first = service.apply_design(DESIGN, applied_by="hr-1", horizon_days=10)
    clash = attrs.evolve(first.version, number=1, name="Other")
    with pytest.raises(ConflictError), store.unit_of_work() as uow:
        uow.designs.add(clash)
    assert service.design_versions() == (first.version,)


def test_the_catalog_and_hr_contact_come_with_the_stored_design(store: Store) -> None:
    service = _service(store, date(2027, 1, 4))
    retro = attrs.evolve(
        service.catalog.type("check_in"), key="team_retro", duration_minutes=45, question_set=None
    )
    design = attrs.evolve(
        DESIGN,
        hr_contact="hr-1",
        catalog=CatalogChanges(types=(retro,), without=frozenset({"appraisal"})),
        types=(TypeRule(type="team_retro", cadence=MONTHLY.cadence),),
    )
    service.apply_design(design, applied_by="hr-1", horizon_days=40)
    other = ConversationService(store, FixedClock(_at(date(2027, 1, 4))))
    assert other.hr_contact_id == "hr-1"
    assert "appraisal" not in other.catalog
    assert other.catalog.type("team_retro").duration_minutes == 45
    assert {talk.duration_minutes for talk in _of_type(store, "team_retro")} == {45}


# --- a design change replans, and a switch back restores -----------------------------------


def test_a_design_switch_cancels_with_the_versions_and_a_switch_back_restores(
    store: Store,
) -> None:
    service = _service(store, date(2027, 1, 4))
    with_growth = attrs.evolve(DESIGN, types=(*DESIGN.types, GROWTH))
    service.apply_design(with_growth, applied_by="hr-1", horizon_days=430)
    reviews = _of_type(store, "growth_review")
    assert [talk.window.target for talk in reviews] == [date(2027, 3, 1), date(2028, 3, 1)]
    service.schedule(reviews[0].id, _at(date(2027, 3, 1), 10))
    service.record_held(reviews[0].id)
    (held, _) = _of_type(store, "growth_review")
    fingerprint = design_fingerprint(DESIGN)[:12]

    dropped = service.apply_design(DESIGN, applied_by="hr-1", horizon_days=430)
    assert dropped.materialised is not None
    assert dropped.materialised.cancelled == 1
    assert [row.type_key for row in dropped.diff.disappeared] == ["growth_review"] * 2
    first, second = _of_type(store, "growth_review")
    assert first == held  # held conversations are never touched
    assert second.status is ConversationStatus.CANCELLED
    reason = second.history[-1].reason
    assert reason == (
        f"{VANISHED_REASON}: design version 2 ({fingerprint}) does not plan it "
        "(planned by design version 1)"
    )

    back = service.apply_design(with_growth, applied_by="hr-1", horizon_days=430)
    assert back.version.number == 3
    assert back.materialised is not None
    assert back.materialised.reinstated == 1
    assert back.materialised.added == 0
    first, again = _of_type(store, "growth_review")
    assert first == held
    assert again.id == second.id
    assert again.status is ConversationStatus.PLANNED
    assert again.design_version == 3
    assert [step.action.value for step in again.history] == ["cancel", "reinstate"]
    assert "design version 3" in (again.history[-1].reason or "")
    # the switch back is complete: a further materialise changes nothing
    assert not service.materialise(date(2027, 1, 4), date(2028, 3, 8)).changed


def test_a_user_cancellation_is_never_undone_by_a_replan(store: Store) -> None:
    service = _service(store, date(2027, 1, 4))
    service.apply_design(DESIGN, applied_by="hr-1", horizon_days=60)
    february = next(t for t in _of_type(store, "check_in") if t.window.target.month == 2)
    service.cancel(february.id, reason="team day instead")
    assert not service.materialise(date(2027, 1, 4), date(2027, 3, 5)).changed
    (kept,) = [t for t in _of_type(store, "check_in") if t.id == february.id]
    assert kept.status is ConversationStatus.CANCELLED


# --- no obligation lost --------------------------------------------------------------------


def test_a_first_install_on_4_january_keeps_januarys_check_in(store: Store) -> None:
    service = _service(store, date(2027, 1, 4))
    service.apply_design(DESIGN, applied_by="hr-1", horizon_days=0)
    (january,) = _of_type(store, "check_in")
    # its nominal date, 1 January, is a holiday before a weekend: it is targeted on 4 January
    assert january.window.target == date(2027, 1, 4)
    assert not january.known_late
    assert january.status is ConversationStatus.PLANNED
    # last year's check-ins, whose windows closed, are not created
    assert all(talk.window.latest >= date(2027, 1, 4) for talk in _stored(store))


def test_a_leaver_told_on_monday_with_friday_as_last_day_gets_an_exit_interview(
    store: Store,
) -> None:
    monday, friday = date(2027, 3, 8), date(2027, 3, 12)
    service = _service(store, monday)
    service.apply_design(DESIGN, applied_by="hr-1", horizon_days=365)
    service.give_notice("e-1", on=monday, last_day=friday)
    report = service.materialise(monday, monday + timedelta(days=365))
    (interview,) = _of_type(store, "exit_interview")
    assert interview.window.target < monday <= interview.window.latest
    assert interview.known_late
    assert interview.design_version == 1
    assert report.late >= 1
    with store.unit_of_work() as uow:
        assert interview in uow.conversations.due(monday)


def test_a_sick_report_recorded_two_days_late_keeps_the_first_contact(store: Store) -> None:
    sick, recorded = date(2027, 3, 1), date(2027, 3, 3)
    service = _service(store, recorded)
    service.apply_design(DESIGN, applied_by="hr-1", horizon_days=365)
    service.record_sick_report("e-1", on=sick)
    report = service.materialise(recorded, recorded + timedelta(days=365))
    first_contact = [t for t in _of_type(store, "absence") if t.id.endswith(":sick_report")]
    assert len(first_contact) == 1
    talk = first_contact[0]
    assert talk.window.latest < recorded  # its window closed before anyone knew
    assert talk.known_late
    assert report.overdue >= 1
    with store.unit_of_work() as uow:
        assert talk in uow.conversations.overdue(recorded)


def test_a_sick_report_entered_months_late_creates_the_legal_obligations_as_overdue(
    store: Store,
) -> None:
    sick, recorded = date(2027, 1, 4), date(2027, 6, 1)
    service = _service(store, recorded)
    service.apply_design(DESIGN, applied_by="hr-1", horizon_days=200)
    service.record_sick_report("e-1", on=sick)
    service.materialise(recorded, recorded + timedelta(days=200))
    milestones = {t.id.rsplit(":", 1)[1]: t for t in _of_type(store, "absence")}
    # far before the planning margin, and still created
    assert {"sick_report", "problem_analysis", "plan_of_action"} <= milestones.keys()
    with store.unit_of_work() as uow:
        overdue = {t.id for t in uow.conversations.overdue(recorded)}
    assert milestones["problem_analysis"].id in overdue
    assert all(t.known_late for t in milestones.values() if t.window.target < recorded)
    # a check-in of January whose window closed is still not created
    assert all(t.window.latest >= recorded for t in _of_type(store, "check_in"))


def test_a_check_in_whose_day_passed_with_its_window_open_is_created_late(store: Store) -> None:
    today = date(2027, 2, 5)
    service = _service(store, today)
    service.apply_design(DESIGN, applied_by="hr-1", horizon_days=0)
    (february,) = _of_type(store, "check_in")
    assert february.window.target == date(2027, 2, 1)
    assert february.known_late
    with store.unit_of_work() as uow:
        assert uow.conversations.due(today) == [february]
        assert uow.conversations.overdue(today) == []


def test_a_case_that_ended_long_ago_is_not_filled_in(store: Store) -> None:
    today = date(2027, 9, 1)
    service = _service(store, today)
    service.record_sick_report("e-1", on=date(2027, 1, 4))
    service.record_recovery("e-1", on=date(2027, 2, 15))
    service.apply_design(DESIGN, applied_by="hr-1", horizon_days=100)
    assert _of_type(store, "absence") == []


def test_the_reference_design_runs_from_the_store(store: Store) -> None:
    design = load_design(directory() / "reference-design.toml")
    service = _service(store, date(2027, 1, 4))
    text = (directory() / "reference-design.toml").read_text(encoding="utf-8")
    change = service.apply_design(design, applied_by="hr-1", source=text, horizon_days=365)
    assert change.version.source == text
    assert change.materialised is not None
    assert change.materialised.added == len(_stored(store)) > 0
    assert not service.materialise(date(2027, 1, 4), date(2028, 1, 4)).changed


# --- the horizon rule as a property --------------------------------------------------------


@st.composite
def _staff_with_sickness(draw: st.DrawFn) -> tuple[list[Person], list[LifeEvent]]:
    people = [Person(id="m-0", name="Boss", hire_date=date(2010, 1, 1))]
    events: list[LifeEvent] = []
    for index in range(draw(st.integers(1, 4))):
        hire = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 6, 1)))
        end = draw(st.none() | st.dates(min_value=hire, max_value=date(2028, 6, 1)))
        people.append(
            Person(
                id=f"e-{index}",
                name=f"Person {index}",
                hire_date=hire,
                manager_id="m-0",
                end_date=end,
            )
        )
        events.append(LifeEvent(on=hire, person_id=f"e-{index}", kind="hired"))
        if draw(st.booleans()):
            sick = hire + timedelta(days=draw(st.integers(0, 900)))
            events.append(LifeEvent(on=sick, person_id=f"e-{index}", kind="sick_report"))
    return people, events


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    organisation=_staff_with_sickness(),
    start=st.dates(min_value=date(2027, 1, 1), max_value=date(2027, 12, 31)),
    days=st.integers(0, 120),
)
def test_materialise_stores_exactly_what_the_horizon_rule_names(
    organisation: tuple[list[Person], list[LifeEvent]], start: date, days: int
) -> None:
    people, events = organisation
    end = start + timedelta(days=days)
    store = MemoryStore()
    service = ConversationService(store, FixedClock(_at(start)), design=DESIGN)
    for person in people:
        service.upsert_person(person)
    for event in events:
        service.record_event(event)
    report = service.materialise(start, end)
    margin = timedelta(days=PLAN_MARGIN_DAYS)
    with store.unit_of_work() as uow:
        stored = {t.id: t for p in people for t in uow.conversations.by_employee(p.id)}
        full = plan(DESIGN, uow.people.all(), uow.events.all(), start=start - margin, end=end)
    for row in full.conversations:
        open_on_start = row.target >= start or row.latest >= start
        if row.target <= end and (open_on_start or row.origin == "absence"):
            assert row.id in stored, row  # no obligation lost
    for talk in stored.values():
        assert talk.window.target <= end
        assert talk.type_key == "absence" or talk.window.latest >= start
        assert talk.known_late == (talk.window.target < start)
    assert report.added == len(stored)
    assert report.late == sum(t.known_late for t in stored.values())
    assert not service.materialise(start, end).changed


def test_a_design_change_also_cancels_what_is_still_open_from_before_the_horizon(
    store: Store,
) -> None:
    service = _service(store, date(2027, 2, 5))
    service.apply_design(DESIGN, applied_by="hr-1", horizon_days=0)
    (february,) = _of_type(store, "check_in")
    assert february.window.target < date(2027, 2, 5)
    without = attrs.evolve(DESIGN, types=(EXIT, TypeRule(type="absence")))
    change = service.apply_design(without, applied_by="hr-1", horizon_days=0)
    assert change.materialised is not None
    assert change.materialised.cancelled == 1
    (cancelled,) = _of_type(store, "check_in")
    assert cancelled.status is ConversationStatus.CANCELLED
    assert [row.id for row in change.diff.disappeared] == [february.id]


def test_a_stored_version_that_no_longer_reads_can_be_replaced(store: Store) -> None:
    broken = DesignVersion(
        number=1,
        name="Oud",
        fingerprint="0" * 64,
        source='name = "Oud"\ncycle_start = 2027-01-01\n[types.retired_type]\n',
        fmt="toml",
        applied_by="hr-1",
        applied_at=_at(date(2026, 1, 1)),
    )
    with store.unit_of_work() as uow:
        uow.designs.add(broken)
    service = _service(store, date(2027, 1, 4))
    with pytest.raises(DesignError, match="stored design version 1"):
        service.materialise(date(2027, 1, 4), date(2027, 2, 28))
    change = service.apply_design(DESIGN, applied_by="hr-1", horizon_days=30)
    assert change.previous == broken
    assert change.version.number == 2
    assert change.materialised is not None
    assert change.materialised.added == 2
    assert ConversationService(store, FixedClock(_at(date(2027, 1, 4)))).design == DESIGN
