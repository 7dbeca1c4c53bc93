"""The questions one reader prepares or answers in one conversation, with their answers.

A conversation's question set (the version its answers are pinned to, else the one the
design pins, else the latest: :func:`~gesprekscyclus.service.reminders.pinned_question_set`)
holds questions for three audiences (:class:`~gesprekscyclus.domain.questions.Audience`).
Who answers which follows from their part in the conversation, as
:meth:`~gesprekscyclus.domain.conversations.Conversation.record_answers` enforces it: the
employee answers the employee's preparation, anyone else taking part the leading side's,
and both the joint questions. :func:`questions_view` turns that into a
:class:`~gesprekscyclus.service.views.QuestionsView` in one language, with only the answers
the access policy lets the reader read (they come from the reader's
:class:`~gesprekscyclus.service.views.ConversationView`, which the policy built).

>>> from datetime import date, datetime, timezone
>>> from gesprekscyclus.domain.catalog import built_in_catalog
>>> from gesprekscyclus.domain.conversations import Conversation, Window
>>> from gesprekscyclus.service.views import conversation_view
>>> catalog = built_in_catalog()
>>> talk = Conversation.plan(id="g-1", type_key="growth_review", employee_id="e-1",
...     manager_id="m-1", window=Window(date(2026, 3, 1), date(2026, 3, 10), date(2026, 3, 31)))
>>> question_set = catalog.question_sets.latest("growth_review")
>>> view = conversation_view(talk, "e-1", question_set=question_set)
>>> questions = questions_view(talk, view, question_set=question_set, locale="en")
>>> questions.audience.value, questions.questions[0].may_answer
('employee_preparation', True)
>>> all(q.audience.value != "manager_preparation" for q in questions.questions)
True
"""

from __future__ import annotations

from gesprekscyclus.domain.access import Content
from gesprekscyclus.domain.conversations import Conversation, ConversationAction
from gesprekscyclus.domain.people import Role
from gesprekscyclus.domain.questions import Audience, Question, QuestionKind, QuestionSet
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.service.views import ConversationView, OptionView, QuestionsView, QuestionView

__all__ = ["audience_of", "questions_view"]


def audience_of(talk: Conversation, person_id: str) -> Audience | None:
    """The preparation ``person_id`` answers in ``talk``: the employee's for the employee,
    the leading side's for anyone else taking part, ``None`` for someone taking no part.

    >>> from datetime import date
    >>> from gesprekscyclus.domain.conversations import Window
    >>> talk = Conversation.plan(id="c-1", type_key="check_in", employee_id="e-1",
    ...     manager_id="m-1", window=Window(date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)))
    >>> audience_of(talk, "m-1").value, audience_of(talk, "x") is None
    ('manager_preparation', True)
    """
    role = talk.role_of(person_id)
    if role is None:
        return None
    if role is Role.EMPLOYEE:
        return Audience.EMPLOYEE_PREPARATION
    return Audience.MANAGER_PREPARATION


def _options(question: Question, locale: Locale) -> tuple[OptionView, ...]:
    if question.kind is QuestionKind.SCALE:
        return tuple(OptionView(point.value, point.label.in_(locale)) for point in question.scale)
    return tuple(OptionView(choice.key, choice.label.in_(locale)) for choice in question.choices)


def questions_view(
    talk: Conversation,
    view: ConversationView,
    *,
    question_set: QuestionSet | None,
    locale: Locale | str = Locale.NL,
) -> QuestionsView:
    """The questions the reader of ``view`` (their view of ``talk``) prepares or answers
    from ``question_set`` (the pinned one), with the answers ``view`` lets them read."""
    language = Locale(locale)
    assert view.reader_id is not None
    assert view.reader_role is not None
    reader = view.reader_id
    audience = audience_of(talk, reader)
    if question_set is None or audience is None:
        return QuestionsView(
            conversation_id=talk.id,
            reader_id=reader,
            reader_role=view.reader_role,
            locale=language,
            question_set=None if question_set is None else question_set.ref,
            audience=audience,
        )
    accepts = ConversationAction.RECORD_ANSWERS in talk.allowed_actions()
    questions = []
    for question in question_set.for_audience(audience):
        content = (
            Content.JOINT_ANSWERS
            if question.audience is Audience.JOINT
            else Content.OWN_PREPARATION
        )
        answers = tuple(a for a in view.answers if a.question_key == question.key)
        own = next((a.value for a in answers if a.author_id == reader), None)
        questions.append(
            QuestionView(
                key=question.key,
                kind=question.kind,
                audience=question.audience,
                text=question.text.in_(language),
                required=question.required,
                help=None if question.help is None else question.help.in_(language),
                options=_options(question, language),
                answer=own,
                answers=answers,
                may_answer=accepts and content in view.may_write,
            )
        )
    return QuestionsView(
        conversation_id=talk.id,
        reader_id=reader,
        reader_role=view.reader_role,
        locale=language,
        question_set=question_set.ref,
        audience=audience,
        questions=tuple(questions),
    )
