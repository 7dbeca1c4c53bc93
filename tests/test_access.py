"""The access policy: the matrix in the docs, enforced through the service on every store.

The table-driven test below asks the policy (``gesprekscyclus.domain.access``) what each role
may read and write, then does exactly that through :class:`ConversationService` on the memory
store, SQLite and PostgreSQL, and compares. The same matrix is the one ``docs/privacy.md``
shows (checked by the first test).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.access import (
    ACCESS,
    Content,
    Grant,
    ReaderRole,
    allowed,
    matrix_markdown,
    reader_role,
)
from gesprekscyclus.domain.catalog import built_in_catalog
from gesprekscyclus.domain.conversation_types import ConversationType, Sensitivity
from gesprekscyclus.domain.conversations import (
    Conversation,
    ConversationAction,
    Participant,
    Window,
)
from gesprekscyclus.domain.people import Person, Role
from gesprekscyclus.domain.questions import Audience, Question, QuestionSet
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import AccessDeniedError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import Store
from gesprekscyclus.serialization import to_data
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.feeds import manager_feed_entries
from gesprekscyclus.service.views import conversation_view

from . import strategies as gs
from .postgres_support import postgres_factory

DOCS = Path(__file__).resolve().parent.parent / "docs" / "privacy.md"
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
WINDOW = Window(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 31))

#: Who plays which role in the conversations of the table-driven test.
PERSON = {
    ReaderRole.EMPLOYEE: "e",
    ReaderRole.MANAGER: "m",
    ReaderRole.HR: "h",
    ReaderRole.OCCUPATIONAL_PHYSICIAN: "o",
    ReaderRole.CASE_MANAGER: "c",
    ReaderRole.NEUTRAL_INTERVIEWER: "n",
    ReaderRole.HR_OFFICE: "hq",
}
QUESTIONS = QuestionSet(
    "access",
    1,
    LocalizedText(en="Access"),
    (
        Question(
            "mine", "open_text", LocalizedText(en="Mine"), audience=Audience.EMPLOYEE_PREPARATION
        ),
        Question(
            "lead", "open_text", LocalizedText(en="Lead"), audience=Audience.MANAGER_PREPARATION
        ),
        Question("together", "open_text", LocalizedText(en="Together"), audience=Audience.JOINT),
    ),
)


def test_the_docs_show_the_policy_matrix() -> None:
    assert matrix_markdown() in DOCS.read_text(encoding="utf-8")


def test_every_cell_is_defined_and_reading_comments_needs_the_report() -> None:
    for role in ReaderRole:
        for sensitivity in Sensitivity:
            cells = ACCESS[role][sensitivity]
            assert set(cells) == set(Content)
            comments, report = cells[Content.COMMENT].read, cells[Content.SHARED_REPORT].read
            assert comments is Grant.NO or comments is report
            # nobody reads private notes but their author
            assert cells[Content.PRIVATE_NOTE].read in (Grant.NO, Grant.OWN)
    for content in Content:
        rule = ACCESS[ReaderRole.MANAGER][Sensitivity.CONFIDENTIAL][content]
        expected = Grant.YES if content is Content.CONVERSATION else Grant.NO
        assert rule.read is expected, content


# --- the matrix through the service, on every store -----------------------------------------


def _memory(_tmp_path: Path) -> Callable[[], Store]:
    return MemoryStore


def _sqlite(tmp_path: Path) -> Callable[[], Store]:
    return lambda: open_sqlite_store(tmp_path / "access.db")


STORES = [
    pytest.param(_memory, id="memory"),
    pytest.param(_sqlite, id="sqlite"),
    pytest.param(postgres_factory, id="postgres", marks=pytest.mark.postgres),
]

#: The type settings the matrix cells marked ``type`` depend on: (private_notes,
#: employee_written_view, hr_reads_reports).
SETTINGS = [
    pytest.param((True, True, False), id="defaults"),
    pytest.param((False, False, True), id="other-settings"),
]


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    made = request.param(tmp_path)()
    yield made
    made.close()


def _kind(sensitivity: Sensitivity, settings: tuple[bool, bool, bool]) -> ConversationType:
    private_notes, written_view, hr_reads = settings
    return ConversationType(
        key=f"t_{sensitivity.value}",
        label=LocalizedText(en=sensitivity.value),
        purpose=LocalizedText(en="access matrix"),
        participants=tuple(Role),
        led_by=Role.HR,
        duration_minutes=30,
        sensitivity=sensitivity,
        question_set="access",
        private_notes=private_notes,
        employee_written_view=written_view,
        hr_reads_reports=hr_reads,
    )


def _refused(action: Callable[[], object]) -> bool:
    try:
        action()
    except AccessDeniedError:
        return True
    return False


class _Case:
    """One conversation of one type, read and written by one role through the service."""

    def __init__(self, service: ConversationService, kind: ConversationType, role: ReaderRole):
        self.service, self.kind, self.role = service, kind, role
        self.reader = PERSON[role]
        self.id = f"{kind.key}-{role.value}"
        self.observed: dict[tuple[Content, bool], bool] = {}
        self.expected: dict[tuple[Content, bool], bool] = {}

    def check(
        self,
        content: Content,
        observed: bool,
        *,
        write: bool = False,
        own: bool = False,
        held: bool = False,
    ) -> None:
        """Record what happened next to what the policy says should happen."""
        self.observed[(content, write)] = observed
        self.expected[(content, write)] = allowed(
            self.role,
            content,
            self.kind.sensitivity,
            write=write,
            kind=self.kind,
            own=own,
            held=held,
        )

    def visible(self) -> tuple[set[str], set[str]]:
        """The note texts and answer values the reader sees now (none when refused)."""
        try:
            view = self.service.conversation(self.id, reader=self.reader)
        except AccessDeniedError:
            return set(), set()
        return {n.text for n in view.notes}, {str(a.value) for a in view.answers}

    def run(self, clock: FixedClock) -> None:
        service, me, kind = self.service, self.reader, self.kind
        service.add_note(self.id, "e", "shared by e")
        if kind.private_notes:
            service.add_note(self.id, "e", "private by e", private=True)
        service.record_answers(self.id, "e", {"mine": "e prepared", "together": "e together"})
        service.record_answers(self.id, "h", {"lead": "h prepared"})
        self.check(
            Content.CONVERSATION, not _refused(lambda: service.conversation(self.id, reader=me))
        )
        notes, answers = self.visible()
        self.check(Content.SHARED_NOTE, "shared by e" in notes)
        if kind.private_notes:
            self.check(Content.PRIVATE_NOTE, "private by e" in notes, own=me == "e")
        self.check(Content.JOINT_ANSWERS, "e together" in answers)
        other = "h prepared" if me == "e" else "e prepared"
        if me != "h":
            self.check(Content.OTHER_PREPARATION, other in answers)
        writes = {
            Content.SHARED_NOTE: lambda: service.add_note(self.id, me, f"shared by {me}"),
            Content.PRIVATE_NOTE: lambda: service.add_note(
                self.id, me, f"private by {me}", private=True
            ),
            Content.JOINT_ANSWERS: lambda: service.record_answers(
                self.id, me, {"together": f"{me} together"}
            ),
            Content.OWN_PREPARATION: lambda: service.record_answers(
                self.id, me, {"mine" if me == "e" else "lead": f"{me} prepared"}
            ),
        }
        for content, write in writes.items():
            self.check(content, not _refused(write), write=True)
        if self.observed[(Content.OWN_PREPARATION, True)]:
            self.check(Content.OWN_PREPARATION, f"{me} prepared" in self.visible()[1])

        service.schedule(self.id, clock.now() + timedelta(hours=1))
        service.record_held(self.id)
        if me != "h":
            self.check(Content.OTHER_PREPARATION, other in self.visible()[1], held=True)
        self.reports(clock)
        self.items()

    def reports(self, clock: FixedClock) -> None:
        service, me = self.service, self.reader
        wrote = not _refused(lambda: service.create_report(self.id, f"draft by {me}", author_id=me))
        self.check(Content.DRAFT_REPORT, wrote, write=True)
        if not wrote:
            service.create_report(self.id, "draft by h", author_id="h")
        readable = not _refused(lambda: service.report(self.id, reader=me))
        self.check(Content.DRAFT_REPORT, readable, own=wrote)
        service.share_report(self.id, comment_until=clock.now().date() + timedelta(days=7))
        self.check(Content.SHARED_REPORT, not _refused(lambda: service.report(self.id, reader=me)))
        service.comment_on_report(self.id, "e", "comment by e")
        commented = not _refused(lambda: service.comment_on_report(self.id, me, f"by {me}"))
        self.check(Content.COMMENT, commented, write=True)
        if me != "e" and self.kind.employee_written_view:
            service.add_written_view(self.id, "e", "view of e")
        viewed = not _refused(lambda: service.add_written_view(self.id, me, "view of e"))
        self.check(Content.WRITTEN_VIEW, viewed, write=True)
        try:
            report = service.report(self.id, reader=me)
        except AccessDeniedError:
            comments, view = False, False
        else:
            comments = "comment by e" in {c.text for c in report.comments}
            view = report.written_view is not None
        self.check(Content.COMMENT, comments)
        if self.kind.employee_written_view:
            self.check(Content.WRITTEN_VIEW, view)

    def items(self) -> None:
        service, me = self.service, self.reader
        owned = not _refused(lambda: service.create_action_item(self.id, "mine", owner_id=me))
        self.check(Content.ACTION_ITEM, owned, write=True)
        item = service.create_action_item(self.id, "for e", owner_id="e")
        readable = not _refused(lambda: service.action_item(item.id, reader=me))
        self.check(Content.ACTION_ITEM, readable, own=me == "e")


@pytest.mark.parametrize("settings", SETTINGS)
@pytest.mark.parametrize("sensitivity", list(Sensitivity))
def test_the_matrix_holds_through_the_service(
    store: Store, sensitivity: Sensitivity, settings: tuple[bool, bool, bool]
) -> None:
    kind = _kind(sensitivity, settings)
    catalog = built_in_catalog().with_question_set(QUESTIONS).with_type(kind)
    clock = FixedClock(T0)
    design = CycleDesign(name="access", cycle_start=date(2026, 1, 1))
    service = ConversationService(store, clock, design=design, catalog=catalog, hr_contact_id="hq")
    cases = [_Case(service, kind, role) for role in ReaderRole]
    with store.unit_of_work() as uow:
        uow.conversations.add_many(
            Conversation.plan(
                id=case.id,
                type_key=kind.key,
                employee_id="e",
                manager_id="m",
                window=WINDOW,
                participants=[
                    Participant(PERSON[role], role.value)
                    for role in list(ReaderRole)[2:6]  # HR, physician, case manager, interviewer
                ],
                roles=tuple(Role),
            )
            for case in cases
        )
    wrong = []
    for case in cases:
        case.run(clock)
        wrong.extend(
            f"{case.role.value} {'write' if write else 'read'} {content.value}: "
            f"expected {case.expected[(content, write)]}, got {observed}"
            for (content, write), observed in case.observed.items()
            if observed != case.expected[(content, write)]
        )
        assert len(case.observed) >= 14
    assert wrong == []
    # every read of a record of a confidential or health-related type was logged
    logged = service.administration.access_log_about("e")
    if sensitivity is Sensitivity.NORMAL:
        assert logged == []
    else:
        assert {entry.reader_id for entry in logged} == set(PERSON.values())
        assert {entry.record_kind for entry in logged} == {"conversation", "report", "action_item"}


# --- the exit interview, planned from the built-in catalog ----------------------------------


def test_the_manager_takes_no_part_in_an_exit_interview(store: Store) -> None:
    from gesprekscyclus.adapters.notifiers.recording import RecordingNotifier  # noqa: PLC0415
    from gesprekscyclus.domain.cadence import LifecycleOffset  # noqa: PLC0415
    from gesprekscyclus.planning.design import TypeRule  # noqa: PLC0415
    from gesprekscyclus.service.dispatch import Dispatcher  # noqa: PLC0415

    clock = FixedClock(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    design = CycleDesign(
        name="exit",
        cycle_start=date(2026, 1, 1),
        types=(TypeRule(type="exit_interview", cadence=(LifecycleOffset("last_day", -5),)),),
    )
    service = ConversationService(store, clock, design=design, hr_contact_id="hr")
    service.upsert_person(Person(id="hr", name="Hanna", hire_date=date(2019, 1, 1)))
    service.upsert_person(Person(id="m", name="Mia", hire_date=date(2018, 1, 1)))
    service.hire(Person(id="e", name="Eva", hire_date=date(2022, 1, 1), manager_id="m"))
    service.give_notice("e", on=date(2026, 5, 1), last_day=date(2026, 6, 30))
    assert service.materialise(date(2026, 6, 1), date(2026, 7, 31)).added == 1
    (talk,) = service.conversations_of("e", reader="hr")
    assert (talk.manager_id, talk.participants) == (
        None,
        (Participant("e", "employee"), Participant("hr", "hr")),
    )
    service.schedule(talk.id, datetime(2026, 6, 22, 9, 0, tzinfo=UTC))
    service.add_note(talk.id, "hr", "Vertrekt om de werkdruk")
    service.record_answers(talk.id, "e", {"what_was_missing": "Ruimte om te leren"})
    notifier = RecordingNotifier()
    service.enqueue_due_reminders(datetime(2026, 6, 20, 8, 0, tzinfo=UTC))
    Dispatcher(store, notifier, clock, owner="t").run_once()
    assert notifier.sent
    assert "m" not in {n.recipient.id for n in notifier.sent}
    assert service.conversations_of("e", reader="m") == ()
    assert service.agenda("m", reader="m", start=date(2026, 6, 1), role="manager") == ()
    assert manager_feed_entries(service, "m") == []
    assert service.overdue_conversations(date(2026, 12, 1), reader="m") == ()
    with pytest.raises(AccessDeniedError) as refused:
        service.conversation(talk.id, reader="m")
    assert (refused.value.rule, refused.value.reader) == ("access matrix: conversation", "m")
    with pytest.raises(AccessDeniedError):
        service.add_note(talk.id, "m", "Wat zei ze?")
    with pytest.raises(AccessDeniedError, match="owner_id"):
        service.create_action_item(talk.id, "Gesprek met team", owner_id="m")
    readers = {entry.reader_id for entry in service.administration.access_log_about("e")}
    assert "hr" in readers
    assert "m" not in readers


def test_a_manager_change_leaves_the_exit_interview_without_a_manager(store: Store) -> None:
    clock = FixedClock(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    service = ConversationService(
        store,
        clock,
        design=CycleDesign(name="d", cycle_start=date(2026, 1, 1)),
        hr_contact_id="hr",
    )
    for person in (
        Person(id="hr", name="Hanna", hire_date=date(2019, 1, 1)),
        Person(id="m", name="Mia", hire_date=date(2018, 1, 1)),
        Person(id="m2", name="Max", hire_date=date(2018, 1, 1)),
        Person(id="e", name="Eva", hire_date=date(2022, 1, 1), manager_id="m"),
    ):
        service.upsert_person(person)
    exit_talk = Conversation.plan(
        id="x",
        type_key="exit_interview",
        employee_id="e",
        manager_id="m",
        window=WINDOW,
        participants=[Participant("hr", "hr")],
        roles=("employee", "hr"),
    )
    with store.unit_of_work() as uow:
        uow.conversations.add_many([exit_talk])
    change = service.change_manager("e", "m2", on=date(2026, 6, 2))
    assert change.moved == ()
    assert service.administration.conversation("x").participant_ids == {"e", "hr"}


# --- properties -----------------------------------------------------------------------------


@given(gs.conversation_views())
def test_no_view_holds_another_authors_private_note(view: object) -> None:
    assert all(
        not note.private or note.author_id == view.reader_id  # type: ignore[attr-defined]
        for note in view.notes  # type: ignore[attr-defined]
    )


EXIT = built_in_catalog().type("exit_interview")
LEGACY_EXIT = attrs.evolve(EXIT, participants=(Role.EMPLOYEE, Role.HR, Role.MANAGER))


@given(gs.answered_conversations(), st.text(min_size=1, max_size=5))
def test_no_view_for_a_manager_holds_exit_interview_content(
    pair: tuple[Conversation, QuestionSet], stranger: str
) -> None:
    talk, question_set = pair
    for kind in (EXIT, LEGACY_EXIT):  # also exit interviews stored with a manager taking part
        if talk.manager_id is not None:
            view = conversation_view(talk, talk.manager_id, kind=kind, question_set=question_set)
            assert view is not None
            assert (view.notes, view.answers, view.history) == ((), (), ())
            assert view.may_write == frozenset()
        if stranger not in talk.participant_ids:  # the line manager who is not taking part
            assert conversation_view(talk, stranger, kind=kind) is None


SECRET = "\u2063geheim: alleen voor de auteur\u2063"


@given(gs.answered_conversations(), st.none() | gs.conversation_types(), st.data())
def test_to_data_of_a_view_holds_no_private_text(
    pair: tuple[Conversation, QuestionSet],
    kind: ConversationType | None,
    data: st.DataObject,
) -> None:
    talk, question_set = pair
    people = sorted(talk.participant_ids)
    if ConversationAction.ADD_NOTE in talk.allowed_actions():
        talk = talk.add_note(data.draw(st.sampled_from(people)), SECRET, private=True, at=T0)
    reader = data.draw(st.sampled_from([*people, "hq"]))
    view = conversation_view(talk, reader, kind=kind, question_set=question_set, hr_office=["hq"])
    assert view is not None
    assert "geheim" not in json.dumps(to_data(view), ensure_ascii=False)
    assert reader_role(talk, reader, hr_office=["hq"]) is view.reader_role


def test_the_administrative_path_is_whole_and_logged(store: Store) -> None:
    clock = FixedClock(T0)
    design = CycleDesign(name="d", cycle_start=date(2026, 1, 1))
    service = ConversationService(store, clock, design=design, hr_contact_id="hr")
    talks = [
        Conversation.plan(
            id=key,
            type_key=key,
            employee_id="e",
            manager_id="m",
            window=WINDOW,
            participants=[Participant("hr", "hr")] if key == "exit_interview" else [],
            roles=built_in_catalog().type(key).participants,
        )
        for key in ("check_in", "exit_interview")
    ]
    with store.unit_of_work() as uow:
        uow.conversations.add_many(talks)
    service.add_note("exit_interview", "hr", "Alleen voor HR", private=True)
    service.add_note("check_in", "m", "Alleen voor mij", private=True)
    with pytest.raises(AccessDeniedError):
        service.conversation("exit_interview", reader="m")
    # the refused read left nothing; the note's view was logged for its author
    admin = service.administration
    assert admin.access_log_about("e") == admin.access_log_by_reader("hr")
    raw = service.administration.conversation("exit_interview")
    assert [n.text for n in raw.notes_for("hr")] == ["Alleen voor HR"]
    assert [n.text for n in service.administration.conversation("check_in").notes_for("m")] == [
        "Alleen voor mij"
    ]
    entries = service.administration.access_log_about("e")
    assert [(e.reader_id, e.record_id, e.via) for e in entries] == [
        ("hr", "exit_interview", "view"),
        ("administration", "exit_interview", "administration"),
    ]
    assert all(entry.at == T0 for entry in entries)


def test_the_administrative_reads_of_reports_and_items_are_whole_and_logged(store: Store) -> None:
    clock = FixedClock(T0)
    design = CycleDesign(name="d", cycle_start=date(2026, 1, 1))
    service = ConversationService(store, clock, design=design, hr_contact_id="hr")
    talks = [
        Conversation.plan(
            id=key,
            type_key=key,
            employee_id="e",
            manager_id="m",
            window=Window(date(2026, 2, 20), date(2026, 3, 1), date(2026, 3, 31)),
            participants=[Participant("hr", "hr")] if key == "exit_interview" else [],
            roles=built_in_catalog().type(key).participants,
        )
        for key in ("check_in", "exit_interview")
    ]
    with store.unit_of_work() as uow:
        uow.conversations.add_many(talks)
    for key, leader in (("check_in", "m"), ("exit_interview", "hr")):
        service.schedule(key, T0 - timedelta(days=1))
        service.record_held(key, at=T0 - timedelta(hours=20))
        service.create_report(key, f"Verslag {key}", author_id=leader)
        service.create_action_item(key, f"Actie {key}", owner_id="e", item_id=f"a-{key}")
    admin = service.administration
    before = len(admin.access_log_about("e"))
    reports = admin.reports_of("e")
    items = admin.action_items_of("e")
    assert [r.summary for r in reports] == ["Verslag check_in", "Verslag exit_interview"]
    assert [i.title for i in items] == ["Actie check_in", "Actie exit_interview"]
    assert admin.reports_of("nobody") == []
    assert admin.action_items_of("nobody") == []
    logged = admin.access_log_about("e")[before:]
    # only the confidential type's records are logged, each once, by the administration
    assert [(e.reader_id, e.record_kind, e.record_id, e.via) for e in logged] == [
        ("administration", "report", "exit_interview", "administration"),
        ("administration", "action_item", "a-exit_interview", "administration"),
    ]
