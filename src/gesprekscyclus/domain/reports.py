"""The report of a held conversation: sharing, comments, sign-off, filing, the written view.

A report moves through these states; each arrow is an action (a method of :class:`Report`)::

    draft ──share──▶ shared ──sign_agreed──────▶ signed_agreed ────file──▶ filed
                       │    ──sign_seen─────────▶ signed_seen ──────file──▶ filed
                       │    ──refuse_sign_off──▶ sign_off_refused ─file──▶ filed
                       └──file (no sign-off required, comment window over)──▶ filed

Rules, in short:

- **Comment window.** :meth:`Report.share` fixes ``comment_until``; comments are accepted while
  the report is ``shared`` and the date of the comment (in the zone of its ``at``) is on or
  before that day. The manager may still :meth:`~Report.revise` a shared report.
- **Sign-off.** Only the report's employee signs, either as *agreed* or as *seen* (receipt
  only), or refuses with a reason. Signing may happen inside the comment window and ends it.
  A refusal is final for sign-off but never blocks filing.
- **Filing** is allowed from a signed or refused report, and from a shared one only when the
  type needs no sign-off (``requires_sign_off=False``) and the comment window has passed.
- **Who.** ``author_id`` wrote the report; a draft is readable by its author only. Pass the
  conversation (and its type as ``kind``) to :meth:`Report.comment` and
  :meth:`Report.add_written_view` so the access policy of
  :mod:`gesprekscyclus.domain.access` decides: only participants comment, and a written view
  is added only where the type allows one (``employee_written_view``).
- **Written view.** Once the report is shared, the employee may attach their own written view
  once. It can never be changed or removed (a second attempt raises
  :class:`~gesprekscyclus.errors.ConflictError`) and it stays through every later step,
  filing included.

Every successful command returns a new report with exactly one more entry in ``history``.
An action that is not allowed raises :class:`~gesprekscyclus.errors.InvalidTransitionError`
naming the actions that are allowed.

>>> from datetime import date, datetime, timezone
>>> at = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
>>> report = Report(conversation_id="c-1", employee_id="e-1", summary="Goed jaar; meer focus.")
>>> report = report.share(comment_until=date(2026, 3, 9), at=at)
>>> report = report.comment("e-1", "Ik mis het project X.", at=at)
>>> report = report.sign("e-1", kind=SignOffKind.SEEN, at=at)
>>> report = report.add_written_view("e-1", "Mijn kant van het verhaal.", at=at)
>>> report = report.file(at=at)
>>> report.status.value, report.written_view.text, len(report.history)
('filed', 'Mijn kant van het verhaal.', 5)
>>> report.comment("e-1", "Nog iets", at=at)
Traceback (most recent call last):
...
gesprekscyclus.errors.InvalidTransitionError: Report 'c-1': cannot go from 'filed' to 'comment' \
(allowed from 'filed': add_written_view)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

import attrs
from attrs import field, frozen

from gesprekscyclus.domain import access
from gesprekscyclus.domain._checks import (
    ClosedSet,
    aware,
    field_path,
    non_blank,
    require_aware,
    require_reason,
    typed_fields,
)
from gesprekscyclus.domain.conversation_types import ConversationType, Sensitivity
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.errors import (
    AccessDeniedError,
    ConflictError,
    InvalidTransitionError,
    InvalidValueError,
)

__all__ = [
    "REPORT_TRANSITIONS",
    "Comment",
    "Report",
    "ReportAction",
    "ReportStatus",
    "ReportTransition",
    "SignOffKind",
    "WrittenView",
]


class ReportStatus(ClosedSet):
    """Where a report stands; see the module docstring for the diagram."""

    DRAFT = "draft"
    SHARED = "shared"
    SIGNED_AGREED = "signed_agreed"
    SIGNED_SEEN = "signed_seen"
    SIGN_OFF_REFUSED = "sign_off_refused"
    FILED = "filed"


class SignOffKind(ClosedSet):
    """How the employee signs: *agreed* with the content, or only *seen* (receipt)."""

    AGREED = "agreed"
    SEEN = "seen"


class ReportAction(ClosedSet):
    """The commands on a report, as they appear in ``history`` and in error messages."""

    REVISE = "revise"
    SHARE = "share"
    COMMENT = "comment"
    SIGN_AGREED = "sign_agreed"
    SIGN_SEEN = "sign_seen"
    REFUSE_SIGN_OFF = "refuse_sign_off"
    FILE = "file"
    ADD_WRITTEN_VIEW = "add_written_view"


_S = ReportStatus
_A = ReportAction

#: The one table of allowed actions: status -> action -> resulting status. Two actions have an
#: extra condition checked by :meth:`Report.allowed_actions`: ``comment`` (inside the comment
#: window) and ``file`` from ``shared`` (no sign-off required and the window is over).
REPORT_TRANSITIONS: Mapping[ReportStatus, Mapping[ReportAction, ReportStatus]] = MappingProxyType(
    {
        _S.DRAFT: MappingProxyType({_A.REVISE: _S.DRAFT, _A.SHARE: _S.SHARED}),
        _S.SHARED: MappingProxyType(
            {
                _A.REVISE: _S.SHARED,
                _A.COMMENT: _S.SHARED,
                _A.SIGN_AGREED: _S.SIGNED_AGREED,
                _A.SIGN_SEEN: _S.SIGNED_SEEN,
                _A.REFUSE_SIGN_OFF: _S.SIGN_OFF_REFUSED,
                _A.FILE: _S.FILED,
                _A.ADD_WRITTEN_VIEW: _S.SHARED,
            }
        ),
        _S.SIGNED_AGREED: MappingProxyType(
            {_A.FILE: _S.FILED, _A.ADD_WRITTEN_VIEW: _S.SIGNED_AGREED}
        ),
        _S.SIGNED_SEEN: MappingProxyType({_A.FILE: _S.FILED, _A.ADD_WRITTEN_VIEW: _S.SIGNED_SEEN}),
        _S.SIGN_OFF_REFUSED: MappingProxyType(
            {_A.FILE: _S.FILED, _A.ADD_WRITTEN_VIEW: _S.SIGN_OFF_REFUSED}
        ),
        _S.FILED: MappingProxyType({_A.ADD_WRITTEN_VIEW: _S.FILED}),
    }
)

_SIGN_KIND = MappingProxyType(
    {_S.SIGNED_AGREED: SignOffKind.AGREED, _S.SIGNED_SEEN: SignOffKind.SEEN}
)
_SIGNED = frozenset(_SIGN_KIND)


def _texts(instance: object, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    for index, text in enumerate(value):
        if not isinstance(text, str) or not text.strip():
            raise InvalidValueError(
                f"{field_path(instance, attribute)}[{index}]", "must be non-blank text"
            )


@frozen(field_transformer=typed_fields)
class Comment:
    """A remark on a shared report, made inside the comment window."""

    author_id: str = field(validator=non_blank)
    text: str = field(validator=non_blank)
    at: datetime = field(validator=aware)


@frozen(field_transformer=typed_fields)
class WrittenView:
    """The employee's own account, attached to the report for good."""

    employee_id: str = field(validator=non_blank)
    text: str = field(validator=non_blank)
    at: datetime = field(validator=aware)


@frozen(field_transformer=typed_fields)
class ReportTransition:
    """One entry of a report's history: which action, from which state to which, when, by whom."""

    action: ReportAction = field(converter=ReportAction)
    from_status: ReportStatus = field(converter=ReportStatus)
    to_status: ReportStatus = field(converter=ReportStatus)
    at: datetime = field(validator=aware)
    actor_id: str | None = field(default=None, validator=non_blank)
    reason: str | None = field(default=None, validator=non_blank)


@frozen(field_transformer=typed_fields)
class Report:
    """The record of one held conversation; see the module docstring for the rules.

    ``employee_id`` is the only person who may sign, refuse or add a written view;
    ``author_id`` is who wrote it (``None`` for reports stored before authors were kept: their
    draft is then readable by whoever may write the conversation's report).
    ``requires_sign_off`` comes from the conversation type. ``signed_by`` is set once the
    employee has signed (``signed_as`` tells how) and stays set after filing;
    ``refusal_reason`` likewise after a refusal.
    """

    conversation_id: str = field(validator=non_blank)
    employee_id: str = field(validator=non_blank)
    summary: str = field(validator=non_blank)
    agreements: tuple[str, ...] = field(default=(), validator=_texts)
    status: ReportStatus = field(default=ReportStatus.DRAFT, converter=ReportStatus)
    requires_sign_off: bool = True
    comment_until: date | None = None
    comments: tuple[Comment, ...] = ()
    written_view: WrittenView | None = None
    signed_by: str | None = field(default=None, validator=non_blank)
    signed_as: SignOffKind | None = field(
        default=None, converter=attrs.converters.optional(SignOffKind)
    )
    refusal_reason: str | None = field(default=None, validator=non_blank)
    history: tuple[ReportTransition, ...] = ()
    author_id: str | None = field(default=None, validator=non_blank)

    def __attrs_post_init__(self) -> None:
        if self.author_id is not None and self.author_id == self.employee_id:
            raise InvalidValueError(
                "Report.author_id", "the employee does not write their own report"
            )
        if (self.comment_until is None) != (self.status is ReportStatus.DRAFT):
            raise InvalidValueError(
                "Report.comment_until", "is set exactly when the report has been shared"
            )
        if self.signed_by is not None and self.signed_by != self.employee_id:
            raise InvalidValueError("Report.signed_by", "only the report's employee signs")
        if (self.signed_by is None) != (self.signed_as is None):
            raise InvalidValueError("Report.signed_as", "is set exactly when signed_by is set")
        if self.status in _SIGNED and self.signed_as is not _SIGN_KIND[self.status]:
            raise InvalidValueError(
                "Report.signed_as", f"must be {_SIGN_KIND[self.status]} when {self.status}"
            )
        if self.status is ReportStatus.SIGN_OFF_REFUSED and self.refusal_reason is None:
            raise InvalidValueError("Report.refusal_reason", f"is required when {self.status}")
        if self.written_view is not None:
            if self.status is ReportStatus.DRAFT:
                raise InvalidValueError("Report.written_view", "a draft cannot carry one yet")
            if self.written_view.employee_id != self.employee_id:
                raise InvalidValueError(
                    "Report.written_view.employee_id", "must be the report's employee"
                )

    @classmethod
    def draft_for(
        cls,
        conversation: Conversation,
        *,
        author_id: str,
        summary: str,
        agreements: tuple[str, ...] = (),
        requires_sign_off: bool = True,
        kind: ConversationType | None = None,
        hr_office: tuple[str, ...] = (),
    ) -> Report:
        """A new draft of ``conversation``'s report by ``author_id``, whom the access policy
        must let write it (a participant other than the employee; with ``kind`` its
        sensitivity counts); :class:`~gesprekscyclus.errors.AccessDeniedError` otherwise.

        >>> from gesprekscyclus.domain.conversations import Conversation, Window
        >>> talk = Conversation.plan(id="c-1", type_key="check_in", employee_id="e-1",
        ...     manager_id="m-1", window=Window(date(2026, 3, 1), date(2026, 3, 2),
        ...                                     date(2026, 3, 9)))
        >>> Report.draft_for(talk, author_id="m-1", summary="Goed gesprek").author_id
        'm-1'
        >>> Report.draft_for(talk, author_id="e-1", summary="Door mij")
        Traceback (most recent call last):
        ...
        gesprekscyclus.errors.AccessDeniedError: access matrix: employee, draft_report, normal: \
'e-1' may not write it
        """
        access.require(
            access.reader_role(conversation, author_id, hr_office=hr_office),
            access.Content.DRAFT_REPORT,
            _sensitivity(kind),
            reader=author_id,
            write=True,
            kind=kind,
        )
        return cls(
            conversation_id=conversation.id,
            employee_id=conversation.employee_id,
            summary=summary,
            agreements=agreements,
            requires_sign_off=requires_sign_off,
            author_id=author_id,
        )

    # --- queries ------------------------------------------------------------------------

    def accepts_comments(self, on: date) -> bool:
        """Whether a comment dated ``on`` falls inside the comment window."""
        return (
            self.status is ReportStatus.SHARED
            and self.comment_until is not None
            and on <= self.comment_until
        )

    def allowed_actions(self, on: date) -> tuple[ReportAction, ...]:
        """The actions allowed on day ``on``, in table order (the written view is listed even
        when one exists; adding a second one raises :class:`ConflictError` instead)."""
        allowed = []
        for action in REPORT_TRANSITIONS[self.status]:
            if action is ReportAction.COMMENT and not self.accepts_comments(on):
                continue
            if (
                action is ReportAction.FILE
                and self.status is ReportStatus.SHARED
                and (self.requires_sign_off or self.accepts_comments(on))
            ):
                continue
            allowed.append(action)
        return tuple(allowed)

    # --- commands -----------------------------------------------------------------------

    def revise(
        self,
        *,
        summary: str | None = None,
        agreements: tuple[str, ...] | None = None,
        at: datetime,
    ) -> Report:
        """Change the summary and/or agreements of a draft or shared report."""
        if summary is None and agreements is None:
            raise InvalidValueError("Report.revise", "give a new summary and/or agreements")
        return self._step(
            ReportAction.REVISE,
            at,
            summary=self.summary if summary is None else summary,
            agreements=self.agreements if agreements is None else tuple(agreements),
        )

    def share(self, *, comment_until: date, at: datetime) -> Report:
        """Show the draft to the employee; comments are accepted up to ``comment_until``."""
        require_aware(at)
        if comment_until < at.date():
            raise InvalidValueError(
                "Report.comment_until", f"{comment_until} lies before the day of sharing"
            )
        return self._step(ReportAction.SHARE, at, comment_until=comment_until)

    @property
    def is_draft(self) -> bool:
        """Whether the report has not been shared yet."""
        return self.status is ReportStatus.DRAFT

    def comment(
        self,
        author_id: str,
        text: str,
        *,
        at: datetime,
        conversation: Conversation | None = None,
        kind: ConversationType | None = None,
    ) -> Report:
        """Add a comment while the comment window is open; with ``conversation`` given,
        only someone the access policy lets comment (a participant) may."""
        if conversation is not None:
            access.require(
                access.reader_role(conversation, author_id),
                access.Content.COMMENT,
                _sensitivity(kind),
                reader=author_id,
                write=True,
                kind=kind,
            )
        new = Comment(author_id=author_id, text=text, at=at)
        return self._step(
            ReportAction.COMMENT, at, actor_id=author_id, comments=(*self.comments, new)
        )

    def sign(self, employee_id: str, *, kind: SignOffKind | str, at: datetime) -> Report:
        """The employee signs the shared report as agreed or as seen."""
        kind = SignOffKind(kind)
        action = ReportAction.SIGN_AGREED if kind is SignOffKind.AGREED else ReportAction.SIGN_SEEN
        self._only_employee(employee_id, "sign")
        return self._step(action, at, actor_id=employee_id, signed_by=employee_id, signed_as=kind)

    def refuse_sign_off(self, employee_id: str, *, reason: str, at: datetime) -> Report:
        """The employee declines to sign, with a reason; the report can still be filed."""
        self._only_employee(employee_id, "refuse the sign-off")
        self._require(ReportAction.REFUSE_SIGN_OFF, at)
        require_reason(reason)
        return self._step(
            ReportAction.REFUSE_SIGN_OFF,
            at,
            actor_id=employee_id,
            reason=reason,
            refusal_reason=reason,
        )

    def file(self, *, at: datetime) -> Report:
        """Close the report for good; see the module docstring for when this is allowed."""
        return self._step(ReportAction.FILE, at)

    def add_written_view(
        self,
        employee_id: str,
        text: str,
        *,
        at: datetime,
        kind: ConversationType | None = None,
    ) -> Report:
        """Attach the employee's written view; allowed once, from sharing onwards, and with
        ``kind`` given only where that type allows a written view."""
        self._only_employee(employee_id, "add a written view")
        if kind is not None:
            access.require(
                access.ReaderRole.EMPLOYEE,
                access.Content.WRITTEN_VIEW,
                kind.sensitivity,
                reader=employee_id,
                write=True,
                kind=kind,
            )
        self._require(ReportAction.ADD_WRITTEN_VIEW, at)
        if self.written_view is not None:
            raise ConflictError(
                f"Report.written_view: {self.conversation_id!r} already has the employee's "
                f"written view (added {self.written_view.at.isoformat()}); it cannot be changed"
            )
        view = WrittenView(employee_id=employee_id, text=text, at=at)
        return self._step(
            ReportAction.ADD_WRITTEN_VIEW, at, actor_id=employee_id, written_view=view
        )

    # --- internals ----------------------------------------------------------------------

    def _only_employee(self, person_id: str, what: str) -> None:
        if person_id != self.employee_id:
            raise AccessDeniedError(
                "Report.employee_id", person_id, f"may not {what}: only the report's employee may"
            )

    def _require(self, action: ReportAction, at: datetime) -> ReportStatus:
        require_aware(at)
        allowed = self.allowed_actions(at.date())
        if action not in allowed:
            raise InvalidTransitionError(
                f"Report {self.conversation_id!r}",
                self.status.value,
                action.value,
                [a.value for a in allowed],
            )
        return REPORT_TRANSITIONS[self.status][action]

    def _step(
        self,
        action: ReportAction,
        at: datetime,
        *,
        actor_id: str | None = None,
        reason: str | None = None,
        **changes: Any,
    ) -> Report:
        target = self._require(action, at)
        entry = ReportTransition(
            action=action,
            from_status=self.status,
            to_status=target,
            at=at,
            actor_id=actor_id,
            reason=reason,
        )
        return attrs.evolve(self, status=target, history=(*self.history, entry), **changes)


def _sensitivity(kind: ConversationType | None) -> Sensitivity:
    return Sensitivity.NORMAL if kind is None else kind.sensitivity
