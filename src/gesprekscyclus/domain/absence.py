"""Sick leave under the Wet verbetering poortwachter: cases, samentelling and the timeline.

The rules below decide dates that employers use for statutory deadlines, so each one is
stated precisely, with where it comes from.

**Sick periods.** A :class:`SickPeriod` runs from its first sick day up to, but not
including, ``recovered_on`` (the first day fully back at work); ``None`` means still sick.
Working part-time or on adapted work while recovering is still sickness: record a recovery
only when the employee is fully back.

**Samentelling** (BW 7:629 lid 10; the same rule applies to the Ziektewet and WIA terms).
Sick periods that follow each other with an interruption of *less than four weeks* are one
case. The interruption of a period is ``next.first_day - recovered_on`` in calendar days
(the days the employee was not sick), so a gap of 27 days joins the periods and a gap of 28
days (exactly four weeks) starts a new case. The days of the interruption do not count:
every later deadline moves by the length of the gap.

**Counting.** Sick day 1 is the first sick day of the case; only sick days are counted,
gaps are skipped. Week *n* is made of counted days ``7n-6`` to ``7n``. "By week *n*" means
by the last day of week *n*; "the week-*n* date" (:func:`date_of_sick_week`) is the first
day after week *n* has been completed. The 104-week date is therefore the first day the
employer no longer owes sick pay: for a first sick day on 2022-01-03 without gaps that is
2022-01-03 + 728 days = 2024-01-01.

>>> from datetime import date
>>> case, = absence_cases([
...     SickPeriod(date(2022, 1, 3), recovered_on=date(2022, 7, 4)),
...     SickPeriod(date(2022, 7, 25)),
... ])
>>> case.gaps
(21,)
>>> date_of_sick_week(case, 104)
datetime.date(2024, 1, 22)
>>> sick_day_number(case, date(2022, 7, 25))
183

Sources: BW 7:629 and 7:658a; Ziektewet art. 38; Wet WIA art. 64; Regeling procesgang
eerste en tweede ziektejaar (BWBR0013540); Staatscourant 2023-13931; UWV employer guides;
rviregister.nl on samentelling (the example above is theirs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Final

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import ClosedSet, field_path, non_blank, shown, typed_fields
from gesprekscyclus.domain.calendar.dutch_holidays import (
    FIRST_YEAR,
    LAST_YEAR,
    is_statutory_working_day,
)
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import Role
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.errors import InvalidValueError

__all__ = [
    "ABSENCE_CONVERSATION",
    "MILESTONE_KEYS",
    "SAMENTELLING_DAYS",
    "VIEWS_REQUIRED_FROM",
    "AbsenceCase",
    "LegalBasis",
    "Milestone",
    "Prognosis",
    "SickPeriod",
    "absence_cases",
    "absence_timeline",
    "bradford_factor",
    "date_of_sick_day",
    "date_of_sick_week",
    "frequent_absence_signals",
    "periods_from_events",
    "sick_day_number",
]

#: Periods whose interruption is shorter than this many days form one case (BW 7:629 lid 10).
SAMENTELLING_DAYS: Final = 28

#: First sick day from which the plan of action records the views of both parties
#: (Staatscourant 2023-13931).
VIEWS_REQUIRED_FROM: Final = date(2023, 7, 1)

#: The conversation type key of the catalog's absence conversations.
ABSENCE_CONVERSATION: Final = "absence"

_WEEK = 7
_ONE_DAY = timedelta(days=1)
_WORKING_DAY_SEARCH = 366

#: The last first day of a sick period whose timeline can be computed: its 104 weeks must
#: end inside the years whose statutory holidays are known (up to ``LAST_YEAR``).
LATEST_SICK_DAY: Final = date(LAST_YEAR - 2, 12, 31)
#: The first first sick day whose timeline can be computed (statutory holidays from 1982).
EARLIEST_SICK_DAY: Final = date(FIRST_YEAR, 1, 1)


class LegalBasis(ClosedSet):
    """How binding a milestone is: the law itself, official guidance, or common practice."""

    LAW = "law"
    GUIDANCE = "guidance"
    PRACTICE = "practice"


# --- periods and cases ------------------------------------------------------------------------


@frozen(field_transformer=typed_fields)
class SickPeriod:
    """One uninterrupted spell of sickness.

    ``recovered_on`` is the first day fully back at work (the period does not include it);
    ``None`` means the employee is still sick.

    >>> SickPeriod(date(2026, 3, 2), recovered_on=date(2026, 3, 5)).days
    3
    """

    first_day: date
    recovered_on: date | None = None

    def __attrs_post_init__(self) -> None:
        if self.recovered_on is not None and self.recovered_on <= self.first_day:
            raise InvalidValueError(
                "SickPeriod.recovered_on",
                f"{self.recovered_on} must lie after the first sick day {self.first_day}",
            )

    @property
    def days(self) -> int | None:
        """Calendar days of sickness, or ``None`` while the period is open."""
        if self.recovered_on is None:
            return None
        return (self.recovered_on - self.first_day).days

    def covers(self, day: date) -> bool:
        """Whether the employee was sick on ``day`` in this period."""
        return self.first_day <= day and (self.recovered_on is None or day < self.recovered_on)


def _check_sequence(
    periods: Sequence[SickPeriod], path: str, position: Sequence[int] | None = None
) -> None:
    """Periods must be in order, must not overlap, and only the last may be open.

    ``position`` maps an index in ``periods`` to the index the caller knows it by.
    """
    for index, period in enumerate(periods):
        where = f"{path}[{index if position is None else position[index]}]"
        if not isinstance(period, SickPeriod):
            raise InvalidValueError(where, f"expected a SickPeriod, got {shown(period)}")
        if index == 0:
            continue
        before = periods[index - 1]
        if before.recovered_on is None:
            raise InvalidValueError(
                where,
                f"starts on {period.first_day} while the period from {before.first_day} is "
                "still open; record the recovery first",
            )
        if period.first_day < before.recovered_on:
            raise InvalidValueError(
                where,
                f"starts on {period.first_day}, before the recovery on {before.recovered_on} "
                f"of the period from {before.first_day} (periods overlap)",
            )


@frozen(field_transformer=typed_fields)
class AbsenceCase:
    """Sick periods that count as one case under samentelling, in date order.

    Build cases with :func:`absence_cases`; the constructor checks that the periods are in
    order, do not overlap, that only the last one is open, and that every interruption is
    shorter than :data:`SAMENTELLING_DAYS`.
    """

    periods: tuple[SickPeriod, ...]

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.periods, tuple) or not self.periods:
            raise InvalidValueError(
                "AbsenceCase.periods", f"must be a non-empty tuple, got {shown(self.periods)}"
            )
        _check_sequence(self.periods, "AbsenceCase.periods")
        for index, gap in enumerate(self.gaps, start=1):
            if gap >= SAMENTELLING_DAYS:
                raise InvalidValueError(
                    f"AbsenceCase.periods[{index}]",
                    f"follows an interruption of {gap} days; {SAMENTELLING_DAYS} days or more "
                    "start a new case (BW 7:629 lid 10)",
                )

    @property
    def first_day(self) -> date:
        """The first sick day of the case (sick day 1)."""
        return self.periods[0].first_day

    @property
    def recovered_on(self) -> date | None:
        """The first day back after the last period, or ``None`` while the case is open."""
        return self.periods[-1].recovered_on

    @property
    def is_open(self) -> bool:
        """Whether the employee is still sick in this case."""
        return self.recovered_on is None

    @property
    def gaps(self) -> tuple[int, ...]:
        """The interruptions between the periods, in calendar days; none of them count."""
        return tuple(
            (later.first_day - earlier.recovered_on).days
            for earlier, later in zip(self.periods, self.periods[1:], strict=False)
            if earlier.recovered_on is not None
        )

    @property
    def sick_days(self) -> int | None:
        """Counted sick days of a closed case; ``None`` while it is open."""
        if self.is_open:
            return None
        return sum(period.days or 0 for period in self.periods)

    def is_sick_on(self, day: date) -> bool:
        """Whether ``day`` is a counted sick day of this case."""
        return any(period.covers(day) for period in self.periods)


def absence_cases(periods: Sequence[SickPeriod]) -> tuple[AbsenceCase, ...]:
    """Group sick periods into cases by samentelling (see the module docstring).

    The periods may come in any order; overlapping periods, or a period that starts while
    an earlier one is still open, raise :class:`~gesprekscyclus.errors.InvalidValueError`
    naming the offending entry as ``periods[i]`` (its index in the input).

    >>> a = SickPeriod(date(2026, 1, 5), recovered_on=date(2026, 1, 12))
    >>> b = SickPeriod(date(2026, 2, 8), recovered_on=date(2026, 2, 10))  # 27 days later
    >>> c = SickPeriod(date(2026, 3, 10))  # 28 days after b: a new case
    >>> [len(case.periods) for case in absence_cases([c, a, b])]
    [2, 1]
    """
    order = sorted(range(len(periods)), key=lambda index: _first_day_of(periods, index))
    ordered = [periods[index] for index in order]
    _check_sequence(ordered, "periods", order)
    cases: list[AbsenceCase] = []
    current: list[SickPeriod] = []
    for period in ordered:
        if current:
            recovered = current[-1].recovered_on
            assert recovered is not None  # guaranteed by _check_sequence
            if (period.first_day - recovered).days >= SAMENTELLING_DAYS:
                cases.append(AbsenceCase(tuple(current)))
                current = []
        current.append(period)
    if current:
        cases.append(AbsenceCase(tuple(current)))
    return tuple(cases)


def _first_day_of(periods: Sequence[SickPeriod], index: int) -> date:
    period = periods[index]
    if not isinstance(period, SickPeriod):
        raise InvalidValueError(f"periods[{index}]", f"expected a SickPeriod, got {shown(period)}")
    return period.first_day


def periods_from_events(events: Sequence[LifeEvent]) -> tuple[SickPeriod, ...]:
    """Sick periods from ``sick_report`` and ``recovery`` events of one person.

    Other kinds of events are ignored. Events are taken in date order; on the same day the
    input order decides (a recovery followed by a new sick report on one day leaves an
    interruption of zero days). A recovery without an open sick report, a sick report while
    one is open, a recovery on the first sick day, or events of more than one person raise
    :class:`~gesprekscyclus.errors.InvalidValueError` naming the event as ``events[i]``.

    >>> ill = LifeEvent(on=date(2026, 1, 5), person_id="e-1", kind="sick_report")
    >>> back = LifeEvent(on=date(2026, 1, 9), person_id="e-1", kind="recovery")
    >>> periods_from_events([ill, back])
    (SickPeriod(first_day=datetime.date(2026, 1, 5), recovered_on=datetime.date(2026, 1, 9)),)
    """
    relevant = [
        (index, event)
        for index, event in enumerate(events)
        if event.kind in (LifeEventKind.SICK_REPORT, LifeEventKind.RECOVERY)
    ]
    relevant.sort(key=lambda item: item[1].on)
    periods: list[SickPeriod] = []
    open_since: date | None = None
    person: str | None = None
    for index, event in relevant:
        where = f"events[{index}]"
        what = f"{event.kind.value} on {event.on}"
        if person is None:
            person = event.person_id
        elif event.person_id != person:
            raise InvalidValueError(
                where, f"{what} is about {event.person_id!r}, the others about {person!r}"
            )
        if event.kind is LifeEventKind.SICK_REPORT:
            if open_since is not None:
                raise InvalidValueError(
                    where, f"{what}: already sick since {open_since}; record the recovery first"
                )
            open_since = event.on
        else:
            if open_since is None:
                raise InvalidValueError(where, f"{what} without an open sick report")
            if event.on <= open_since:
                raise InvalidValueError(
                    where, f"{what} must lie after the first sick day {open_since}"
                )
            periods.append(SickPeriod(open_since, recovered_on=event.on))
            open_since = None
    if open_since is not None:
        periods.append(SickPeriod(open_since))
    return tuple(periods)


# --- counting sick days -----------------------------------------------------------------------


class _Count:
    """Counted sick days of a case; optionally projects the last period as if still open."""

    def __init__(self, case: AbsenceCase, *, project: bool):
        self.segments: list[tuple[int, date, int | None]] = []  # (days before, first, length)
        counted = 0
        for index, period in enumerate(case.periods):
            last = index == len(case.periods) - 1
            length = None if (last and project) else period.days
            self.segments.append((counted, period.first_day, length))
            counted += length or 0
        self.total = None if any(s[2] is None for s in self.segments) else counted

    def date_of(self, number: int) -> date:
        for before, first, length in self.segments:
            if length is None or number <= before + length:
                return first + timedelta(days=number - before - 1)
        raise AssertionError("unreachable: callers check the total")  # pragma: no cover

    def number_of(self, day: date) -> int:
        counted = 0
        for _before, first, length in self.segments:
            if day < first:
                break
            elapsed = (day - first).days + 1
            counted += elapsed if length is None else min(elapsed, length)
        return counted

    def after(self, day: date, days: int) -> date:
        """The date ``days`` counted sick days after ``day`` (gaps skipped)."""
        return self.date_of(self.number_of(day) + days)


def sick_day_number(case: AbsenceCase, day: date) -> int:
    """How many sick days of ``case`` have been counted by the end of ``day``.

    Sick day 1 is the first sick day. Days of an interruption, and days after the case has
    ended, add nothing; a day before the case gives 0.

    >>> case = AbsenceCase((SickPeriod(date(2026, 1, 5), recovered_on=date(2026, 1, 8)),
    ...                     SickPeriod(date(2026, 1, 12)),))
    >>> [sick_day_number(case, date(2026, 1, d)) for d in (4, 5, 7, 8, 11, 12)]
    [0, 1, 3, 3, 3, 4]
    """
    return _Count(case, project=False).number_of(day)


def date_of_sick_day(case: AbsenceCase, number: int) -> date:
    """The date of counted sick day ``number`` (1 = the first sick day).

    For an open case the date is a projection that assumes the sickness continues. A closed
    case has no sick days beyond its own; asking for one raises
    :class:`~gesprekscyclus.errors.InvalidValueError`.
    """
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise InvalidValueError(
            "number", f"must be a whole number of at least 1, got {shown(number)}"
        )
    count = _Count(case, project=False)
    if count.total is not None and number > count.total:
        raise InvalidValueError(
            "number", f"the case ended after {count.total} sick days; day {number} never came"
        )
    return count.date_of(number)


def date_of_sick_week(case: AbsenceCase, week: int) -> date:
    """The first day after ``week`` full weeks of counted sickness.

    That is the day after sick day ``7 * week``: for week 104 the first day without the
    duty to pay wages (see the module docstring).
    """
    if isinstance(week, bool) or not isinstance(week, int) or week < 1:
        raise InvalidValueError("week", f"must be a whole number of at least 1, got {shown(week)}")
    return date_of_sick_day(case, _WEEK * week) + _ONE_DAY


# --- milestones -------------------------------------------------------------------------------


def _roles(value: Iterable[Role | str]) -> tuple[Role, ...]:
    if isinstance(value, str):
        raise InvalidValueError("Milestone.who", "expected a list of roles", allowed=Role)
    return tuple(Role(role) for role in value)


def _not_before_due(instance: Milestone, attribute: attrs.Attribute[Any], value: date) -> None:
    if value is not None and value > instance.due:
        raise InvalidValueError(
            field_path(instance, attribute), f"{value} lies after the due date {instance.due}"
        )


@frozen(field_transformer=typed_fields)
class Milestone:
    """One dated obligation or conversation of an absence case.

    ``key`` identifies it within the case (see :data:`MILESTONE_KEYS`; progress
    conversations are ``progress_1``, ``progress_2`` …). ``due`` is the last day it may
    happen on, ``earliest`` the first sensible day (``None``: no lower bound).
    ``conversation_type`` is the catalog key for conversations (``"absence"``) and ``None``
    for obligations without a conversation, such as a report to UWV. ``conditional`` marks
    milestones that are only required when long-term absence is expected (the problem
    analysis, and what follows from it, before such a prognosis is recorded). ``done_on``
    is the recorded completion date, if any; ``note`` says what the record must contain.
    """

    key: str = field(validator=non_blank)
    title: LocalizedText
    due: date
    earliest: date | None = field(validator=_not_before_due)
    basis: LegalBasis = field(converter=LegalBasis)
    who: tuple[Role, ...] = field(converter=_roles)
    conversation_type: str | None = field(validator=non_blank)
    source: str = field(validator=non_blank)
    conditional: bool = False
    done_on: date | None = None
    note: LocalizedText | None = None


SICK_REPORT = "sick_report"
HEALTH_SERVICE_REPORT = "health_service_report"
PROBLEM_ANALYSIS = "problem_analysis"
PLAN_OF_ACTION = "plan_of_action"
PROGRESS = "progress"
UWV_WEEK_42_REPORT = "uwv_week_42_report"
FIRST_YEAR_EVALUATION = "first_year_evaluation"
LABOUR_EXPERT_ASSESSMENT = "labour_expert_assessment"
UWV_WIA_LETTER = "uwv_wia_letter"
FINAL_EVALUATION = "final_evaluation"
WIA_APPLICATION = "wia_application"
WAGE_PAYMENT_END = "wage_payment_end"
LEAVING_FINAL_EVALUATION = "leaving_final_evaluation"
LEAVING_UWV_REPORT = "leaving_uwv_report"

#: Milestone keys in the order of the law's table; progress conversations are
#: ``progress_<n>`` and rank where ``progress`` stands.
MILESTONE_KEYS: Final = (
    SICK_REPORT,
    HEALTH_SERVICE_REPORT,
    PROBLEM_ANALYSIS,
    PLAN_OF_ACTION,
    PROGRESS,
    UWV_WEEK_42_REPORT,
    FIRST_YEAR_EVALUATION,
    LABOUR_EXPERT_ASSESSMENT,
    UWV_WIA_LETTER,
    FINAL_EVALUATION,
    WIA_APPLICATION,
    WAGE_PAYMENT_END,
    LEAVING_FINAL_EVALUATION,
    LEAVING_UWV_REPORT,
)
_PROGRESS_KEY = re.compile(r"progress_([1-9][0-9]*)")
_RANK = {key: rank for rank, key in enumerate(MILESTONE_KEYS)}


def _rank(key: str) -> int:
    return _RANK[PROGRESS] if _PROGRESS_KEY.fullmatch(key) else _RANK[key]


_T = LocalizedText
_EMPLOYEE, _MANAGER, _HR = Role.EMPLOYEE, Role.MANAGER, Role.HR
_PHYSICIAN, _CASE_MANAGER = Role.OCCUPATIONAL_PHYSICIAN, Role.CASE_MANAGER
_PROCEDURE = "Regeling procesgang eerste en tweede ziektejaar"
_BOTH_VIEWS = _T(
    nl="Leg de zienswijze van werkgever en werknemer allebei vast.",
    en="Record the views of both employer and employee.",
)


@frozen
class _Rule:
    """What a milestone is, apart from its dates."""

    title: LocalizedText
    basis: LegalBasis
    who: tuple[Role, ...]
    conversation: bool
    source: str
    note: LocalizedText | None = None


_RULES: Final = {
    SICK_REPORT: _Rule(
        _T(nl="Ziekmeldingsgesprek", en="Sick report conversation"),
        LegalBasis.PRACTICE,
        (_EMPLOYEE, _MANAGER),
        True,
        "AP-beleidsregels De zieke werknemer (BWBR0037896)",
        _T(
            nl="Alleen de toegestane vragen, nooit diagnose of oorzaak; spreek het volgende "
            "contact af.",
            en="Only the permitted questions, never diagnosis or cause; agree the next contact.",
        ),
    ),
    HEALTH_SERVICE_REPORT: _Rule(
        _T(
            nl="Ziekmelding bij bedrijfsarts of arbodienst",
            en="Report to the occupational health service",
        ),
        LegalBasis.LAW,
        (_MANAGER,),
        False,
        f"Arbowet art. 14; {_PROCEDURE} (tijdig melden)",
    ),
    PROBLEM_ANALYSIS: _Rule(
        _T(nl="Probleemanalyse", en="Problem analysis"),
        LegalBasis.LAW,
        (_PHYSICIAN, _EMPLOYEE),
        True,
        f"{_PROCEDURE} art. 2",
    ),
    PLAN_OF_ACTION: _Rule(
        _T(nl="Plan van aanpak", en="Plan of action"),
        LegalBasis.LAW,
        (_CASE_MANAGER, _EMPLOYEE),
        True,
        f"{_PROCEDURE}; Staatscourant 2023-13931",
    ),
    PROGRESS: _Rule(
        _T(nl="Voortgangsgesprek", en="Progress conversation"),
        LegalBasis.GUIDANCE,
        (_CASE_MANAGER, _EMPLOYEE),
        True,
        f"{_PROCEDURE} (evaluatie); UWV: ten minste elke 6 weken",
    ),
    UWV_WEEK_42_REPORT: _Rule(
        _T(nl="42e-weeksmelding aan UWV", en="42nd-week report to UWV"),
        LegalBasis.LAW,
        (_HR,),
        False,
        "Ziektewet art. 38 lid 1",
    ),
    FIRST_YEAR_EVALUATION: _Rule(
        _T(nl="Eerstejaarsevaluatie", en="First-year evaluation"),
        LegalBasis.LAW,
        (_CASE_MANAGER, _EMPLOYEE),
        True,
        f"{_PROCEDURE} (eerstejaarsevaluatie); venster week 46-52 is praktijk",
        _BOTH_VIEWS,
    ),
    LABOUR_EXPERT_ASSESSMENT: _Rule(
        _T(
            nl="Arbeidsdeskundig onderzoek; tweede spoor als terugkeer niet reëel is",
            en="Labour expert assessment; second track if return is unrealistic",
        ),
        LegalBasis.GUIDANCE,
        (_CASE_MANAGER,),
        False,
        "UWV Werkwijzer Poortwachter",
    ),
    UWV_WIA_LETTER: _Rule(
        _T(nl="WIA-brief van UWV aan de werknemer", en="UWV's WIA letter to the employee"),
        LegalBasis.LAW,
        (_EMPLOYEE,),
        False,
        "Wet WIA art. 64 lid 2",
    ),
    FINAL_EVALUATION: _Rule(
        _T(nl="Eindevaluatie", en="Final evaluation"),
        LegalBasis.GUIDANCE,
        (_CASE_MANAGER, _EMPLOYEE),
        True,
        "UWV Werkwijzer Poortwachter (eindevaluatie, re-integratieverslag)",
        _BOTH_VIEWS,
    ),
    WIA_APPLICATION: _Rule(
        _T(nl="WIA-aanvraag", en="WIA application"),
        LegalBasis.LAW,
        (_EMPLOYEE,),
        False,
        "Wet WIA art. 64 lid 3",
    ),
    WAGE_PAYMENT_END: _Rule(
        _T(
            nl="Einde loondoorbetaling (eerste dag zonder loonplicht)",
            en="End of wage payment (first day without the duty to pay)",
        ),
        LegalBasis.LAW,
        (),
        False,
        "BW 7:629 lid 1",
    ),
    LEAVING_FINAL_EVALUATION: _Rule(
        _T(nl="Eindevaluatie bij ziek uit dienst", en="Final evaluation on leaving while sick"),
        LegalBasis.GUIDANCE,
        (_CASE_MANAGER, _EMPLOYEE),
        True,
        "UWV: eindevaluatie uiterlijk op de laatste dag van het dienstverband",
        _BOTH_VIEWS,
    ),
    LEAVING_UWV_REPORT: _Rule(
        _T(nl="Ziekmelding aan UWV bij ziek uit dienst", en="Report to UWV on leaving while sick"),
        LegalBasis.LAW,
        (_HR,),
        False,
        "Ziektewet art. 38 lid 2",
    ),
}


@frozen(field_transformer=typed_fields)
class Prognosis:
    """Whether long-term absence is expected, as recorded on a date.

    Only the expectation is stored, never a diagnosis or its cause.
    """

    recorded_on: date
    long_term_expected: bool = field(validator=attrs.validators.instance_of(bool))


def _check_arguments(
    case: AbsenceCase,
    prognosis: Sequence[Prognosis],
    last_working_day: date | None,
    progress_interval_weeks: int,
    done: Mapping[str, date],
) -> None:
    first_day = case.first_day
    if first_day < EARLIEST_SICK_DAY:
        raise InvalidValueError(
            "case.first_day",
            f"{first_day} lies before the first year with known statutory holidays "
            f"(first sick days from {EARLIEST_SICK_DAY})",
        )
    last_start = case.periods[-1].first_day
    if last_start > LATEST_SICK_DAY:
        raise InvalidValueError(
            "case.first_day",
            f"a sick period from {last_start} lies too far ahead: its 104 weeks run past the "
            f"last year with known statutory holidays (first sick days up to {LATEST_SICK_DAY})",
        )
    for key, day in done.items():
        if key == PROGRESS or (key not in _RANK and not _PROGRESS_KEY.fullmatch(key)):
            allowed = [k if k != PROGRESS else "progress_<n>" for k in MILESTONE_KEYS]
            raise InvalidValueError(f"done[{key!r}]", "unknown milestone key", allowed=allowed)
        if not isinstance(day, date):
            raise InvalidValueError(f"done[{key!r}]", f"expected a date, got {shown(day)}")
        if day < first_day:
            raise InvalidValueError(
                f"done[{key!r}]", f"{day} lies before the first sick day {first_day}"
            )
        _not_too_late(f"done[{key!r}]", day)
    _whole("progress_interval_weeks", progress_interval_weeks)
    for index, entry in enumerate(prognosis):
        if not isinstance(entry, Prognosis):
            raise InvalidValueError(
                f"prognosis[{index}]", f"expected a Prognosis, got {shown(entry)}"
            )
        if entry.recorded_on < first_day:
            raise InvalidValueError(
                f"prognosis[{index}].recorded_on",
                f"{entry.recorded_on} lies before the first sick day {first_day}",
            )
        _not_too_late(f"prognosis[{index}].recorded_on", entry.recorded_on)
    if last_working_day is not None and last_working_day < first_day:
        raise InvalidValueError(
            "last_working_day", f"{last_working_day} lies before the first sick day {first_day}"
        )


def _not_too_late(path: str, day: date) -> None:
    if day > LATEST_SICK_DAY:
        raise InvalidValueError(
            path, f"{day} lies too far ahead (allowed: up to {LATEST_SICK_DAY})"
        )


def _first_working_day(start: date, is_working_day: Callable[[date], bool]) -> date:
    day = start
    for _ in range(_WORKING_DAY_SEARCH):
        if is_working_day(day):
            return day
        day += _ONE_DAY
    raise InvalidValueError(
        "is_working_day", f"no working day within {_WORKING_DAY_SEARCH} days from {start}"
    )


class _Plan:
    """Collects the milestones of one case while the timeline is derived."""

    def __init__(self, case: AbsenceCase, done: Mapping[str, date]):
        self.count = _Count(case, project=True)
        self.done = done
        self.milestones: list[Milestone] = []

    def day(self, number: int) -> date:
        return self.count.date_of(number)

    def end_of_week(self, week: int) -> date:
        return self.day(_WEEK * week)

    def start_of_week(self, week: int) -> date:
        return self.day(_WEEK * (week - 1) + 1)

    def add(
        self,
        key: str,
        due: date,
        earliest: date | None = None,
        *,
        conditional: bool = False,
        note: LocalizedText | None = None,
    ) -> None:
        number = _PROGRESS_KEY.fullmatch(key)
        rule = _RULES[PROGRESS if number else key]
        title = rule.title
        if number:
            title = _T(nl=f"{title.nl} {number[1]}", en=f"{title.en} {number[1]}")
        self.milestones.append(
            Milestone(
                key=key,
                title=title,
                due=due,
                earliest=earliest,
                basis=rule.basis,
                who=rule.who,
                conversation_type=ABSENCE_CONVERSATION if rule.conversation else None,
                source=rule.source,
                conditional=conditional,
                done_on=self.done.get(key),
                note=note or rule.note,
            )
        )


def absence_timeline(
    case: AbsenceCase,
    *,
    prognosis: Sequence[Prognosis] = (),
    last_working_day: date | None = None,
    until: date | None = None,
    is_working_day: Callable[[date], bool] = is_statutory_working_day,
    progress_interval_weeks: int = 6,
    done: Mapping[str, date] | None = None,
) -> tuple[Milestone, ...]:
    """The Poortwachter milestones of ``case``, ordered by due date, then by the law's table.

    Week numbers are counted sick days (gaps of samentelling skipped), so every milestone
    derived from the first sick day moves by the gaps before it. Offsets from recorded
    dates (``done``: completion date per milestone key) are counted the same way, in sick
    days after that date. The rules, in the table's order:

    - ``sick_report``: day 1 (practice; what may be asked is limited by law).
    - ``health_service_report``: by the end of week 1 (the law asks for "timely"; one
      week is the usual reading).
    - ``problem_analysis``: by the end of week 6 when a prognosis of long-term absence was
      recorded by then; on the day such a prognosis is recorded when that happens later
      (Regeling procesgang art. 2). Without such a prognosis it is planned by the end of
      week 6 and marked ``conditional``.
    - ``plan_of_action``: two weeks after the problem analysis (its ``done`` date, else its
      due date), so by the end of week 8 by default; conditional with the analysis. From
      first sick day 2023-07-01 on, the plan records both parties' views (``note``).
    - ``progress_<n>``: ``progress_interval_weeks`` after the plan of action or the
      previous progress conversation (held date, else due date) while the case lasts, up
      to the week-104 date.
    - ``uwv_week_42_report``: the first working day (``is_working_day``) on or after the
      first day after week 42 (Ziektewet art. 38 lid 1); earliest the first day of week 42.
      By default the working days of a statutory deadline
      (:func:`~gesprekscyclus.domain.calendar.is_statutory_working_day`: Monday to Friday
      without the Algemene termijnenwet holidays, Good Friday and 5 May every year), never
      the company's day-off policy: a report due on Christmas Day moves to 28 December.
    - ``first_year_evaluation``: from the first day of week 46 to the last day of week 52,
      both inclusive (the window is practice).
    - ``labour_expert_assessment``: by the end of week 52 (guidance).
    - ``uwv_wia_letter``: during week 88 (Wet WIA art. 64 lid 2).
    - ``final_evaluation``: by the end of week 91, two weeks before the application
      (guidance).
    - ``wia_application``: from week 88 to the end of week 93, eleven weeks before the end
      of the waiting time (Wet WIA art. 64 lid 3).
    - ``wage_payment_end``: the first day after week 104 (BW 7:629 lid 1).
    - ``last_working_day`` on a sick day: ``leaving_uwv_report`` and, once a plan of action
      is due or done by then, ``leaving_final_evaluation``, both due on that day.

    Nothing is listed that is due after ``until``, after ``last_working_day``, or on or
    after the day a closed case recovered. ``prognosis`` entries and ``done`` dates before
    the first sick day are rejected.

    >>> case, = absence_cases([SickPeriod(date(2026, 1, 5))])
    >>> plan = absence_timeline(case, prognosis=[Prognosis(date(2026, 1, 20), True)],
    ...                         until=date(2026, 4, 1))
    >>> [(m.key, m.due.isoformat()) for m in plan]
    [('sick_report', '2026-01-05'), ('health_service_report', '2026-01-11'),
     ('problem_analysis', '2026-02-15'), ('plan_of_action', '2026-03-01')]
    """
    done = dict(done or {})
    _check_arguments(case, prognosis, last_working_day, progress_interval_weeks, done)
    plan = _Plan(case, done)
    plan.add(SICK_REPORT, plan.day(1), plan.day(1))
    plan.add(HEALTH_SERVICE_REPORT, plan.end_of_week(1), plan.day(1))

    # The problem analysis follows the first prognosis that expects long-term absence.
    week_6 = plan.end_of_week(6)
    expected = sorted(entry.recorded_on for entry in prognosis if entry.long_term_expected)
    conditional = not expected
    analysis_due = week_6 if conditional else max(week_6, expected[0])
    plan.add(PROBLEM_ANALYSIS, analysis_due, conditional=conditional)
    analysis = done.get(PROBLEM_ANALYSIS, analysis_due)
    plan_due = plan.count.after(analysis, 2 * _WEEK)
    views = _BOTH_VIEWS if case.first_day >= VIEWS_REQUIRED_FROM else None
    plan.add(PLAN_OF_ACTION, plan_due, analysis, conditional=conditional, note=views)

    wage_end = plan.end_of_week(104) + _ONE_DAY
    horizon = [wage_end - _ONE_DAY]
    horizon += [day for day in (until, last_working_day) if day is not None]
    if case.recovered_on is not None:
        horizon.append(case.recovered_on - _ONE_DAY)
    reference, number = done.get(PLAN_OF_ACTION, plan_due), 1
    while (due := plan.count.after(reference, _WEEK * progress_interval_weeks)) <= min(horizon):
        key = f"{PROGRESS}_{number}"
        plan.add(key, due, conditional=conditional)
        reference, number = done.get(key, due), number + 1

    week_42 = _first_working_day(plan.end_of_week(42) + _ONE_DAY, is_working_day)
    plan.add(UWV_WEEK_42_REPORT, week_42, plan.start_of_week(42))
    plan.add(FIRST_YEAR_EVALUATION, plan.end_of_week(52), plan.start_of_week(46))
    plan.add(LABOUR_EXPERT_ASSESSMENT, plan.end_of_week(52))
    plan.add(UWV_WIA_LETTER, plan.end_of_week(88), plan.start_of_week(88))
    plan.add(FINAL_EVALUATION, plan.end_of_week(91))
    plan.add(WIA_APPLICATION, plan.end_of_week(93), plan.start_of_week(88))
    plan.add(WAGE_PAYMENT_END, wage_end)

    if last_working_day is not None and case.is_sick_on(last_working_day):
        if PLAN_OF_ACTION in done or plan_due <= last_working_day:
            plan.add(LEAVING_FINAL_EVALUATION, last_working_day, conditional=conditional)
        plan.add(LEAVING_UWV_REPORT, last_working_day)

    kept = [
        milestone
        for milestone in plan.milestones
        if (until is None or milestone.due <= until)
        and (last_working_day is None or milestone.due <= last_working_day)
        and (case.recovered_on is None or milestone.due < case.recovered_on)
    ]
    kept.sort(key=lambda milestone: (milestone.due, _rank(milestone.key)))
    return tuple(kept)


# --- frequent absence -------------------------------------------------------------------------


def _ordered(periods: Sequence[SickPeriod]) -> list[SickPeriod]:
    order = sorted(range(len(periods)), key=lambda index: _first_day_of(periods, index))
    ordered = [periods[index] for index in order]
    _check_sequence(ordered, "periods", order)
    return ordered


def _whole(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(name, f"must be a whole number of at least 1, got {shown(value)}")


def frequent_absence_signals(
    periods: Sequence[SickPeriod], *, count: int = 3, window_days: int = 365
) -> tuple[date, ...]:
    """The first sick days that bring the number of sick reports to ``count`` or more.

    Each sick period is one sick report, samentelling or not. A report on day *d* counts
    the reports whose first sick day lies in the ``window_days`` days ending on *d*
    (*d* included). Every report at or beyond ``count`` within its window signals, so a
    fourth report within the window signals again. This is practice, not law: there is no
    legal definition of frequent absence, and the defaults (3 within 12 months) are a
    common choice. Only dates go in; the reason for being sick never does.

    >>> spells = [SickPeriod(date(2026, m, 2), recovered_on=date(2026, m, 4)) for m in (1, 5, 9)]
    >>> frequent_absence_signals(spells)
    (datetime.date(2026, 9, 2),)
    """
    _whole("count", count)
    _whole("window_days", window_days)
    starts = [period.first_day for period in _ordered(periods)]
    signals: list[date] = []
    oldest = 0
    for index, start in enumerate(starts):
        while (start - starts[oldest]).days >= window_days:
            oldest += 1
        if index - oldest + 1 >= count:
            signals.append(start)
    return tuple(signals)


def bradford_factor(periods: Sequence[SickPeriod], *, on: date, window_weeks: int = 52) -> int:
    """The Bradford factor S² × D over the ``window_weeks`` weeks ending on ``on``.

    S is the number of sick periods with at least one sick day in the window, D the
    number of *calendar* days of sickness inside it (periods are clipped to the window;
    an open period counts up to and including ``on``). The window is the
    ``7 * window_weeks`` days ending on ``on`` inclusive. Periods starting after ``on``
    are ignored.

    >>> spells = [SickPeriod(date(2026, 2, 2), recovered_on=date(2026, 2, 5)),
    ...           SickPeriod(date(2026, 6, 1), recovered_on=date(2026, 6, 3))]
    >>> bradford_factor(spells, on=date(2026, 12, 31))  # 2 spells, 3 + 2 days
    20
    """
    _whole("window_weeks", window_weeks)
    start = on - timedelta(days=_WEEK * window_weeks - 1)
    spells = 0
    days = 0
    for period in _ordered(periods):
        last = on if period.recovered_on is None else min(on, period.recovered_on - _ONE_DAY)
        first = max(start, period.first_day)
        if first <= last:
            spells += 1
            days += (last - first).days + 1
    return spells * spells * days
