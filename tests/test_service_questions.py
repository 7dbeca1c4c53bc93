"""The questions a reader prepares or answers, with the answers the access policy shows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.domain.access import ReaderRole
from gesprekscyclus.domain.conversations import Conversation, Participant, Window
from gesprekscyclus.domain.questions import Audience
from gesprekscyclus.errors import AccessDeniedError, InvalidValueError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.service.app import ConversationService

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WINDOW = Window(date(2026, 3, 1), date(2026, 3, 9), date(2026, 3, 31))


def _service(*talks: Conversation) -> tuple[ConversationService, FixedClock]:
    clock = FixedClock(T0)
    service = ConversationService(
        MemoryStore(),
        clock,
        design=CycleDesign(name="d", cycle_start=date(2026, 1, 1)),
        hr_contact_id="hr",
    )
    with service.store.unit_of_work() as uow:
        uow.conversations.add_many(talks)
    return service, clock


def _review() -> Conversation:
    return Conversation.plan(
        id="g-1", type_key="growth_review", employee_id="e", manager_id="m", window=WINDOW
    )


def test_each_side_gets_its_own_preparation_and_the_joint_questions() -> None:
    service, _clock = _service(_review())
    employee = service.questions_for("g-1", "e")
    manager = service.questions_for("g-1", "m")
    assert employee.audience is Audience.EMPLOYEE_PREPARATION
    assert manager.audience is Audience.MANAGER_PREPARATION
    assert {q.audience for q in employee.questions} == {
        Audience.EMPLOYEE_PREPARATION,
        Audience.JOINT,
    }
    assert {q.audience for q in manager.questions} == {
        Audience.MANAGER_PREPARATION,
        Audience.JOINT,
    }
    assert [q.key for q in employee.questions][:2] == ["workload", "successes"]
    assert employee.question_set is not None
    assert str(employee.question_set) == "growth_review@1"
    assert (employee.reader_role, manager.reader_role) == (ReaderRole.EMPLOYEE, ReaderRole.MANAGER)
    assert all(q.may_answer for q in employee.questions + manager.questions)


def test_texts_and_options_follow_the_locale() -> None:
    service, _clock = _service(_review())
    dutch = service.questions_for("g-1", "e").questions[0]
    english = service.questions_for("g-1", "e", locale="en").questions[0]
    assert dutch.key == english.key == "workload"
    assert dutch.text != english.text
    assert [o.value for o in dutch.options] == [o.value for o in english.options]
    assert [o.label for o in dutch.options] != [o.label for o in english.options]
    with pytest.raises(InvalidValueError):
        service.questions_for("g-1", "e", locale="de")


def test_answers_show_only_where_the_policy_lets_the_reader_read_them() -> None:
    service, clock = _service(_review())
    service.record_answers("g-1", "e", {"workload": 4, "successes": "Het project"})
    service.record_answers("g-1", "m", {"feedback_points": "Meer delegeren", "agreements": "X"})
    employee = {q.key: q for q in service.questions_for("g-1", "e").questions}
    manager = {q.key: q for q in service.questions_for("g-1", "m").questions}
    assert employee["workload"].answer == 4
    assert employee["agreements"].answer is None  # the manager's joint answer, not hers ...
    assert [a.author_id for a in employee["agreements"].answers] == ["m"]  # ... but she reads it
    assert "workload" not in manager  # not his preparation
    assert manager["feedback_points"].answer == "Meer delegeren"
    service.share_preparation("g-1", "e")
    # Sharing shows her answers in his conversation view, still not as his questions.
    assert {a.question_key for a in service.conversation("g-1", reader="m").answers} >= {"workload"}
    service.schedule("g-1", datetime(2026, 3, 3, 9, 0, tzinfo=UTC))
    clock.set(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    service.record_held("g-1")
    held = service.questions_for("g-1", "e")
    assert held.questions[0].answer == 4


def test_a_closed_conversation_takes_no_answers() -> None:
    check_in = Conversation.plan(
        id="c-1", type_key="check_in", employee_id="e", manager_id="m", window=WINDOW
    )
    service, _clock = _service(check_in)
    service.cancel("c-1", reason="Niet nodig")
    assert not any(q.may_answer for q in service.questions_for("c-1", "e").questions)


def test_hr_not_taking_part_answers_nothing_and_outsiders_see_nothing() -> None:
    service, _clock = _service(_review())
    hr = service.questions_for("g-1", "hr")
    assert (hr.reader_role, hr.audience, hr.questions) == (ReaderRole.HR_OFFICE, None, ())
    with pytest.raises(AccessDeniedError, match="'x' may not see 'g-1'"):
        service.questions_for("g-1", "x")


def test_a_manager_outside_an_exit_interview_cannot_ask_for_its_questions() -> None:
    exit_talk = Conversation.plan(
        id="x-1",
        type_key="exit_interview",
        employee_id="e",
        manager_id="m",
        participants=[Participant("hr", "hr")],
        roles=("employee", "hr"),
        window=WINDOW,
    )
    service, _clock = _service(exit_talk)
    with pytest.raises(AccessDeniedError):
        service.questions_for("x-1", "m")
    interviewer = service.questions_for("x-1", "hr")
    assert interviewer.audience is Audience.MANAGER_PREPARATION
    assert {q.audience for q in interviewer.questions} == {Audience.JOINT}
    service.record_answers("x-1", "e", {"advice": "Luister beter"})
    (advice,) = [q for q in service.questions_for("x-1", "hr").questions if q.key == "advice"]
    assert [a.value for a in advice.answers] == ["Luister beter"]
    # Reads of a confidential conversation are logged.
    assert any(e.reader_id == "hr" for e in service.administration.access_log_about("e"))


def test_a_type_without_questions_gives_an_empty_list() -> None:
    other = Conversation.plan(
        id="o-1", type_key="no_such_type", employee_id="e", manager_id="m", window=WINDOW
    )
    service, _clock = _service(other)
    view = service.questions_for("o-1", "e")
    assert (view.question_set, view.questions) == (None, ())
