"""Typed payloads: lists of choice keys are answers, and to_data gives JSON values."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.domain.conversations import Answer, Conversation, Window
from gesprekscyclus.domain.questions import AnswerValue
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.serialization import JsonObject, from_data, to_data
from gesprekscyclus.service.app import ConversationService

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _service() -> ConversationService:
    service = ConversationService(
        MemoryStore(), FixedClock(T0), design=CycleDesign(name="d", cycle_start=date(2026, 1, 1))
    )
    talk = Conversation.plan(
        id="d-1",
        type_key="development",
        employee_id="e",
        manager_id="m",
        window=Window(date(2026, 3, 1), date(2026, 3, 9), date(2026, 3, 31)),
    )
    with service.store.unit_of_work() as uow:
        uow.conversations.add_many([talk])
    return service


def test_a_json_list_of_choice_keys_is_an_answer_and_is_kept_as_a_tuple() -> None:
    service = _service()
    (ways,) = [
        q for q in service.questions_for("d-1", "e").questions if q.kind == "multiple_choice"
    ]
    picked = [str(option.value) for option in ways.options[:2]]
    answers: dict[str, AnswerValue] = {ways.key: picked}  # a list, as JSON gives it
    view = service.record_answers("d-1", "e", answers)
    (answer,) = [a for a in view.answers if a.question_key == ways.key]
    assert answer.value == tuple(picked)
    assert service.questions_for("d-1", "e").questions[2].answer == tuple(picked)
    data = to_data(answer)
    assert data["value"] == picked
    assert from_data(Answer, json.loads(json.dumps(data))) == answer


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (["nope"], "'nope' is not one of the choices"),
        ("one_key", "expected a list of choice keys"),
        ([1, 2], "1 is not one of the choices"),
    ],
)
def test_wrong_lists_are_refused_the_same_way_for_lists_and_tuples(
    value: object, problem: str
) -> None:
    service = _service()
    key = next(
        q.key for q in service.questions_for("d-1", "e").questions if q.kind == "multiple_choice"
    )
    for given in (value, tuple(value) if isinstance(value, list) else value):
        with pytest.raises(InvalidValueError, match=problem.replace("(", r"\(")):
            service.record_answers("d-1", "e", {key: given})  # type: ignore[dict-item]


def test_to_data_of_a_view_is_a_json_object_of_json_values() -> None:
    service = _service()
    view = service.conversation("d-1", reader="e")
    data: JsonObject = to_data(view)
    assert json.loads(json.dumps(data)) == data
    assert data["id"] == "d-1"
    assert isinstance(data["participants"], list)
