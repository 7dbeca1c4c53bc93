"""Conversation types, the catalog and the built-in catalog's content."""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs
import pytest
from hypothesis import given

from gesprekscyclus.domain.catalog import BUILT_IN_TYPE_KEYS, Catalog, built_in_catalog
from gesprekscyclus.domain.conversation_types import (
    ConversationType,
    Sensitivity,
    SignOffRequirement,
)
from gesprekscyclus.domain.people import Role
from gesprekscyclus.domain.questions import (
    Audience,
    Question,
    QuestionKind,
    QuestionSet,
    QuestionSetRef,
)
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import DesignError, InvalidValueError, NotFoundError
from gesprekscyclus.serialization import dumps, from_data, loads, to_data

from . import strategies as gs

CATALOG = built_in_catalog()


def _texts_of_set(question_set: QuestionSet) -> Iterator[tuple[str, LocalizedText]]:
    yield f"{question_set.ref}.title", question_set.title
    for question in question_set.questions:
        where = f"{question_set.ref}.{question.key}"
        yield f"{where}.text", question.text
        if question.help is not None:
            yield f"{where}.help", question.help
        for point in question.scale:
            yield f"{where}.scale[{point.value}]", point.label
        for choice in question.choices:
            yield f"{where}.choices.{choice.key}", choice.label


def _all_texts(catalog: Catalog) -> Iterator[tuple[str, LocalizedText]]:
    for conversation_type in catalog.types:
        yield f"{conversation_type.key}.label", conversation_type.label
        yield f"{conversation_type.key}.purpose", conversation_type.purpose
    for question_set in catalog.question_sets.sets:
        yield from _texts_of_set(question_set)


# --- the built-in catalog -------------------------------------------------------------------


def test_built_in_catalog_has_the_nine_types_in_order() -> None:
    assert CATALOG.keys() == BUILT_IN_TYPE_KEYS
    assert BUILT_IN_TYPE_KEYS == (
        "check_in",
        "growth_review",
        "appraisal",
        "development",
        "stay_interview",
        "exit_interview",
        "wellbeing",
        "onboarding",
        "absence",
    )
    assert built_in_catalog() == CATALOG


def test_every_built_in_text_exists_in_dutch_and_english() -> None:
    missing = [
        f"{where} ({locale})"
        for where, text in _all_texts(CATALOG)
        for locale in ("nl", "en")
        if not text.has(locale)
    ]
    assert missing == []
    assert sum(1 for _ in _all_texts(CATALOG)) > 100


def test_every_built_in_type_has_version_one_of_its_own_question_set() -> None:
    CATALOG.validate()
    assert CATALOG.problems() == ()
    for key in BUILT_IN_TYPE_KEYS:
        assert CATALOG.type(key).question_set == key
        assert CATALOG.question_set_for(key).ref == QuestionSetRef(key, 1)
    assert CATALOG.question_sets.keys() == tuple(sorted(BUILT_IN_TYPE_KEYS))
    assert CATALOG.question_sets.used == ()


def test_built_in_sensitivity_and_sign_off() -> None:
    sensitivity = {key: CATALOG.type(key).sensitivity for key in BUILT_IN_TYPE_KEYS}
    assert sensitivity.pop("exit_interview") is Sensitivity.CONFIDENTIAL
    assert sensitivity.pop("absence") is Sensitivity.HEALTH_RELATED
    assert set(sensitivity.values()) == {Sensitivity.NORMAL}
    for key in BUILT_IN_TYPE_KEYS:
        conversation_type = CATALOG.type(key)
        two_way_record = key in ("growth_review", "appraisal")
        assert (conversation_type.sign_off is SignOffRequirement.REQUIRED) == two_way_record
        assert conversation_type.employee_written_view == two_way_record
        assert conversation_type.led_by in conversation_type.participants
        assert Role.EMPLOYEE in conversation_type.participants
        assert 15 <= conversation_type.duration_minutes <= 90
    assert CATALOG.type("exit_interview").led_by is Role.HR
    assert Role.MANAGER not in CATALOG.type("exit_interview").participants


def test_growth_review_covers_the_core_topics_per_audience() -> None:
    review = CATALOG.question_set_for("growth_review")
    for key in ("workload", "successes", "development_goals", "teamwork"):
        assert review.question(key).audience is Audience.EMPLOYEE_PREPARATION
        assert review.question(key).required
    assert review.question("workload").kind is QuestionKind.SCALE
    assert review.question("agreements").audience is Audience.JOINT


@pytest.mark.parametrize("key", ["growth_review", "appraisal", "development", "stay_interview"])
def test_two_way_types_have_preparation_questions(key: str) -> None:
    question_set = CATALOG.question_set_for(key)
    audiences = {question.audience for question in question_set.questions}
    assert Audience.EMPLOYEE_PREPARATION in audiences
    assert Audience.JOINT in audiences
    if key != "stay_interview":
        assert Audience.MANAGER_PREPARATION in audiences


@pytest.mark.parametrize("key", ["check_in", "stay_interview"])
def test_considering_leaving_is_a_yes_no_question(key: str) -> None:
    question = CATALOG.question_set_for(key).question("considering_leaving")
    assert question.kind is QuestionKind.YES_NO
    CATALOG.question_set_for(key).validate_answers({"considering_leaving": True})


@pytest.mark.parametrize("key", ["check_in", "wellbeing"])
def test_wellbeing_score_is_a_labelled_five_point_scale(key: str) -> None:
    question = CATALOG.question_set_for(key).question("wellbeing_score")
    assert question.kind is QuestionKind.SCALE
    assert question.scale_values == (1, 2, 3, 4, 5)
    assert all(point.label.has("nl") and point.label.has("en") for point in question.scale)
    with pytest.raises(InvalidValueError) as caught:
        CATALOG.question_set_for(key).validate_answers({"wellbeing_score": 6})
    assert caught.value.path == f"{key}@1.answers.wellbeing_score"
    assert caught.value.allowed == ("1", "2", "3", "4", "5")


# What an employer may record at a sick report; the absence set must not go beyond it.
ABSENCE_KEYS = {
    "contact_phone",
    "stay_address",
    "expected_duration",
    "appointments_and_work",
    "workplace_accident",
    "liable_third_party",
    "safety_net_case",
    "next_contact",
}
# Word stems that would mean asking about health itself (both languages).
FORBIDDEN = {
    "nl": (
        r"diagnos",
        r"oorza",
        r"behandel",
        r"zwanger",
        r"klacht",
        r"symptom",
        r"medicij",
        r"medicat",
        r"aandoening",
        r"kwaal",
        r"\bziekte\b",
        r"waarom",
        r"wat (heb|mankeert) je",
        r"therap",
        r"huisarts",
        r"specialist",
        r"ziekenhuis",
    ),
    "en": (
        r"diagnos",
        r"cause",
        r"treat",
        r"pregnan",
        r"complaint",
        r"symptom",
        r"medicat",
        r"medicine",
        r"condition",
        r"illness",
        r"disease",
        r"\bwhy\b",
        r"what is wrong",
        r"therap",
        r"doctor",
        r"hospital",
    ),
}


def test_absence_questions_ask_only_what_an_employer_may_record() -> None:
    absence = CATALOG.question_set_for("absence")
    assert set(absence.keys) == ABSENCE_KEYS
    texts = [
        ("absence.label", CATALOG.type("absence").label),
        ("absence.purpose", CATALOG.type("absence").purpose),
        *_texts_of_set(absence),
    ]
    hits = [
        f"{where} ({locale}): {pattern}"
        for where, text in texts
        for locale, patterns in FORBIDDEN.items()
        for pattern in patterns
        if re.search(pattern, text.in_(locale), flags=re.IGNORECASE)
    ]
    assert hits == []
    assert not CATALOG.type("absence").private_notes


def test_the_absence_guard_catches_a_forbidden_question() -> None:
    asked = LocalizedText(nl="Wat is de diagnose?", en="What is the diagnosis?")
    for locale, patterns in FORBIDDEN.items():
        assert any(re.search(p, asked.in_(locale), flags=re.IGNORECASE) for p in patterns)


def test_built_in_catalog_round_trips() -> None:
    assert from_data(Catalog, to_data(CATALOG)) == CATALOG
    assert loads(Catalog, dumps(CATALOG)) == CATALOG


# --- conversation types ---------------------------------------------------------------------


@given(gs.conversation_types())
def test_conversation_type_round_trips(conversation_type: ConversationType) -> None:
    assert from_data(ConversationType, to_data(conversation_type)) == conversation_type


@given(gs.catalogs())
def test_catalog_round_trips(catalog: Catalog) -> None:
    catalog.validate()
    assert from_data(Catalog, to_data(catalog)) == catalog


def _type(**changes: object) -> ConversationType:
    return attrs.evolve(CATALOG.type("check_in"), **changes)


def test_roles_are_converted_from_text() -> None:
    walk = _type(key="walk", participants=["employee", "manager"], led_by="manager")
    assert walk.participants == (Role.EMPLOYEE, Role.MANAGER)
    assert walk.led_by is Role.MANAGER


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"key": "Check In"}, "ConversationType.key"),
        ({"key": "1st"}, "ConversationType.key"),
        ({"question_set": "Check In"}, "ConversationType.question_set"),
        ({"led_by": Role.HR}, "ConversationType.led_by"),
        ({"participants": ()}, "ConversationType.participants"),
        ({"participants": ("employee", "manager", "employee")}, "ConversationType.participants"),
        ({"duration_minutes": 0}, "ConversationType.duration_minutes"),
        ({"report": False, "sign_off": "required"}, "ConversationType.sign_off"),
        (
            {"report": False, "employee_written_view": True},
            "ConversationType.employee_written_view",
        ),
    ],
)
def test_conversation_type_rules_name_the_field(changes: dict[str, object], path: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        _type(**changes)
    assert caught.value.path == path


def test_led_by_error_lists_the_participants() -> None:
    with pytest.raises(InvalidValueError) as caught:
        _type(led_by="hr")
    assert caught.value.allowed == ("employee", "manager")


def test_unknown_values_list_the_allowed_ones() -> None:
    with pytest.raises(InvalidValueError) as caught:
        _type(sensitivity="secret")
    assert caught.value.allowed == ("normal", "confidential", "health_related")
    with pytest.raises(InvalidValueError) as caught:
        _type(sign_off="maybe")
    assert caught.value.allowed == ("none", "optional", "required")
    with pytest.raises(InvalidValueError) as caught:
        _type(participants=("employee", "coach"))
    assert "occupational_physician" in (caught.value.allowed or ())


# --- changing a catalog ---------------------------------------------------------------------


def test_unknown_type_lists_the_known_keys() -> None:
    with pytest.raises(NotFoundError) as caught:
        CATALOG.type("planning")
    assert "'planning' does not exist" in str(caught.value)
    assert "known: check_in, growth_review, appraisal" in str(caught.value)


def test_add_override_and_drop_types() -> None:
    planning = _type(
        key="planning",
        label=LocalizedText(nl="Planningsgesprek", en="Planning conversation"),
        question_set=None,
    )
    extended = CATALOG.with_type(planning)
    assert extended.keys() == (*BUILT_IN_TYPE_KEYS, "planning")
    assert extended.type("planning") == planning
    assert "planning" not in CATALOG

    longer = attrs.evolve(CATALOG.type("check_in"), duration_minutes=45)
    overridden = CATALOG.with_type(longer)
    assert overridden.keys() == BUILT_IN_TYPE_KEYS
    assert overridden.type("check_in").duration_minutes == 45
    assert CATALOG.type("check_in").duration_minutes == 30

    dropped = CATALOG.without("appraisal")
    assert dropped.keys() == tuple(key for key in BUILT_IN_TYPE_KEYS if key != "appraisal")
    assert dropped.question_sets == CATALOG.question_sets
    with pytest.raises(NotFoundError, match="known: check_in"):
        dropped.without("appraisal")


def test_question_set_without_a_set_is_reported() -> None:
    silent = CATALOG.with_type(_type(key="silent", question_set=None))
    with pytest.raises(NotFoundError, match="'silent'"):
        silent.question_set_for("silent")


def test_validate_lists_every_missing_question_set() -> None:
    broken = CATALOG.with_type(_type(key="planning", question_set="planning")).with_type(
        _type(key="walk", question_set="walk")
    )
    with pytest.raises(DesignError) as caught:
        broken.validate(source="design.toml")
    paths = [problem.path for problem in caught.value.problems]
    assert paths == ["types.planning.question_set", "types.walk.question_set"]
    assert "design.toml: types.planning.question_set" in str(caught.value)
    assert "allowed: absence, appraisal" in str(caught.value)

    planning_set = QuestionSet(
        "planning",
        1,
        LocalizedText(nl="Planning", en="Planning"),
        (Question(key="goals", kind="open_text", text=LocalizedText(nl="Doelen?", en="Goals?")),),
    )
    fixed = broken.with_question_set(planning_set).with_type(_type(key="walk", question_set=None))
    fixed.validate()
    assert fixed.question_set_for("planning") == planning_set


def test_question_set_for_follows_the_latest_version() -> None:
    check_in = CATALOG.question_set_for("check_in")
    library = CATALOG.question_sets.mark_used(check_in.ref).revise(
        "check_in", questions=check_in.questions[:2]
    )
    revised = attrs.evolve(CATALOG, question_sets=library)
    assert revised.question_set_for("check_in").ref == QuestionSetRef("check_in", 2)
    assert revised.question_sets.get(check_in.ref) == check_in
    assert CATALOG.with_question_set(check_in) is CATALOG


def test_catalog_rejects_duplicate_type_keys() -> None:
    with pytest.raises(InvalidValueError, match=r"Catalog\.types\[1\]: duplicate key 'check_in'"):
        Catalog(types=(CATALOG.type("check_in"), CATALOG.type("check_in")))
