"""Answer-triggered follow-ups: an answer in a held conversation asks for another one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Protocol

from attrs import field, frozen

from gesprekscyclus.domain._checks import ClosedSet, non_blank, shown, typed_fields, whole_in_range
from gesprekscyclus.errors import InvalidValueError

# --- answer-triggered follow-ups --------------------------------------------------------------


class AuthoredAnswer(Protocol):
    """What :meth:`AnswerTrigger.fires_for` reads of an answer (a conversation's ``Answer``)."""

    @property
    def question_key(self) -> str: ...

    @property
    def value(self) -> object: ...

    @property
    def author_id(self) -> str: ...


class AnswerOperator(ClosedSet):
    """How an answer is compared with an :class:`AnswerTrigger`'s value."""

    EQUALS = "equals"
    AT_MOST = "at_most"
    AT_LEAST = "at_least"


@frozen(field_transformer=typed_fields)
class AnswerTrigger:
    """An answer in a held conversation of ``type_key`` that asks for a follow-up.

    When the answer to ``question_key`` compares to ``value`` by ``operator``, a conversation
    of ``schedule_type`` is due within ``within_days`` after the one that was held.
    ``equals`` compares type and value (``True`` does not equal ``1``); ``at_most`` and
    ``at_least`` need a number.

    **Both sides answer.** In a two-way conversation the employee and the manager (and any other
    participant) each record their own answers; they are never merged into one. The follow-up
    fires when *any* participant's answer meets the condition (:meth:`fires_for`): the
    employee's own answer about themself is never overruled by the manager's, and a manager's
    concern is heard even when the employee says all is well.

    >>> leaving = AnswerTrigger("growth_review", "considering_leaving", "equals", True,
    ...                         "stay_interview", 14)
    >>> leaving.fires({"considering_leaving": True}), leaving.fires({"considering_leaving": 1})
    (True, False)
    >>> leaving.follow_up(date(2026, 3, 2))
    (datetime.date(2026, 3, 3), datetime.date(2026, 3, 16))
    """

    type_key: str = field(validator=non_blank)
    question_key: str = field(validator=non_blank)
    operator: AnswerOperator = field(converter=AnswerOperator)
    value: str | int | bool
    schedule_type: str = field(validator=non_blank)
    within_days: int = field(validator=whole_in_range(1, 366))

    def __attrs_post_init__(self) -> None:
        numeric = isinstance(self.value, int) and not isinstance(self.value, bool)
        if self.operator is not AnswerOperator.EQUALS and not numeric:
            raise InvalidValueError(
                "AnswerTrigger.value",
                f"{self.operator} needs a whole number, got {shown(self.value)}",
            )
        if not isinstance(self.value, str | int | bool):
            raise InvalidValueError(
                "AnswerTrigger.value",
                f"must be text, a whole number or a boolean, got {shown(self.value)}",
            )

    def fires(self, answers: Mapping[str, object]) -> bool:
        """Whether ``answers`` (question key → answer) call for the follow-up.

        A missing or empty answer never fires; a non-numeric answer to ``at_most`` or
        ``at_least`` raises :class:`~gesprekscyclus.errors.InvalidValueError`.
        """
        answer = answers.get(self.question_key)
        if answer is None:
            return False
        if self.operator is AnswerOperator.EQUALS:
            return type(answer) is type(self.value) and answer == self.value
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            raise InvalidValueError(
                f"answers[{self.question_key!r}]",
                f"{self.operator} needs a number, got {shown(answer)}",
            )
        assert isinstance(self.value, int)
        if self.operator is AnswerOperator.AT_MOST:
            return answer <= self.value
        return answer >= self.value

    def fires_for(self, answers: Iterable[AuthoredAnswer]) -> bool:
        """Whether any author's answer among ``answers`` calls for the follow-up.

        >>> from datetime import datetime, timezone
        >>> from gesprekscyclus.domain.conversations import Answer
        >>> at = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
        >>> leaving = AnswerTrigger("check_in", "considering_leaving", "equals", True,
        ...                         "stay_interview", 14)
        >>> leaving.fires_for([Answer("considering_leaving", True, "employee", at),
        ...                    Answer("considering_leaving", False, "manager", at)])
        True
        """
        return any(
            self.fires({self.question_key: answer.value})
            for answer in answers
            if answer.question_key == self.question_key
        )

    def follow_up(self, held_on: date) -> tuple[date, date]:
        """``(earliest, latest)`` for the follow-up of a conversation held on ``held_on``."""
        return held_on + timedelta(days=1), held_on + timedelta(days=self.within_days)
