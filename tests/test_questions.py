"""Questions, question sets, answer validation and versioning."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.domain.questions import (
    Audience,
    Choice,
    Question,
    QuestionKind,
    QuestionSet,
    QuestionSetLibrary,
    QuestionSetRef,
    ScalePoint,
)
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import (
    ConflictError,
    InvalidValueError,
    NotFoundError,
    SerializationError,
)
from gesprekscyclus.serialization import dumps, from_data, loads, to_data

from . import strategies as gs


def both(text: str) -> LocalizedText:
    return LocalizedText(nl=f"{text} (nl)", en=text)


SCALE = (ScalePoint(1, both("low")), ScalePoint(3, both("middle")), ScalePoint(5, both("high")))
CHOICES = (Choice("red", both("Red")), Choice("green", both("Green")), Choice("blue", both("Blue")))

REVIEW = QuestionSet(
    key="growth_review",
    version=1,
    title=both("Review"),
    questions=(
        Question(
            key="workload",
            kind=QuestionKind.SCALE,
            text=both("Workload?"),
            audience=Audience.EMPLOYEE_PREPARATION,
            required=True,
            scale=SCALE,
        ),
        Question(
            key="notes",
            kind="open_text",
            text=both("Notes?"),
            audience=Audience.MANAGER_PREPARATION,
        ),
        Question(key="colour", kind="single_choice", text=both("Colour?"), choices=CHOICES),
        Question(
            key="colours",
            kind="multiple_choice",
            text=both("Colours?"),
            choices=CHOICES,
            required=True,
        ),
        Question(key="leaving", kind="yes_no", text=both("Leaving?")),
    ),
)


# --- round trips ----------------------------------------------------------------------------


@given(gs.questions())
def test_question_round_trips(question: Question) -> None:
    assert from_data(Question, to_data(question)) == question


@given(gs.question_sets())
def test_question_set_round_trips(question_set: QuestionSet) -> None:
    assert from_data(QuestionSet, to_data(question_set)) == question_set
    assert loads(QuestionSet, dumps(question_set)) == question_set


@given(gs.question_set_refs)
def test_question_set_ref_round_trips_as_data_and_text(ref: QuestionSetRef) -> None:
    assert from_data(QuestionSetRef, to_data(ref)) == ref
    assert QuestionSetRef.parse(str(ref)) == ref


@given(gs.question_set_libraries())
def test_library_round_trips(library: QuestionSetLibrary) -> None:
    assert from_data(QuestionSetLibrary, to_data(library)) == library


def test_unknown_kind_in_data_lists_the_kinds() -> None:
    data = to_data(REVIEW)
    data["questions"][2]["kind"] = "dropdown"
    with pytest.raises(SerializationError) as caught:
        from_data(QuestionSet, data)
    message = str(caught.value)
    assert "dropdown" in message
    assert "open_text, scale, single_choice, multiple_choice, yes_no" in message


# --- question rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "path", "fragment"),
    [
        ({"kind": "scale"}, "Question.scale", "at least 2 points"),
        ({"kind": "scale", "scale": SCALE[:1]}, "Question.scale", "at least 2 points"),
        ({"kind": "scale", "scale": SCALE[::-1]}, "Question.scale", "unique and ascending"),
        ({"kind": "scale", "scale": (SCALE[0], SCALE[0])}, "Question.scale", "unique"),
        ({"kind": "open_text", "scale": SCALE}, "Question.scale", "cannot have a scale"),
        ({"kind": "single_choice"}, "Question.choices", "at least 2 choices"),
        ({"kind": "multiple_choice", "choices": CHOICES[:1]}, "Question.choices", "at least 2"),
        ({"kind": "yes_no", "choices": CHOICES}, "Question.choices", "cannot have choices"),
        (
            {"kind": "single_choice", "choices": (CHOICES[0], CHOICES[0])},
            "Question.choices[1]",
            "duplicate key 'red'",
        ),
        ({"kind": "yes_no", "key": "Work Load"}, "Question.key", "lowercase identifier"),
    ],
)
def test_question_shape_is_checked(kwargs: dict[str, object], path: str, fragment: str) -> None:
    arguments: dict[str, object] = {"key": "q", "text": both("Q?"), **kwargs}
    with pytest.raises(InvalidValueError) as caught:
        Question(**arguments)  # type: ignore[arg-type]
    assert caught.value.path == path
    assert fragment in str(caught.value)


def test_unknown_kind_and_audience_list_allowed_values() -> None:
    with pytest.raises(InvalidValueError) as caught:
        Question(key="q", kind="essay", text=both("Q?"))
    assert caught.value.allowed == (
        "open_text",
        "scale",
        "single_choice",
        "multiple_choice",
        "yes_no",
    )
    with pytest.raises(InvalidValueError) as caught:
        Question(key="q", kind="yes_no", text=both("Q?"), audience="hr")
    assert caught.value.allowed == ("employee_preparation", "manager_preparation", "joint")


def test_scale_point_values_are_whole_numbers() -> None:
    with pytest.raises(InvalidValueError, match=r"ScalePoint\.value"):
        ScalePoint(True, both("yes"))


def test_question_set_needs_unique_questions() -> None:
    with pytest.raises(InvalidValueError, match=r"QuestionSet\.questions\[1\].*'notes'"):
        QuestionSet("s", 1, both("S"), (REVIEW.question("notes"), REVIEW.question("notes")))
    with pytest.raises(InvalidValueError, match="needs a question"):
        QuestionSet("s", 1, both("S"), ())
    with pytest.raises(InvalidValueError, match=r"QuestionSet\.version"):
        QuestionSet("s", 0, both("S"), REVIEW.questions)


def test_question_lookup_names_known_keys() -> None:
    assert REVIEW.question("leaving").kind is QuestionKind.YES_NO
    with pytest.raises(NotFoundError) as caught:
        REVIEW.question("mood")
    assert "'mood'" in str(caught.value)
    assert "known: workload, notes, colour, colours, leaving" in str(caught.value)


def test_each_preparation_sees_its_own_and_the_joint_questions() -> None:
    employee = [q.key for q in REVIEW.for_audience(Audience.EMPLOYEE_PREPARATION)]
    manager = [q.key for q in REVIEW.for_audience("manager_preparation")]
    joint = [q.key for q in REVIEW.for_audience(Audience.JOINT)]
    assert employee == ["workload", "colour", "colours", "leaving"]
    assert manager == ["notes", "colour", "colours", "leaving"]
    assert joint == ["colour", "colours", "leaving"]


def test_text_falls_back_to_dutch_then_english() -> None:
    dutch_only = Question(key="q", kind="yes_no", text=LocalizedText(nl="Klaar?"))
    english_only = Question(key="q", kind="yes_no", text=LocalizedText(en="Done?"))
    assert dutch_only.text.in_("en") == "Klaar?"
    assert english_only.text.in_("nl") == "Done?"


# --- answers --------------------------------------------------------------------------------


@given(st.data())
def test_generated_answers_are_accepted(data: st.DataObject) -> None:
    question_set = data.draw(gs.question_sets())
    question_set.validate_answers(data.draw(gs.answers_for(question_set)))
    question_set.validate_answers(
        data.draw(gs.answers_for(question_set, complete=True)), complete=True
    )


def test_valid_answers_of_every_kind_pass() -> None:
    answers = {
        "workload": 3,
        "notes": "Fine",
        "colour": "red",
        "colours": ("red", "blue"),
        "leaving": False,
    }
    REVIEW.validate_answers(answers, complete=True)


@pytest.mark.parametrize(
    ("key", "value", "fragment", "allowed"),
    [
        ("workload", 4, "4 is not a point on the scale", ("1", "3", "5")),
        ("workload", "3", "expected a scale point", ("1", "3", "5")),
        ("workload", True, "expected a scale point", ("1", "3", "5")),
        ("notes", 7, "expected text", None),
        ("notes", "  ", "must not be blank", None),
        ("colour", "purple", "'purple' is not one of the choices", ("red", "green", "blue")),
        ("colour", ("red",), "is not one of the choices", ("red", "green", "blue")),
        ("colours", ("red", "pink"), "'pink' is not one of the choices", ("red", "green", "blue")),
        ("colours", "red", "expected a list of choice keys", ("red", "green", "blue")),
        ("colours", ("red", "red"), "picked twice", None),
        ("leaving", "yes", "expected yes or no", ("true", "false")),
        ("leaving", 1, "expected yes or no", ("true", "false")),
    ],
)
def test_wrong_answers_name_the_question_and_allowed_values(
    key: str, value: object, fragment: str, allowed: tuple[str, ...] | None
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        REVIEW.validate_answers({key: value})  # type: ignore[dict-item]
    assert caught.value.path == f"growth_review@1.answers.{key}"
    assert fragment in caught.value.problem
    assert caught.value.allowed == allowed


def test_unknown_question_key_lists_the_questions() -> None:
    with pytest.raises(InvalidValueError) as caught:
        REVIEW.validate_answers({"mood": 3})
    assert caught.value.path == "growth_review@1.answers.mood"
    assert caught.value.allowed == ("workload", "notes", "colour", "colours", "leaving")


def test_complete_answers_need_every_required_question() -> None:
    partial = {"colours": ("green",)}
    REVIEW.validate_answers(partial)
    with pytest.raises(InvalidValueError) as caught:
        REVIEW.validate_answers(partial, complete=True)
    assert caught.value.path == "growth_review@1.answers.workload"
    assert "required" in str(caught.value)
    with pytest.raises(InvalidValueError, match=r"answers\.colours: is required"):
        REVIEW.validate_answers({"workload": 1, "colours": ()}, complete=True)


def test_answers_for_one_audience() -> None:
    REVIEW.validate_answers(
        {"notes": "ok", "colours": ("red",)}, complete=True, audience="manager_preparation"
    )
    with pytest.raises(InvalidValueError) as caught:
        REVIEW.validate_answers({"workload": 3}, audience=Audience.MANAGER_PREPARATION)
    assert caught.value.path == "growth_review@1.answers.workload"
    assert "workload" not in (caught.value.allowed or ())


# --- references and versioning --------------------------------------------------------------


def test_refs_print_parse_and_order() -> None:
    assert str(REVIEW.ref) == "growth_review@1"
    assert QuestionSetRef.parse("growth_review@2") == QuestionSetRef("growth_review", 2)
    assert sorted([QuestionSetRef("b", 1), QuestionSetRef("a", 10), QuestionSetRef("a", 2)]) == [
        QuestionSetRef("a", 2),
        QuestionSetRef("a", 10),
        QuestionSetRef("b", 1),
    ]
    for text in ("growth_review", "growth_review@", "growth_review@x", "@1"):
        with pytest.raises(InvalidValueError):
            QuestionSetRef.parse(text)


def _reworded(question_set: QuestionSet) -> QuestionSet:
    first, *rest = question_set.questions
    changed = Question(
        key=first.key,
        kind=first.kind,
        text=LocalizedText(nl="Een andere vraag", en="Another question"),
        audience=first.audience,
        required=first.required,
        scale=first.scale,
        choices=first.choices,
        help=first.help,
    )
    if changed == first:
        changed = Question(
            key=first.key,
            kind=first.kind,
            text=LocalizedText(nl="Nog een vraag"),
            audience=first.audience,
            required=first.required,
            scale=first.scale,
            choices=first.choices,
            help=first.help,
        )
    return QuestionSet(question_set.key, question_set.version, question_set.title, (changed, *rest))


def test_unused_version_may_be_replaced_but_a_used_one_may_not() -> None:
    library = QuestionSetLibrary().add(REVIEW)
    replacement = _reworded(REVIEW)
    replaced = library.add(replacement)
    assert replaced.get(REVIEW.ref) == replacement
    assert replaced.versions("growth_review") == (1,)

    used = library.mark_used(REVIEW.ref)
    assert used.is_used(REVIEW.ref)
    with pytest.raises(ConflictError, match=r"growth_review@1 .*version 2"):
        used.add(replacement)
    assert used.get(REVIEW.ref) == REVIEW


@given(gs.question_sets(), st.booleans())
def test_identical_re_add_changes_nothing(question_set: QuestionSet, mark: bool) -> None:
    library = QuestionSetLibrary().add(question_set)
    if mark:
        library = library.mark_used(question_set.ref)
    assert library.add(question_set) is library
    marked = library.mark_used(question_set.ref)
    assert marked.mark_used(question_set.ref) is marked
    assert marked.is_used(question_set.ref)


@given(gs.question_sets())
def test_used_version_never_changes(question_set: QuestionSet) -> None:
    library = QuestionSetLibrary().add(question_set).mark_used(question_set.ref)
    with pytest.raises(ConflictError):
        library.add(_reworded(question_set))
    assert library.get(question_set.ref) == question_set


def test_revise_publishes_the_next_version_and_keeps_the_old_one() -> None:
    library = QuestionSetLibrary().add(REVIEW).mark_used(REVIEW.ref)
    revised = library.revise("growth_review", questions=REVIEW.questions[:2])
    assert revised.versions("growth_review") == (1, 2)
    latest = revised.latest("growth_review")
    assert latest.ref == QuestionSetRef("growth_review", 2)
    assert latest.keys == ("workload", "notes")
    assert latest.title == REVIEW.title
    assert revised.get(REVIEW.ref) == REVIEW
    assert revised.is_used(REVIEW.ref)
    assert not revised.is_used(latest.ref)
    retitled = revised.revise("growth_review", title=both("Yearly review"))
    assert retitled.latest("growth_review").version == 3
    assert retitled.latest("growth_review").keys == ("workload", "notes")


def test_library_lookups_name_what_exists() -> None:
    library = QuestionSetLibrary().add(REVIEW)
    assert library.keys() == ("growth_review",)
    assert library.versions("check_in") == ()
    assert REVIEW.ref in library
    with pytest.raises(NotFoundError, match=r"'check_in' does not exist \(known: growth_review\)"):
        library.latest("check_in")
    with pytest.raises(NotFoundError, match=r"known: growth_review@1"):
        library.get(QuestionSetRef("growth_review", 2))
    with pytest.raises(NotFoundError):
        library.mark_used(QuestionSetRef("growth_review", 2))
    with pytest.raises(NotFoundError):
        library.revise("check_in", title=both("Check-in"))


def test_library_contents_are_checked_and_ordered() -> None:
    second = QuestionSet("growth_review", 2, REVIEW.title, REVIEW.questions)
    assert QuestionSetLibrary(sets=(second, REVIEW)) == QuestionSetLibrary(sets=(REVIEW, second))
    assert QuestionSetLibrary(sets=(second, REVIEW)).sets == (REVIEW, second)
    with pytest.raises(InvalidValueError, match=r"QuestionSetLibrary\.sets\[1\]: duplicate"):
        QuestionSetLibrary(sets=(REVIEW, _reworded(REVIEW)))
    with pytest.raises(InvalidValueError, match=r"QuestionSetLibrary\.used: growth_review@2"):
        QuestionSetLibrary(sets=(REVIEW,), used=(QuestionSetRef("growth_review", 2),))
