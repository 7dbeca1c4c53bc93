"""The report lifecycle: sharing, the comment window, sign-off, filing and the written view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from gesprekscyclus.domain.reports import (
    REPORT_TRANSITIONS,
    Report,
    ReportStatus,
    SignOffKind,
    WrittenView,
)
from gesprekscyclus.errors import (
    AccessDeniedError,
    ConflictError,
    InvalidTransitionError,
    InvalidValueError,
)
from gesprekscyclus.serialization import dumps, from_data, loads, to_data

from . import strategies as gs

EMPLOYEE, MANAGER = "e-1", "m-1"
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SIGNED_OR_REFUSED = {"signed_agreed", "signed_seen", "sign_off_refused"}


def draft(*, requires_sign_off: bool = True) -> Report:
    return Report(
        conversation_id="c-1",
        employee_id=EMPLOYEE,
        summary="Goed jaar, meer focus op coaching.",
        agreements=("Cursus in Q2",),
        requires_sign_off=requires_sign_off,
    )


def shared(*, requires_sign_off: bool = True) -> Report:
    return draft(requires_sign_off=requires_sign_off).share(comment_until=date(2026, 3, 9), at=AT)


def expected_allowed(report: Report, on: date) -> set[str]:
    """The design's rules, spelled out independently of the module's table."""
    status = report.status.value
    if status == "draft":
        return {"revise", "share"}
    allowed = {"add_written_view"}
    if status == "shared":
        assert report.comment_until is not None
        window_open = on <= report.comment_until
        allowed |= {"revise", "sign_agreed", "sign_seen", "refuse_sign_off"}
        if window_open:
            allowed.add("comment")
        if not report.requires_sign_off and not window_open:
            allowed.add("file")
    elif status in SIGNED_OR_REFUSED:
        allowed.add("file")
    return allowed


# --- state machine --------------------------------------------------------------------------


class ReportLifecycle(RuleBasedStateMachine):
    """Random commands on a clock that only moves forward."""

    report: Report
    now: datetime
    first_view: WrittenView | None

    @initialize(requires_sign_off=st.booleans())
    def start(self, requires_sign_off: bool) -> None:
        self.report = draft(requires_sign_off=requires_sign_off)
        self.now = AT
        self.first_view = None

    @rule(days=st.integers(0, 6))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days, minutes=1)

    def attempt(self, action: str, command: Callable[[], Report]) -> None:
        before = self.report
        allowed = expected_allowed(before, self.now.date())
        if action not in allowed:
            with pytest.raises(InvalidTransitionError) as caught:
                command()
            assert caught.value.requested == action
            assert set(caught.value.allowed) == allowed
            assert self.report == before
            return
        after = command()
        assert after.history[:-1] == before.history
        last = after.history[-1]
        assert (last.action.value, last.from_status, last.to_status) == (
            action,
            before.status,
            after.status,
        )
        self.report = after

    @rule(summary=gs.texts)
    def revise(self, summary: str) -> None:
        self.attempt("revise", lambda: self.report.revise(summary=summary, at=self.now))

    @rule(days=st.integers(0, 10))
    def share(self, days: int) -> None:
        until = self.now.date() + timedelta(days=days)
        self.attempt("share", lambda: self.report.share(comment_until=until, at=self.now))

    @rule(author=st.sampled_from([EMPLOYEE, MANAGER]), text=gs.texts)
    def comment(self, author: str, text: str) -> None:
        self.attempt("comment", lambda: self.report.comment(author, text, at=self.now))

    @rule(kind=st.sampled_from(SignOffKind))
    def sign(self, kind: SignOffKind) -> None:
        self.attempt(
            f"sign_{kind.value}", lambda: self.report.sign(EMPLOYEE, kind=kind, at=self.now)
        )

    @rule(reason=gs.texts)
    def refuse(self, reason: str) -> None:
        self.attempt(
            "refuse_sign_off",
            lambda: self.report.refuse_sign_off(EMPLOYEE, reason=reason, at=self.now),
        )

    @rule()
    def file(self) -> None:
        self.attempt("file", lambda: self.report.file(at=self.now))

    @rule(text=gs.texts)
    def add_written_view(self, text: str) -> None:
        if self.report.written_view is not None:
            with pytest.raises(ConflictError, match="cannot be changed"):
                self.report.add_written_view(EMPLOYEE, text, at=self.now)
            return
        self.attempt(
            "add_written_view", lambda: self.report.add_written_view(EMPLOYEE, text, at=self.now)
        )
        if self.report.written_view is not None:
            self.first_view = self.report.written_view

    @invariant()
    def the_written_view_never_changes(self) -> None:
        assert self.report.written_view == self.first_view

    @invariant()
    def sign_off_matches_the_status(self) -> None:
        if self.report.status in (ReportStatus.SIGNED_AGREED, ReportStatus.SIGNED_SEEN):
            assert self.report.signed_by == EMPLOYEE
        if self.report.status is ReportStatus.SIGN_OFF_REFUSED:
            assert self.report.refusal_reason is not None

    @invariant()
    def comments_fall_inside_the_window(self) -> None:
        for comment in self.report.comments:
            assert self.report.comment_until is not None
            assert comment.at.date() <= self.report.comment_until

    @invariant()
    def survives_storage(self) -> None:
        assert from_data(Report, to_data(self.report)) == self.report


ReportLifecycle.TestCase.settings = settings(
    ReportLifecycle.TestCase.settings, stateful_step_count=25
)
TestReportLifecycle = ReportLifecycle.TestCase


def test_the_table_matches_the_design() -> None:
    after_sign_off: dict[str, str | None] = {"file": "filed", "add_written_view": None}
    expected: dict[str, dict[str, str | None]] = {
        "draft": {"revise": "draft", "share": "shared"},
        "shared": {
            "revise": "shared",
            "comment": "shared",
            "sign_agreed": "signed_agreed",
            "sign_seen": "signed_seen",
            "refuse_sign_off": "sign_off_refused",
            "file": "filed",
            "add_written_view": "shared",
        },
        "signed_agreed": after_sign_off,
        "signed_seen": after_sign_off,
        "sign_off_refused": after_sign_off,
        "filed": {"add_written_view": "filed"},
    }
    for status, row in REPORT_TRANSITIONS.items():
        wanted = {a: t or status.value for a, t in expected[status.value].items()}
        assert {a.value: t.value for a, t in row.items()} == wanted


# --- round trips ----------------------------------------------------------------------------


@given(gs.reports())
def test_report_round_trips(report: Report) -> None:
    assert from_data(Report, to_data(report)) == report
    assert loads(Report, dumps(report)) == report


def test_hostile_text_survives_storage() -> None:
    hostile = 'Robert\'); DROP TABLE reports;-- «citaat» 報告 "x";'
    report = shared().comment(MANAGER, hostile, at=AT).add_written_view(EMPLOYEE, hostile, at=AT)
    restored = loads(Report, dumps(report))
    assert restored.comments[0].text == hostile
    assert restored.written_view == report.written_view


# --- behaviour ------------------------------------------------------------------------------


def test_comments_close_with_the_window() -> None:
    report = shared()
    late = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert report.comment(EMPLOYEE, "Op tijd", at=datetime(2026, 3, 9, 23, 0, tzinfo=UTC))
    with pytest.raises(InvalidTransitionError, match="'comment'"):
        report.comment(EMPLOYEE, "Te laat", at=late)


def test_sharing_needs_a_window_that_has_not_ended() -> None:
    with pytest.raises(InvalidValueError, match="comment_until"):
        draft().share(comment_until=date(2026, 3, 1), at=AT)


def test_only_the_employee_signs() -> None:
    with pytest.raises(AccessDeniedError, match="only the report's employee"):
        shared().sign(MANAGER, kind=SignOffKind.AGREED, at=AT)
    with pytest.raises(AccessDeniedError):
        shared().refuse_sign_off(MANAGER, reason="Nee", at=AT)
    with pytest.raises(AccessDeniedError):
        shared().add_written_view(MANAGER, "Mijn kijk", at=AT)


def test_sign_kinds_are_recorded() -> None:
    seen = shared().sign(EMPLOYEE, kind="seen", at=AT)
    assert (seen.status, seen.signed_as, seen.signed_by) == (
        ReportStatus.SIGNED_SEEN,
        SignOffKind.SEEN,
        EMPLOYEE,
    )
    filed = seen.file(at=AT)
    assert (filed.signed_as, filed.signed_by) == (SignOffKind.SEEN, EMPLOYEE)


def test_a_refusal_does_not_block_filing() -> None:
    refused = shared().refuse_sign_off(EMPLOYEE, reason="Niet mee eens", at=AT)
    filed = refused.file(at=AT)
    assert filed.status is ReportStatus.FILED
    assert filed.refusal_reason == "Niet mee eens"
    with pytest.raises(InvalidValueError, match="reason"):
        shared().refuse_sign_off(EMPLOYEE, reason=" ", at=AT)


def test_sign_off_required_blocks_filing_from_shared() -> None:
    after_window = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(InvalidTransitionError) as caught:
        shared(requires_sign_off=True).file(at=after_window)
    assert "file" not in caught.value.allowed
    assert "sign_agreed" in caught.value.allowed


def test_without_sign_off_filing_waits_for_the_window() -> None:
    report = shared(requires_sign_off=False)
    with pytest.raises(InvalidTransitionError):
        report.file(at=datetime(2026, 3, 9, 9, 0, tzinfo=UTC))
    filed = report.file(at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    assert filed.status is ReportStatus.FILED


def test_the_written_view_is_added_once_and_survives_filing() -> None:
    with_view = shared().add_written_view(EMPLOYEE, "Mijn kant", at=AT)
    with pytest.raises(ConflictError, match="cannot be changed"):
        with_view.add_written_view(EMPLOYEE, "Toch anders", at=AT)
    filed = with_view.sign(EMPLOYEE, kind=SignOffKind.SEEN, at=AT).file(at=AT)
    assert filed.written_view == with_view.written_view
    late = shared().sign(EMPLOYEE, kind="agreed", at=AT).file(at=AT)
    assert late.add_written_view(EMPLOYEE, "Na het archiveren", at=AT).written_view is not None


def test_a_draft_takes_no_written_view() -> None:
    with pytest.raises(InvalidTransitionError, match="allowed from 'draft': revise, share"):
        draft().add_written_view(EMPLOYEE, "Te vroeg", at=AT)


def test_revise_needs_a_change_and_stops_at_sign_off() -> None:
    with pytest.raises(InvalidValueError, match="summary"):
        draft().revise(at=AT)
    revised = shared().revise(agreements=("Cursus in Q3",), at=AT)
    assert revised.agreements == ("Cursus in Q3",)
    with pytest.raises(InvalidTransitionError):
        revised.sign(EMPLOYEE, kind="agreed", at=AT).revise(summary="Anders", at=AT)


def test_inconsistent_stored_state_is_rejected() -> None:
    with pytest.raises(InvalidValueError, match=r"Report\.signed_by"):
        Report(
            conversation_id="c-1",
            employee_id=EMPLOYEE,
            summary="x",
            status="signed_agreed",
            comment_until=date(2026, 3, 9),
            signed_by=MANAGER,
            signed_as="agreed",
        )
    with pytest.raises(InvalidValueError, match=r"Report\.comment_until"):
        Report(conversation_id="c-1", employee_id=EMPLOYEE, summary="x", status="shared")
    with pytest.raises(InvalidValueError, match=r"Report\.agreements\[0\]"):
        Report(conversation_id="c-1", employee_id=EMPLOYEE, summary="x", agreements=(" ",))
