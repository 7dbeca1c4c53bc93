"""Questions, versioned question sets and the rules for answers.

A :class:`QuestionSet` is a numbered version of a list of questions. Conversations pin the
version they used (a :class:`QuestionSetRef` such as ``growth_review@2``); once a version has
been used it never changes, and a change is published as the next version through a
:class:`QuestionSetLibrary`.

Texts are :class:`~gesprekscyclus.domain.text.LocalizedText`: read in a language that is
missing, a text falls back to Dutch, then to English.

>>> from gesprekscyclus.domain.text import LocalizedText as T
>>> mood = Question(
...     key="mood", kind=QuestionKind.SCALE, text=T(nl="Hoe gaat het?", en="How are you?"),
...     scale=(ScalePoint(1, T(nl="Slecht", en="Bad")), ScalePoint(2, T(nl="Goed", en="Good"))),
... )
>>> check_in = QuestionSet(key="check_in", version=1, title=T(en="Check-in"), questions=(mood,))
>>> str(check_in.ref)
'check_in@1'
>>> check_in.validate_answers({"mood": 2})
>>> try:
...     check_in.validate_answers({"mood": 7})
... except InvalidValueError as error:
...     print(error.path, error.allowed)
check_in@1.answers.mood ('1', '2')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any, TypeAlias

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import (
    ClosedSet,
    field_path,
    positive,
    shown,
    typed_fields,
    unique_by,
)
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import ConflictError, InvalidValueError, NotFoundError

__all__ = [
    "AnswerValue",
    "Audience",
    "Choice",
    "Question",
    "QuestionKind",
    "QuestionSet",
    "QuestionSetLibrary",
    "QuestionSetRef",
    "ScalePoint",
    "answer_value",
    "identifier",
    "not_found",
]

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")

#: What an answer may hold: text for open questions, a scale point's value, a choice key, a
#: list or tuple of choice keys for multiple choice (as JSON gives it; stored as a tuple), or
#: a boolean for yes/no.
AnswerValue: TypeAlias = str | int | bool | tuple[str, ...] | list[str]


def answer_value(value: object) -> AnswerValue:
    """Check that ``value`` has one of the shapes of :data:`AnswerValue`.

    A list (as JSON gives it) becomes a tuple. Whether it fits a *particular* question is
    :meth:`QuestionSet.validate_answers`' job.

    >>> answer_value(["a", "b"])
    ('a', 'b')
    >>> answer_value(["a", 1])
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: Answer.value: expected text, a whole number, a \
boolean or a list of choice keys, got ['a', 1]
    """
    if isinstance(value, str | int):  # bool is an int
        return value
    if isinstance(value, tuple | list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise InvalidValueError(
        "Answer.value",
        f"expected text, a whole number, a boolean or a list of choice keys, got {shown(value)}",
    )


def identifier(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Accept only lowercase identifiers (``[a-z][a-z0-9_]*``), as used for stable keys."""
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise InvalidValueError(
            field_path(instance, attribute),
            f"{shown(value)} is not a lowercase identifier: start with a-z, then a-z, 0-9 or _",
        )


def not_found(kind: str, key: object, known: Iterable[object]) -> NotFoundError:
    """A :class:`~gesprekscyclus.errors.NotFoundError` whose message lists the known keys."""
    error = NotFoundError(kind, key)
    listed = ", ".join(str(item) for item in known) or "none"
    error.args = (f"{error.args[0]} (known: {listed})",)
    return error


class QuestionKind(ClosedSet):
    """The form an answer takes."""

    OPEN_TEXT = "open_text"
    SCALE = "scale"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"


_CHOICE_KINDS = frozenset({QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE})


class Audience(ClosedSet):
    """Who answers a question: one side while preparing, or both together in the conversation."""

    EMPLOYEE_PREPARATION = "employee_preparation"
    MANAGER_PREPARATION = "manager_preparation"
    JOINT = "joint"


@frozen(field_transformer=typed_fields)
class ScalePoint:
    """One point of a rating scale: the stored number and what it means."""

    value: int
    label: LocalizedText

    def __attrs_post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise InvalidValueError(
                "ScalePoint.value", f"must be a whole number, got {shown(self.value)}"
            )


@frozen(field_transformer=typed_fields)
class Choice:
    """One option of a choice question: the stored key and its label."""

    key: str = field(validator=identifier)
    label: LocalizedText


@frozen(field_transformer=typed_fields)
class Question:
    """One question of a question set.

    ``scale`` belongs only to ``scale`` questions (at least two points, values strictly
    ascending); ``choices`` only to single and multiple choice questions (at least two, unique
    keys). ``required`` questions must be answered before a set of answers is complete.
    """

    key: str = field(validator=identifier)
    kind: QuestionKind = field(converter=QuestionKind)
    text: LocalizedText
    audience: Audience = field(default=Audience.JOINT, converter=Audience)
    required: bool = False
    scale: tuple[ScalePoint, ...] = ()
    choices: tuple[Choice, ...] = ()
    help: LocalizedText | None = None

    def __attrs_post_init__(self) -> None:
        where = f"question {self.key!r}"
        if self.kind is QuestionKind.SCALE:
            if len(self.scale) < 2:
                raise InvalidValueError(
                    "Question.scale", f"{where} of kind scale needs at least 2 points"
                )
            values = [point.value for point in self.scale]
            if any(low >= high for low, high in pairwise(values)):
                raise InvalidValueError(
                    "Question.scale",
                    f"{where}: point values must be unique and ascending, got {values}",
                )
        elif self.scale:
            raise InvalidValueError(
                "Question.scale", f"{where} of kind {self.kind} cannot have a scale"
            )
        if self.kind in _CHOICE_KINDS:
            if len(self.choices) < 2:
                raise InvalidValueError(
                    "Question.choices", f"{where} of kind {self.kind} needs at least 2 choices"
                )
            unique_by(self.choices, lambda choice: choice.key, "Question.choices")
        elif self.choices:
            raise InvalidValueError(
                "Question.choices",
                f"{where} of kind {self.kind} cannot have choices",
                allowed=sorted(_CHOICE_KINDS),
            )

    @property
    def scale_values(self) -> tuple[int, ...]:
        """The numbers a scale answer may take (empty for other kinds)."""
        return tuple(point.value for point in self.scale)

    @property
    def choice_keys(self) -> tuple[str, ...]:
        """The keys a choice answer may use (empty for other kinds)."""
        return tuple(choice.key for choice in self.choices)

    def validate_answer(self, value: object, path: str) -> None:
        """Raise :class:`InvalidValueError` at ``path`` unless ``value`` fits this question."""
        kind = self.kind
        if kind is QuestionKind.OPEN_TEXT:
            if not isinstance(value, str):
                raise InvalidValueError(path, f"expected text, got {shown(value)}")
            if not value.strip():
                raise InvalidValueError(path, "must not be blank; leave the answer out instead")
        elif kind is QuestionKind.SCALE:
            allowed = self.scale_values
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidValueError(
                    path, f"expected a scale point, got {shown(value)}", allowed=allowed
                )
            if value not in allowed:
                raise InvalidValueError(
                    path, f"{shown(value)} is not a point on the scale", allowed=allowed
                )
        elif kind is QuestionKind.SINGLE_CHOICE:
            if not isinstance(value, str) or value not in self.choice_keys:
                raise InvalidValueError(
                    path, f"{shown(value)} is not one of the choices", allowed=self.choice_keys
                )
        elif kind is QuestionKind.MULTIPLE_CHOICE:
            if not isinstance(value, tuple | list):
                raise InvalidValueError(
                    path,
                    f"expected a list of choice keys, got {shown(value)}",
                    allowed=self.choice_keys,
                )
            for item in value:
                if not isinstance(item, str) or item not in self.choice_keys:
                    raise InvalidValueError(
                        path, f"{shown(item)} is not one of the choices", allowed=self.choice_keys
                    )
            if len(set(value)) != len(value):
                raise InvalidValueError(path, f"a choice is picked twice in {shown(tuple(value))}")
        elif not isinstance(value, bool):
            raise InvalidValueError(
                path, f"expected yes or no, got {shown(value)}", allowed=("true", "false")
            )

    def is_answered_by(self, value: object) -> bool:
        """Whether ``value`` counts as an answer for completeness (an empty selection does not)."""
        return not (self.kind is QuestionKind.MULTIPLE_CHOICE and not value)


@frozen(order=True, field_transformer=typed_fields)
class QuestionSetRef:
    """Points at one version of a question set; written ``key@version``.

    >>> QuestionSetRef.parse("growth_review@2") < QuestionSetRef("growth_review", 10)
    True
    """

    key: str = field(validator=identifier)
    version: int = field(validator=positive)

    def __str__(self) -> str:
        return f"{self.key}@{self.version}"

    @classmethod
    def parse(cls, text: str) -> QuestionSetRef:
        """Read ``"key@version"``."""
        key, at, version = text.partition("@")
        if not at or not version.isdigit():
            raise InvalidValueError(
                "QuestionSetRef", f"{text!r} is not written as key@version (e.g. 'check_in@1')"
            )
        return cls(key, int(version))


@frozen(field_transformer=typed_fields)
class QuestionSet:
    """One version of a list of questions, with unique question keys.

    Questions keep their order; :meth:`for_audience` selects what each side sees.
    """

    key: str = field(validator=identifier)
    version: int = field(validator=positive)
    title: LocalizedText
    questions: tuple[Question, ...]

    def __attrs_post_init__(self) -> None:
        if not self.questions:
            raise InvalidValueError("QuestionSet.questions", f"{self.ref} needs a question")
        unique_by(self.questions, lambda question: question.key, "QuestionSet.questions")

    @property
    def ref(self) -> QuestionSetRef:
        """The ``key@version`` reference that answers pin."""
        return QuestionSetRef(self.key, self.version)

    @property
    def keys(self) -> tuple[str, ...]:
        """The question keys in order."""
        return tuple(question.key for question in self.questions)

    def question(self, key: str) -> Question:
        """The question with ``key``; :class:`NotFoundError` lists the keys that exist."""
        for question in self.questions:
            if question.key == key:
                return question
        raise not_found(f"question in {self.ref}", key, self.keys)

    def for_audience(self, audience: Audience | str) -> tuple[Question, ...]:
        """The questions one audience answers, in order.

        A preparation audience (employee or manager) gets its own questions plus the joint
        ones, so each side can think ahead about what will be discussed; questions meant for
        the other side's preparation are left out. The joint audience (the conversation
        itself) gets the joint questions only. Set order is kept.
        """
        wanted = Audience(audience)
        return tuple(
            question
            for question in self.questions
            if question.audience is wanted or question.audience is Audience.JOINT
        )

    def validate_answers(
        self,
        answers: Mapping[str, AnswerValue],
        *,
        complete: bool = False,
        audience: Audience | str | None = None,
    ) -> None:
        """Raise :class:`InvalidValueError` unless ``answers`` fit this set.

        The error's path names the question (``growth_review@1.answers.workload``) and, for
        closed kinds, ``allowed`` lists the valid values. Keys that are not questions of the
        set (of ``audience``, when given) are errors. With ``complete=True`` every required
        question must have an answer; an empty multiple-choice selection does not count.
        """
        questions = self.questions if audience is None else self.for_audience(audience)
        by_key = {question.key: question for question in questions}
        prefix = f"{self.ref}.answers"
        for key, value in answers.items():
            question = by_key.get(key)
            if question is None:
                raise InvalidValueError(
                    f"{prefix}.{key}", "is not a question of this set", allowed=by_key
                )
            question.validate_answer(value, f"{prefix}.{key}")
        if complete:
            for question in questions:
                if question.required and (
                    question.key not in answers
                    or not question.is_answered_by(answers[question.key])
                ):
                    raise InvalidValueError(
                        f"{prefix}.{question.key}", "is required but has no answer"
                    )


def _ordered_sets(sets: Iterable[QuestionSet]) -> tuple[QuestionSet, ...]:
    return tuple(sorted(sets, key=lambda qs: (qs.key, qs.version)))


@frozen(field_transformer=typed_fields)
class QuestionSetLibrary:
    """All versions of all question sets, and which versions have been used.

    Immutable: every change returns a new library. Until a version is used it may be
    replaced by adding a different set with the same key and version; after
    :meth:`mark_used` it is frozen and changes go into the next version (:meth:`revise`).
    Sets are kept sorted by key and version, so equal contents compare equal.

    >>> from gesprekscyclus.domain.text import LocalizedText as T
    >>> q = Question(key="goals", kind="open_text", text=T(nl="Doelen?"))
    >>> library = QuestionSetLibrary().add(QuestionSet("plan", 1, T(nl="Plan"), (q,)))
    >>> library = library.mark_used(QuestionSetRef("plan", 1)).revise("plan", title=T(nl="Plannen"))
    >>> library.versions("plan"), library.latest("plan").title.in_("nl")
    ((1, 2), 'Plannen')
    """

    sets: tuple[QuestionSet, ...] = ()
    used: tuple[QuestionSetRef, ...] = ()

    def __attrs_post_init__(self) -> None:
        # Normalising the order of a frozen instance while it is being built is the way attrs
        # documents for derived values.
        object.__setattr__(self, "sets", _ordered_sets(self.sets))
        object.__setattr__(self, "used", tuple(sorted(set(self.used))))
        unique_by(self.sets, lambda qs: qs.ref, "QuestionSetLibrary.sets")
        refs = {qs.ref for qs in self.sets}
        for ref in self.used:
            if ref not in refs:
                raise InvalidValueError(
                    "QuestionSetLibrary.used", f"{ref} is marked used but is not in the library"
                )

    def __contains__(self, ref: object) -> bool:
        return any(qs.ref == ref for qs in self.sets)

    def keys(self) -> tuple[str, ...]:
        """The question-set keys, sorted."""
        return tuple(sorted({qs.key for qs in self.sets}))

    def versions(self, key: str) -> tuple[int, ...]:
        """The versions of ``key``, ascending (empty when the key is unknown)."""
        return tuple(qs.version for qs in self.sets if qs.key == key)

    def get(self, ref: QuestionSetRef) -> QuestionSet:
        """The set with exactly this key and version."""
        for qs in self.sets:
            if qs.ref == ref:
                return qs
        raise not_found("question set", str(ref), [str(qs.ref) for qs in self.sets])

    def latest(self, key: str) -> QuestionSet:
        """The highest version of ``key``."""
        versions = self.versions(key)
        if not versions:
            raise not_found("question set", key, self.keys())
        return self.get(QuestionSetRef(key, versions[-1]))

    def is_used(self, ref: QuestionSetRef) -> bool:
        """Whether answers have been recorded against ``ref``."""
        return ref in self.used

    def add(self, question_set: QuestionSet) -> QuestionSetLibrary:
        """A library that holds ``question_set``.

        Adding an identical set again changes nothing. A different set with an existing key
        and version replaces it while that version is unused, and raises
        :class:`ConflictError` once it is used.
        """
        ref = question_set.ref
        if ref in self:
            current = self.get(ref)
            if current == question_set:
                return self
            if self.is_used(ref):
                raise ConflictError(
                    f"question set {ref} is already in use and cannot change; publish the change "
                    f"as version {max(self.versions(ref.key)) + 1} instead (revise)"
                )
        kept = [qs for qs in self.sets if qs.ref != ref]
        return attrs.evolve(self, sets=(*kept, question_set))

    def mark_used(self, ref: QuestionSetRef) -> QuestionSetLibrary:
        """A library in which ``ref`` is used and therefore frozen (idempotent)."""
        self.get(ref)
        if self.is_used(ref):
            return self
        return attrs.evolve(self, used=(*self.used, ref))

    def revise(
        self,
        key: str,
        *,
        questions: tuple[Question, ...] | None = None,
        title: LocalizedText | None = None,
    ) -> QuestionSetLibrary:
        """A library with a new version of ``key``: the latest one plus the given changes."""
        latest = self.latest(key)
        revised = QuestionSet(
            key=key,
            version=latest.version + 1,
            title=latest.title if title is None else title,
            questions=latest.questions if questions is None else tuple(questions),
        )
        return self.add(revised)
