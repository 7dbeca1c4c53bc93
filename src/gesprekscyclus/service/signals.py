"""Early signals from answers: team trends of scale questions, and signals that need action.

"Sneller signaleren van knelpunten, zoals werkdruk": the answers people give in their
conversations (the growth review's ``workload``, the ``wellbeing_score`` of check-ins and
wellbeing conversations, ``considering_leaving``) show where a team is under pressure before
someone falls ill or leaves. Those answers are personal, so what this module hands out is
protected twice:

**Who may call it.** Answers are ``joint_answers`` or preparation answers in the access
matrix (:mod:`gesprekscyclus.domain.access`): only the participants read them, one by one.
Nobody may read other people's answers in bulk, so aggregating them is something only the
organisation itself does, through the administrative path, for its HR contact
(``service.hr_office``, the design's ``hr_contact``). :func:`require_signal_reader` refuses
anyone else with :class:`~gesprekscyclus.errors.AccessDeniedError`; managers get no signals
about their own team this way.

**Group size.** Every figure describes at least ``min_group_size`` *distinct people*
(:data:`~gesprekscyclus.domain.access.MIN_GROUP_SIZE`, 5 by default; it may be raised, never
set below 2): a cell about fewer people is not shown at all, its counts included. To stop
differencing (the organisation's total minus the teams shown gives the teams withheld), the
organisation-wide row of a question and quarter is withheld too when the people of the
withheld teams together number fewer than the minimum; and trends come in one period only,
quarters, since a year's figure minus three quarters shown would give the fourth. No row
ever carries a person id, the signals that need action included: a "low wellbeing without a
follow-up" signal names the team, the quarter and how many people, and HR asks the manager
(who took part and may read the answers) to act. Each person counts in the team the people
records give them now, in every quarter alike.

Both rules live in the access policy (:func:`~gesprekscyclus.domain.access.group_size`,
:func:`~gesprekscyclus.domain.access.require_aggregate_reader`).

>>> from datetime import date
>>> from gesprekscyclus.service.health import Records
>>> answer_trend_rows(Records(people=(), conversations=()), min_group_size=1)
Traceback (most recent call last):
...
gesprekscyclus.errors.InvalidValueError: min_group_size: must be a whole number of at least 2, \
got 1
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from statistics import fmean
from typing import TYPE_CHECKING, Any

from attrs import frozen

from gesprekscyclus.domain.access import MIN_GROUP_SIZE, group_size, require_aggregate_reader
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.voice import SCORES, VoiceAnswer
from gesprekscyclus.service.health import Records, _held_on, period_of

if TYPE_CHECKING:
    from gesprekscyclus.service.app import ConversationService

__all__ = [
    "ORGANISATION",
    "SIGNAL_KINDS",
    "TREND_PERIOD",
    "TREND_QUESTIONS",
    "Signal",
    "answer_trend_rows",
    "require_signal_reader",
    "signal_rows",
]

Rows = list[dict[str, Any]]

#: The scale and yes/no questions whose answers make trends, by default.
TREND_QUESTIONS = ("workload", "wellbeing_score", "considering_leaving")
#: The one period trends are counted in (see :func:`answer_trend_rows`).
TREND_PERIOD = "quarter"
#: The ``team`` value of the organisation-wide row of a trend.
ORGANISATION = "*"
#: The kinds of signal that need action.
SIGNAL_KINDS = (
    "workload_rising",
    "considering_leaving_repeated",
    "low_wellbeing_no_follow_up",
    "conversation_quality_low",
)


def require_signal_reader(service: ConversationService, reader: str) -> None:
    """Raise :class:`~gesprekscyclus.errors.AccessDeniedError` unless ``reader`` is the
    service's HR contact: :func:`~gesprekscyclus.domain.access.require_aggregate_reader`."""
    require_aggregate_reader(reader, hr_office=service.hr_office)


@frozen
class _Answer:
    """One person's answer to one question in one conversation, with where it counts."""

    employee_id: str
    team: str | None
    day: date
    question_key: str
    value: Any


def _answers(records: Records, questions: Sequence[str]) -> list[_Answer]:
    """The last answer per conversation and question, counted on the day it was held."""
    teams = {person.id: person.team for person in records.people}
    wanted = set(questions)
    found = []
    for talk in records.conversations:
        if not talk.has_been_held:
            continue
        latest: dict[str, Any] = {}
        for answer in talk.answers:
            if answer.question_key in wanted:
                latest[answer.question_key] = answer.value
        day = _held_on(talk) or talk.window.target
        found += [
            _Answer(talk.employee_id, teams.get(talk.employee_id), day, key, value)
            for key, value in sorted(latest.items())
        ]
    return found


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int):
        return float(value)
    return None


def answer_trend_rows(
    records: Records,
    *,
    questions: Sequence[str] = TREND_QUESTIONS,
    min_group_size: int = MIN_GROUP_SIZE,
) -> Rows:
    """Per question, team and quarter (of the day held): ``people`` (distinct), ``answers``,
    ``mean`` and for yes/no questions ``share_yes``; plus an organisation-wide row per
    question and quarter (``team`` is :data:`ORGANISATION`). Rows about fewer than
    ``min_group_size`` people are left out, and so is an organisation row that would reveal
    them by difference (see the module docstring). Trends come per quarter only: offering
    months or years too would let one be subtracted from the other."""
    minimum = group_size(min_group_size)
    cells: defaultdict[tuple[Any, ...], list[_Answer]] = defaultdict(list)
    for answer in _answers(records, questions):
        if _number(answer.value) is None:
            continue
        columns = tuple(period_of(answer.day, TREND_PERIOD).items())
        cells[(answer.question_key, columns, answer.team or "")].append(answer)
    rows = []
    by_period: defaultdict[tuple[Any, ...], list[tuple[str, list[_Answer]]]] = defaultdict(list)
    for (question, columns, team), answers in cells.items():
        by_period[(question, columns)].append((team, answers))
    for (question, columns), teams in sorted(by_period.items()):
        withheld = sum(
            len({a.employee_id for a in answers})
            for _, answers in teams
            if len({a.employee_id for a in answers}) < minimum
        )
        shown = sorted(teams, key=lambda pair: pair[0])
        everyone = [a for _, answers in teams for a in answers]
        if withheld == 0 or withheld >= minimum:
            shown.append((ORGANISATION, everyone))
        for team, answers in shown:
            people = len({a.employee_id for a in answers})
            if people < minimum:
                continue
            values = [_number(a.value) or 0.0 for a in answers]
            yes_no = all(isinstance(a.value, bool) for a in answers)
            row: dict[str, Any] = {"question_key": question, "team": team}
            row.update(dict(columns))
            row.update(
                people=people,
                answers=len(answers),
                mean=sum(values) / len(values),
                share_yes=(sum(values) / len(values)) if yes_no else None,
            )
            rows.append(row)
    return rows


@frozen
class Signal:
    """A signal that needs action: ``kind`` (one of :data:`SIGNAL_KINDS`) about a team in a
    period, with ``people`` (how many show it) out of ``group_people`` (distinct people
    whose answers were looked at, at least the minimum group size) and a readable
    ``evidence``. It never names a person."""

    team: str
    kind: str
    year: int
    quarter: int
    people: int
    group_people: int
    evidence: str


def _quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _previous(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def _workload_rising(records: Records, minimum: int, question: str) -> list[Signal]:
    trend = answer_trend_rows(records, questions=(question,), min_group_size=minimum)
    cells = {(r["team"], r["year"], r["quarter"]): r for r in trend if r["team"] != ORGANISATION}
    signals = []
    for (team, year, quarter), row in sorted(cells.items()):
        one = cells.get((team, *_previous(year, quarter)))
        two = None if one is None else cells.get((team, *_previous(*_previous(year, quarter))))
        if one is None or two is None or not two["mean"] < one["mean"] < row["mean"]:
            continue
        signals.append(
            Signal(
                team=team,
                kind="workload_rising",
                year=year,
                quarter=quarter,
                people=row["people"],
                group_people=row["people"],
                evidence=f"mean {question} {two['mean']:.2f} -> {one['mean']:.2f} -> "
                f"{row['mean']:.2f} over three quarters ({two['people']}, {one['people']}, "
                f"{row['people']} people)",
            )
        )
    return signals


def _repeated_yes(records: Records, minimum: int, question: str) -> list[Signal]:
    """People who said yes in two or more conversations within this and the last quarter."""
    answers = [a for a in _answers(records, (question,)) if isinstance(a.value, bool)]
    quarters = sorted({_quarter(a.day) for a in answers})
    signals = []
    for year, quarter in quarters:
        span = {(year, quarter), _previous(year, quarter)}
        inside = [a for a in answers if _quarter(a.day) in span]
        teams: defaultdict[str, list[_Answer]] = defaultdict(list)
        for answer in inside:
            teams[answer.team or ""].append(answer)
        for team, group in sorted(teams.items()):
            people = {a.employee_id for a in group}
            yes: defaultdict[str, int] = defaultdict(int)
            for answer in group:
                yes[answer.employee_id] += answer.value is True
            repeated = sum(1 for count in yes.values() if count >= 2)
            if len(people) < minimum or not repeated:
                continue
            signals.append(
                Signal(
                    team=team,
                    kind="considering_leaving_repeated",
                    year=year,
                    quarter=quarter,
                    people=repeated,
                    group_people=len(people),
                    evidence=f"{repeated} of {len(people)} people answered yes to {question} "
                    "in two or more conversations within two quarters",
                )
            )
    return signals


def _followed_up(talks: Sequence[Conversation], after: date, within: int) -> bool:
    end = after + timedelta(days=within)
    for talk in talks:
        held = _held_on(talk) if talk.has_been_held else None
        if held is not None and after < held <= end:
            return True
    return False


def _low_without_follow_up(
    records: Records, minimum: int, question: str, threshold: int, within_days: int, today: date
) -> list[Signal]:
    by_person: defaultdict[str, list[Conversation]] = defaultdict(list)
    for talk in records.conversations:
        by_person[talk.employee_id].append(talk)
    answers = [
        a
        for a in _answers(records, (question,))
        if isinstance(a.value, int) and not isinstance(a.value, bool)
    ]
    groups: defaultdict[tuple[str, int, int], list[_Answer]] = defaultdict(list)
    for answer in answers:
        groups[(answer.team or "", *_quarter(answer.day))].append(answer)
    signals = []
    for (team, year, quarter), group in sorted(groups.items()):
        people = {a.employee_id for a in group}
        if len(people) < minimum:
            continue
        lacking = {
            a.employee_id
            for a in group
            if a.value <= threshold
            and a.day + timedelta(days=within_days) < today
            and not _followed_up(by_person[a.employee_id], a.day, within_days)
        }
        if not lacking:
            continue
        signals.append(
            Signal(
                team=team,
                kind="low_wellbeing_no_follow_up",
                year=year,
                quarter=quarter,
                people=len(lacking),
                group_people=len(people),
                evidence=f"{len(lacking)} of {len(people)} people answered {question} at most "
                f"{threshold} and had no conversation held within {within_days} days after",
            )
        )
    return signals


def _low_conversation_quality(records: Records, minimum: int, threshold: float) -> list[Signal]:
    """Teams whose employees, in one quarter, rated their conversations (the check after a
    conversation, :mod:`gesprekscyclus.domain.voice`) at ``threshold`` or below on average
    on any of its scores."""
    groups: defaultdict[tuple[str, int, int], list[VoiceAnswer]] = defaultdict(list)
    for answer in records.voice_answers:
        if answer.team is not None:
            groups[(answer.team, *_quarter(answer.at.date()))].append(answer)
    signals = []
    for (team, year, quarter), group in sorted(groups.items()):
        people = len({answer.employee_id for answer in group})
        if people < minimum:
            continue
        means = {}
        for score in SCORES:
            given = [getattr(a, score) for a in group if getattr(a, score) is not None]
            if given:
                means[score] = fmean(given)
        low = {score: mean for score, mean in means.items() if mean <= threshold}
        if not low:
            continue
        signals.append(
            Signal(
                team=team,
                kind="conversation_quality_low",
                year=year,
                quarter=quarter,
                people=people,
                group_people=people,
                evidence=f"{len(group)} checks after a conversation by {people} people: mean "
                + ", ".join(f"{score} {mean:.2f}" for score, mean in means.items())
                + f" (at most {threshold:g} on "
                + ", ".join(low)
                + ")",
            )
        )
    return signals


def signal_rows(
    records: Records,
    *,
    today: date,
    min_group_size: int = MIN_GROUP_SIZE,
    workload_question: str = "workload",
    leaving_question: str = "considering_leaving",
    wellbeing_question: str = "wellbeing_score",
    low_wellbeing: int = 2,
    follow_up_days: int = 14,
    low_quality: float = 3.0,
) -> list[Signal]:
    """The signals that need action, by kind, team and quarter:

    - ``workload_rising``: a team's mean answer to ``workload_question`` rose in two quarters
      in a row (three shown quarters, each about enough people);
    - ``considering_leaving_repeated``: people who answered yes to ``leaving_question`` in two
      or more conversations within two quarters;
    - ``low_wellbeing_no_follow_up``: people who answered ``wellbeing_question`` at most
      ``low_wellbeing`` and had no conversation held in the ``follow_up_days`` after (only
      once those days have passed on ``today``);
    - ``conversation_quality_low``: in a quarter, a team's employees rated their
      conversations (the employee's check afterwards: felt heard, useful, clear agreements)
      at ``low_quality`` or below on average on one of those scores; a sign that the
      conversations there could use support, never who gave which score.

    A team is only looked at when the people whose answers count number at least
    ``min_group_size``; a signal gives counts, never who.
    """
    minimum = group_size(min_group_size)
    return [
        *_workload_rising(records, minimum, workload_question),
        *_repeated_yes(records, minimum, leaving_question),
        *_low_without_follow_up(
            records, minimum, wellbeing_question, low_wellbeing, follow_up_days, today
        ),
        *_low_conversation_quality(records, minimum, low_quality),
    ]
