"""The conversation lifecycle: transitions, rescheduling, answers pinned to a version, notes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from gesprekscyclus.domain.conversations import (
    CONVERSATION_TRANSITIONS,
    Conversation,
    ConversationAction,
    ConversationStatus,
    Participant,
    Window,
)
from gesprekscyclus.domain.people import Role
from gesprekscyclus.domain.questions import (
    Choice,
    Question,
    QuestionKind,
    QuestionSet,
)
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import (
    AccessDeniedError,
    ConflictError,
    InvalidTransitionError,
    InvalidValueError,
    SerializationError,
)
from gesprekscyclus.serialization import dumps, from_data, loads, storage_data, to_data

from . import strategies as gs

EMPLOYEE, MANAGER, HR, OUTSIDER = "e-1", "m-1", "hr-1", "x-9"
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MARCH = Window(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 31))

#: The lifecycle as the design describes it, written out independently of the module's table.
EXPECTED: dict[str, dict[str, str]] = {
    "planned": {
        "schedule": "scheduled",
        "cancel": "cancelled",
        "mark_missed": "missed",
        "record_answers": "planned",
        "add_note": "planned",
        "share_preparation": "planned",
    },
    "scheduled": {
        "reschedule": "scheduled",
        "hold": "held",
        "cancel": "cancelled",
        "mark_missed": "missed",
        "record_answers": "scheduled",
        "add_note": "scheduled",
        "share_preparation": "scheduled",
    },
    "held": {
        "mark_reported": "reported",
        "close": "closed",
        "record_answers": "held",
        "add_note": "held",
    },
    "reported": {"close": "closed", "add_note": "reported"},
    "closed": {},
    "cancelled": {},
    "missed": {},
}


def expected_allowed(conversation: Conversation) -> set[str]:
    allowed = set(EXPECTED[conversation.status.value])
    if conversation.status is ConversationStatus.HELD and conversation.requires_report:
        allowed.discard("close")
    return allowed


def _text(nl: str) -> LocalizedText:
    return LocalizedText(nl=nl)


def review_questions(version: int) -> QuestionSet:
    return QuestionSet(
        key="growth_review",
        version=version,
        title=_text("Groeigesprek"),
        questions=(
            Question(key="proud", kind=QuestionKind.OPEN_TEXT, text=_text("Waar ben je trots op?")),
            Question(
                key="focus",
                kind=QuestionKind.MULTIPLE_CHOICE,
                text=_text("Waar wil je aan werken?"),
                choices=(Choice("skills", _text("Vaardigheden")), Choice("role", _text("Rol"))),
            ),
            Question(key="happy", kind=QuestionKind.YES_NO, text=_text("Ben je tevreden?")),
        ),
    )


V1, V2 = review_questions(1), review_questions(2)


def planned(*, requires_report: bool = False) -> Conversation:
    return Conversation.plan(
        id="c-1",
        type_key="growth_review",
        employee_id=EMPLOYEE,
        manager_id=MANAGER,
        participants=[Participant(HR, Role.HR)],
        window=MARCH,
        requires_report=requires_report,
    )


def held(*, requires_report: bool = False) -> Conversation:
    return (
        planned(requires_report=requires_report)
        .schedule(AT + timedelta(days=7), at=AT)
        .hold(at=AT + timedelta(days=7))
    )


# --- state machine --------------------------------------------------------------------------


class ConversationLifecycle(RuleBasedStateMachine):
    """Random command sequences: legal ones succeed as the design says, the rest raise."""

    conversation: Conversation

    @initialize(requires_report=st.booleans())
    def plan(self, requires_report: bool) -> None:
        self.conversation = planned(requires_report=requires_report)

    def attempt(self, action: str, command: Callable[[], Conversation]) -> None:
        before = self.conversation
        allowed = expected_allowed(before)
        if action not in allowed:
            with pytest.raises(InvalidTransitionError) as caught:
                command()
            assert caught.value.current == before.status.value
            assert caught.value.requested == action
            assert set(caught.value.allowed) == allowed
            assert self.conversation == before
            return
        after = command()
        assert after.status.value == EXPECTED[before.status.value][action]
        assert after.history[:-1] == before.history
        last = after.history[-1]
        assert (last.action.value, last.from_status, last.to_status) == (
            action,
            before.status,
            after.status,
        )
        assert after.sequence == before.sequence + (action == "reschedule")
        self.conversation = after

    @rule(starts_at=gs.aware_datetimes, at=gs.aware_datetimes)
    def schedule(self, starts_at: datetime, at: datetime) -> None:
        self.attempt("schedule", lambda: self.conversation.schedule(starts_at, at=at))

    @rule(starts_at=gs.aware_datetimes, reason=gs.texts, at=gs.aware_datetimes)
    def reschedule(self, starts_at: datetime, reason: str, at: datetime) -> None:
        if starts_at == self.conversation.starts_at:
            starts_at += timedelta(minutes=15)
        self.attempt(
            "reschedule", lambda: self.conversation.reschedule(starts_at, reason=reason, at=at)
        )

    @rule(at=gs.aware_datetimes)
    def hold(self, at: datetime) -> None:
        # It cannot be held before its scheduled start (see test_conversation_rules).
        if self.conversation.starts_at is not None:
            at = max(at, self.conversation.starts_at)
        self.attempt("hold", lambda: self.conversation.hold(at=at))

    @rule(at=gs.aware_datetimes)
    def mark_reported(self, at: datetime) -> None:
        self.attempt("mark_reported", lambda: self.conversation.mark_reported(at=at))

    @rule(at=gs.aware_datetimes)
    def close(self, at: datetime) -> None:
        self.attempt("close", lambda: self.conversation.close(at=at))

    @rule(reason=gs.texts, at=gs.aware_datetimes)
    def cancel(self, reason: str, at: datetime) -> None:
        self.attempt("cancel", lambda: self.conversation.cancel(reason=reason, at=at))

    @rule(reason=gs.texts, at=gs.aware_datetimes)
    def mark_missed(self, reason: str, at: datetime) -> None:
        self.attempt("mark_missed", lambda: self.conversation.mark_missed(reason=reason, at=at))

    @rule(
        author=st.sampled_from([EMPLOYEE, MANAGER, HR]),
        question_set=st.sampled_from([V1, V2]),
        happy=st.booleans(),
        at=gs.aware_datetimes,
    )
    def record_answers(
        self, author: str, question_set: QuestionSet, happy: bool, at: datetime
    ) -> None:
        pinned = self.conversation.question_set
        legal = "record_answers" in expected_allowed(self.conversation)
        if legal and pinned is not None and pinned != question_set.ref:
            with pytest.raises(ConflictError, match="pinned"):
                self.conversation.record_answers(question_set, author, {"happy": happy}, at=at)
            return
        self.attempt(
            "record_answers",
            lambda: self.conversation.record_answers(question_set, author, {"happy": happy}, at=at),
        )
        if legal:
            assert self.conversation.question_set == question_set.ref
            assert self.conversation.answers_by(author)["happy"] is happy

    @rule(
        author=st.sampled_from([EMPLOYEE, MANAGER, HR]),
        text=gs.texts,
        private=st.booleans(),
        at=gs.aware_datetimes,
    )
    def add_note(self, author: str, text: str, private: bool, at: datetime) -> None:
        self.attempt(
            "add_note",
            lambda: self.conversation.add_note(author, text, private=private, at=at),
        )

    @invariant()
    def final_states_allow_nothing(self) -> None:
        final = self.conversation.status in {"closed", "cancelled", "missed"}
        assert self.conversation.is_final == final
        assert (self.conversation.allowed_actions() == ()) == final

    @invariant()
    def sequence_counts_reschedules(self) -> None:
        reschedules = [h for h in self.conversation.history if h.action == "reschedule"]
        assert self.conversation.sequence == len(reschedules)

    @invariant()
    def private_notes_reach_only_their_author(self) -> None:
        everyone = [EMPLOYEE, MANAGER, HR, OUTSIDER]
        for reader in everyone:
            for note in self.conversation.notes_for(reader):
                assert not note.private or note.author_id == reader
        for reader in (EMPLOYEE, MANAGER, HR):
            readable = self.conversation.notes_for(reader)
            shared = [n for n in self.conversation.notes_for(MANAGER) if not n.private]
            assert all(note in readable for note in shared)
        assert self.conversation.notes_for(OUTSIDER) == ()

    @invariant()
    def survives_storage(self) -> None:
        assert from_data(Conversation, storage_data(self.conversation)) == self.conversation


ConversationLifecycle.TestCase.settings = settings(
    ConversationLifecycle.TestCase.settings, stateful_step_count=20
)
TestConversationLifecycle = ConversationLifecycle.TestCase


def test_the_table_matches_the_design() -> None:
    table = {
        status.value: {action.value: target.value for action, target in row.items()}
        for status, row in CONVERSATION_TRANSITIONS.items()
    }
    assert table == EXPECTED


# --- round trips ----------------------------------------------------------------------------


@given(gs.conversations())
def test_conversation_round_trips(conversation: Conversation) -> None:
    assert from_data(Conversation, storage_data(conversation)) == conversation
    shared = attrs.evolve(
        conversation, notes=tuple(n for n in conversation._notes if not n.private)
    )
    assert from_data(Conversation, to_data(conversation)) == shared
    assert loads(Conversation, dumps(conversation)) == shared


#: Text no strategy draws, so finding it in output means the private note leaked.
SECRET = "\u2063geheim: vertrekt om de leidinggevende\u2063"


@given(gs.conversations(), st.data())
def test_the_public_serializer_never_emits_private_text(
    conversation: Conversation, data: st.DataObject
) -> None:
    if ConversationAction.ADD_NOTE in conversation.allowed_actions():
        author = data.draw(st.sampled_from(sorted(conversation.participant_ids)))
        conversation = conversation.add_note(author, SECRET, private=True, at=AT)
    published = json.dumps(to_data(conversation), ensure_ascii=False) + dumps(conversation)
    assert "geheim" not in published
    assert SECRET not in json.dumps(to_data(conversation))


def test_a_private_note_on_its_own_is_not_serialised() -> None:
    note = planned().add_note(MANAGER, "Alleen voor mij", private=True, at=AT)._notes[0]
    with pytest.raises(InvalidValueError, match="private note"):
        to_data(note)


def test_hostile_text_survives_storage() -> None:
    hostile = '\'; DROP TABLE notes; -- "quoted" ünïcødé 会話 🙂\n<b>'
    conversation = planned().add_note(MANAGER, hostile, private=False, at=AT)
    restored = loads(Conversation, dumps(conversation))
    assert restored.notes_for(EMPLOYEE)[0].text == hostile


def test_stored_answers_are_checked_strictly() -> None:
    data = to_data(planned().record_answers(V1, EMPLOYEE, {"happy": True}, at=AT))
    data["answers"][0]["value"] = 2.5
    with pytest.raises(SerializationError) as caught:
        from_data(Conversation, data)
    assert "answers[0]" in str(caught.value) or "Answer.value" in str(caught.value)


# --- scheduling -----------------------------------------------------------------------------


def test_reschedule_keeps_the_status_and_counts_the_sequence() -> None:
    first, second = AT + timedelta(days=3), AT + timedelta(days=5)
    conversation = planned().schedule(first, at=AT)
    moved = conversation.reschedule(second, reason="Manager ziek", at=AT)
    assert moved.status is ConversationStatus.SCHEDULED
    assert (moved.starts_at, moved.sequence) == (second, 1)
    assert moved.history[-1].reason == "Manager ziek"
    assert moved.history[-1].starts_at == second
    assert conversation.starts_at == first  # the original is untouched


@pytest.mark.parametrize("reason", ["", "   "])
def test_reasons_are_required(reason: str) -> None:
    scheduled = planned().schedule(AT, at=AT)
    with pytest.raises(InvalidValueError, match="reason"):
        scheduled.reschedule(AT + timedelta(hours=1), reason=reason, at=AT)
    with pytest.raises(InvalidValueError, match="reason"):
        scheduled.cancel(reason=reason, at=AT)
    with pytest.raises(InvalidValueError, match="reason"):
        scheduled.mark_missed(reason=reason, at=AT)


def test_reschedule_to_the_same_time_is_refused() -> None:
    scheduled = planned().schedule(AT, at=AT)
    with pytest.raises(InvalidValueError, match="already"):
        scheduled.reschedule(AT, reason="Nog een keer", at=AT)


def test_times_must_be_aware() -> None:
    naive = datetime(2026, 3, 2, 9, 0)
    with pytest.raises(InvalidValueError, match="aware"):
        planned().schedule(naive, at=AT)
    with pytest.raises(InvalidValueError, match="aware"):
        planned().schedule(AT, at=naive)


def test_local_start_uses_the_conversation_zone() -> None:
    conversation = planned().schedule(datetime(2026, 7, 1, 8, 0, tzinfo=UTC), at=AT)
    local = conversation.local_start
    assert local is not None
    assert (local.hour, local.utcoffset()) == (10, timedelta(hours=2))


def test_a_missed_conversation_is_kept_and_final() -> None:
    missed = planned().mark_missed(reason="Buiten het venster", at=AT)
    assert missed.status is ConversationStatus.MISSED
    assert missed.history[-1].reason == "Buiten het venster"
    with pytest.raises(InvalidTransitionError, match="none, this is a final state"):
        missed.schedule(AT, at=AT)


def test_a_reported_type_must_report_before_closing() -> None:
    with pytest.raises(InvalidTransitionError) as caught:
        held(requires_report=True).close(at=AT)
    assert "close" not in caught.value.allowed
    assert "mark_reported" in caught.value.allowed
    assert held(requires_report=False).close(at=AT).status is ConversationStatus.CLOSED


def test_overdue_only_while_it_still_has_to_happen() -> None:
    after = MARCH.latest + timedelta(days=1)
    assert planned().is_overdue(after)
    assert not planned().is_overdue(MARCH.latest)
    assert not planned().cancel(reason="Vertrokken", at=AT).is_overdue(after)


def test_window_order_is_checked() -> None:
    with pytest.raises(InvalidValueError, match="earliest <= target <= latest"):
        Window(date(2026, 3, 10), date(2026, 3, 1), date(2026, 3, 31))
    assert MARCH.contains(date(2026, 3, 31))
    assert not MARCH.contains(date(2026, 4, 1))


def test_plan_adds_employee_and_manager() -> None:
    conversation = planned()
    assert conversation.participants[:2] == (
        Participant(EMPLOYEE, Role.EMPLOYEE),
        Participant(MANAGER, Role.MANAGER),
    )
    assert conversation.participant_ids == {EMPLOYEE, MANAGER, HR}


def test_participants_must_include_the_employee() -> None:
    with pytest.raises(InvalidValueError, match="must include the employee"):
        Conversation(
            id="c-1",
            type_key="check_in",
            employee_id=EMPLOYEE,
            manager_id=None,
            participants=(Participant(HR, Role.HR),),
            window=MARCH,
        )


# --- answers --------------------------------------------------------------------------------


def test_answers_are_pinned_to_the_version() -> None:
    answered = planned().record_answers(V1, EMPLOYEE, {"proud": "Het project"}, at=AT)
    assert answered.question_set == V1.ref
    with pytest.raises(ConflictError, match=r"pinned to growth_review@1.*growth_review@2"):
        answered.record_answers(V2, MANAGER, {"happy": True}, at=AT)
    again = answered.record_answers(V1, MANAGER, {"happy": True}, at=AT)
    assert again.question_set == V1.ref


def test_later_answers_replace_earlier_ones_per_author() -> None:
    first = planned().record_answers(V1, EMPLOYEE, {"proud": "A", "happy": True}, at=AT)
    second = first.record_answers(V1, EMPLOYEE, {"happy": False}, at=AT)
    both = second.record_answers(V1, MANAGER, {"focus": ("skills",)}, at=AT)
    assert both.answers_by(EMPLOYEE) == {"proud": "A", "happy": False}
    assert both.answers_by(MANAGER) == {"focus": ("skills",)}


def test_answers_are_validated_by_the_question_set() -> None:
    with pytest.raises(InvalidValueError, match=r"growth_review@1\.answers\.focus"):
        planned().record_answers(V1, EMPLOYEE, {"focus": ("travel",)}, at=AT)
    with pytest.raises(InvalidValueError, match="nothing to record"):
        planned().record_answers(V1, EMPLOYEE, {}, at=AT)


def test_only_participants_answer() -> None:
    with pytest.raises(AccessDeniedError, match="does not take part"):
        planned().record_answers(V1, OUTSIDER, {"happy": True}, at=AT)


# --- notes ----------------------------------------------------------------------------------


def test_private_notes_are_read_by_their_author_only() -> None:
    conversation = (
        planned()
        .add_note(MANAGER, "Zorgen over werkdruk", private=True, at=AT)
        .add_note(EMPLOYEE, "Agenda: opleiding", private=False, at=AT)
        .add_note(EMPLOYEE, "Eigen geheugensteun", private=True, at=AT)
    )
    manager_reads = [note.text for note in conversation.notes_for(MANAGER)]
    employee_reads = [note.text for note in conversation.notes_for(EMPLOYEE)]
    assert manager_reads == ["Zorgen over werkdruk", "Agenda: opleiding"]
    assert employee_reads == ["Agenda: opleiding", "Eigen geheugensteun"]
    assert [note.text for note in conversation.notes_for(HR)] == ["Agenda: opleiding"]
    assert conversation.notes_for(OUTSIDER) == ()


def test_private_text_stays_out_of_repr() -> None:
    conversation = planned().add_note(MANAGER, "Geheim detail", private=True, at=AT)
    assert "Geheim detail" not in repr(conversation)


def test_only_participants_write_notes() -> None:
    with pytest.raises(AccessDeniedError):
        planned().add_note(OUTSIDER, "Hallo", private=False, at=AT)
