"""The employee's voice: a short, optional check after a held conversation.

After a conversation of a type with ``voice_check`` (on for the built-in types except the
exit interview and absence conversations; a design switches it per type) the employee is
asked three questions on a 1–5 scale, each optional, and may add one remark:

- ``heard``: "Voelde je je gehoord?" / "Did you feel heard?"
- ``useful``: "Was dit gesprek nuttig voor je?" / "Was this conversation useful to you?"
- ``clear_agreements``: "Is duidelijk wat we hebben afgesproken?" / "Is it clear what we
  agreed?"

Answers are never shown to anyone but the employee who gave them (``voice_answer`` in the
access matrix of :mod:`gesprekscyclus.domain.access`). What others see is
:func:`voice_summary`: per manager or per team, the mean of each score, only for groups of
at least :data:`~gesprekscyclus.domain.access.MIN_GROUP_SIZE` distinct employees, and never a
remark (free text can name its writer).

>>> from datetime import datetime, timezone
>>> at = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
>>> answers = [
...     VoiceAnswer(conversation_id=f"c-{n}", employee_id=f"e-{n}", manager_id="m-1",
...                 team="sales", type_key="check_in", at=at, heard=4 + n % 2, useful=4)
...     for n in range(5)
... ]
>>> [(g.group, g.employees, g.heard) for g in voice_summary(answers, by="manager")]
[('m-1', 5, 4.4)]
>>> voice_summary(answers[:4], by="team")
()
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from statistics import fmean
from typing import Any, Literal

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import aware, non_blank, shown, typed_fields
from gesprekscyclus.domain.access import MIN_GROUP_SIZE
from gesprekscyclus.domain.questions import Question, QuestionKind, QuestionSet, ScalePoint
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import InvalidValueError

__all__ = [
    "MAX_REMARK_CHARS",
    "SCORES",
    "VOICE_CHECK_DAYS",
    "VoiceAnswer",
    "VoiceGroup",
    "voice_question_set",
    "voice_summary",
]

#: The scores of the check, in order.
SCORES = ("heard", "useful", "clear_agreements")
#: How many days after the conversation the check is still sent (it then expires).
VOICE_CHECK_DAYS = 14
#: The longest remark accepted.
MAX_REMARK_CHARS = 2000

_LABELS = (
    (1, "Helemaal niet", "Not at all"),
    (2, "Een beetje", "A little"),
    (3, "Redelijk", "Fairly"),
    (4, "Grotendeels", "Mostly"),
    (5, "Helemaal", "Completely"),
)


def voice_question_set() -> QuestionSet:
    """The questions of the check, with their Dutch and English texts (``voice@1``).

    >>> [q.key for q in voice_question_set().questions]
    ['heard', 'useful', 'clear_agreements', 'remark']
    """
    scale = tuple(ScalePoint(value, LocalizedText(nl=nl, en=en)) for value, nl, en in _LABELS)
    texts = (
        ("heard", "Voelde je je gehoord?", "Did you feel heard?"),
        ("useful", "Was dit gesprek nuttig voor je?", "Was this conversation useful to you?"),
        (
            "clear_agreements",
            "Is duidelijk wat we hebben afgesproken?",
            "Is it clear what we agreed?",
        ),
    )
    scores = (
        Question(key=key, kind=QuestionKind.SCALE, text=LocalizedText(nl=nl, en=en), scale=scale)
        for key, nl, en in texts
    )
    questions = (
        *scores,
        Question(
            key="remark",
            kind=QuestionKind.OPEN_TEXT,
            text=LocalizedText(
                nl="Wat wil je nog kwijt over dit gesprek? (niet verplicht)",
                en="What else would you like to say about this conversation? (optional)",
            ),
        ),
    )
    return QuestionSet(
        "voice", 1, LocalizedText(nl="Hoe was het gesprek?", en="How did it go?"), questions
    )


def _score(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidValueError(
            f"VoiceAnswer.{attribute.name}",
            f"must be 1 to 5, got {shown(value)}",
            allowed=range(1, 6),
        )


def _remark(instance: object, attribute: attrs.Attribute[Any], value: str | None) -> None:
    non_blank(instance, attribute, value)
    if value is not None and len(value) > MAX_REMARK_CHARS:
        raise InvalidValueError(
            "VoiceAnswer.remark",
            f"holds {len(value)} characters",
            allowed=(f"at most {MAX_REMARK_CHARS}",),
        )


@frozen(field_transformer=typed_fields)
class VoiceAnswer:
    """One employee's check after one conversation (at most one per conversation).

    ``manager_id`` and ``team`` are those of the conversation when it was answered, so an
    aggregate stays what it was when people move on. At least one score or the remark is
    given.
    """

    conversation_id: str = field(validator=non_blank)
    employee_id: str = field(validator=non_blank)
    manager_id: str | None = field(validator=non_blank)
    team: str | None = field(validator=non_blank)
    type_key: str = field(validator=non_blank)
    at: datetime = field(validator=aware)
    heard: int | None = field(default=None, validator=_score)
    useful: int | None = field(default=None, validator=_score)
    clear_agreements: int | None = field(default=None, validator=_score)
    remark: str | None = field(default=None, validator=_remark)

    def __attrs_post_init__(self) -> None:
        if self.remark is None and all(getattr(self, name) is None for name in SCORES):
            raise InvalidValueError(
                "VoiceAnswer", "give at least one score or a remark", allowed=(*SCORES, "remark")
            )


@frozen(field_transformer=typed_fields)
class VoiceGroup:
    """The check in aggregate for one manager or team: distinct ``employees`` and
    ``responses`` counted, and per score the mean over the answers that gave it (``None``
    when none did). No remarks, no individual answers."""

    by: str
    group: str
    employees: int
    responses: int
    heard: float | None
    useful: float | None
    clear_agreements: float | None


def voice_summary(
    answers: Iterable[VoiceAnswer],
    *,
    by: Literal["manager", "team"],
    min_group_size: int = MIN_GROUP_SIZE,
) -> tuple[VoiceGroup, ...]:
    """The check per manager or per team, sorted by group, leaving out every group of fewer
    than ``min_group_size`` distinct employees (at least
    :data:`~gesprekscyclus.domain.access.MIN_GROUP_SIZE`; it may be raised, never lowered)
    and answers without a manager or team. Means are rounded to two decimals.

    The result is plain data, one row per group; ``attrs.asdict`` of each row makes a record
    for a DataFrame.
    """
    if by not in ("manager", "team"):
        raise InvalidValueError("by", f"unknown grouping {by!r}", allowed=("manager", "team"))
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int):
        raise InvalidValueError(
            "min_group_size", f"must be a whole number, got {shown(min_group_size)}"
        )
    if min_group_size < MIN_GROUP_SIZE:
        raise InvalidValueError(
            "min_group_size",
            f"{min_group_size} is below the minimum group size",
            allowed=(f"at least {MIN_GROUP_SIZE}",),
        )
    groups: defaultdict[str, list[VoiceAnswer]] = defaultdict(list)
    for answer in answers:
        key = answer.manager_id if by == "manager" else answer.team
        if key is not None:
            groups[key].append(answer)
    found = []
    for key in sorted(groups):
        mine = groups[key]
        employees = len({answer.employee_id for answer in mine})
        if employees < min_group_size:
            continue

        def mean(name: str, mine: list[VoiceAnswer] = mine) -> float | None:
            given = [getattr(a, name) for a in mine if getattr(a, name) is not None]
            return round(fmean(given), 2) if given else None

        found.append(
            VoiceGroup(
                by=by,
                group=key,
                employees=employees,
                responses=len(mine),
                heard=mean("heard"),
                useful=mean("useful"),
                clear_agreements=mean("clear_agreements"),
            )
        )
    return tuple(found)
