"""Cycle health from what the store holds: held on time, missed, signed off, followed through.

The plan says what should happen; the store says what did. :func:`read_records` takes one
snapshot of the store through the administrative path (``service.administration``, whose
reads of confidential and health-related records are written to the access log), and the
functions below turn it into rows with the column names of
:data:`~gesprekscyclus.planning.columns.COLUMNS` (``gesprekscyclus.analysis`` makes
DataFrames of them):

- :func:`conversation_outcomes`: one row per conversation with its ``outcome`` on ``today``
  (see :class:`Outcome`);
- :func:`health_rows`: per group and period, the counts of each outcome, the on-time rate and
  the share held; the counts add up (``planned`` is their sum);
- :func:`missed_rows`: the missed and cancelled conversations per type and reason;
- :func:`sign_off_rows`: reports that need the employee's sign-off: signed, refused,
  awaiting, and the median days from sharing to signing;
- :func:`follow_through_rows`: action items done on time, done late, carried, escalated,
  dropped, open and overdue;
- :func:`poortwachter_rows`: the conversations of health-related types (the Wet verbetering
  poortwachter timeline): held by their legal deadline (``latest``), late, missed, overdue;
- :func:`poortwachter_milestone_rows`: every Poortwachter milestone due by ``today`` of every
  absence case the store's life events give, with whether it was met on time (see
  :data:`MILESTONE_STATUSES`).

These are figures about conversations, not about what was said: they read no answers or
notes, and HR (the organisation's HR contact) may see them for every type (the access
matrix gives HR the ``conversation`` metadata of every sensitivity).

>>> from datetime import date
>>> from gesprekscyclus.domain.conversations import Conversation, Window
>>> talk = Conversation.plan(id="c-1", type_key="check_in", employee_id="e-1",
...     manager_id="m-1", window=Window(date(2027, 1, 1), date(2027, 1, 4), date(2027, 1, 8)))
>>> records = Records(people=(), conversations=(talk,))
>>> [o.outcome.value for o in conversation_outcomes(records, today=date(2027, 1, 20))]
['overdue']
>>> row, = health_rows(conversation_outcomes(records, today=date(2027, 1, 20)), by=("type_key",))
>>> row["planned"], row["overdue"], row["on_time_rate"]
(1, 1, 0.0)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from statistics import median
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from attrs import frozen

from gesprekscyclus.domain._checks import ClosedSet
from gesprekscyclus.domain.absence import (
    Prognosis,
    absence_cases,
    absence_timeline,
    periods_from_events,
)
from gesprekscyclus.domain.action_items import ActionItem, ActionItemAction, ActionItemStatus
from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.conversation_types import Sensitivity
from gesprekscyclus.domain.conversations import Conversation, ConversationAction
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.reports import Report, ReportAction, ReportStatus
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.domain.voice import VoiceAnswer
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.planner.ids import conversation_id

if TYPE_CHECKING:
    from gesprekscyclus.service.app import ConversationService

__all__ = [
    "GROUPINGS",
    "MILESTONE_STATUSES",
    "PERIODS",
    "ConversationOutcome",
    "Outcome",
    "Records",
    "conversation_outcomes",
    "follow_through_rows",
    "health_rows",
    "missed_rows",
    "period_of",
    "poortwachter_milestone_rows",
    "poortwachter_rows",
    "read_records",
    "sign_off_rows",
]

Rows = list[dict[str, Any]]
Period = Literal["month", "quarter", "year"]

#: What a health table may be grouped by.
GROUPINGS = ("team", "manager_id", "type_key", "employee_id")
#: The periods a health table may be split into (of the conversation's target day).
PERIODS = ("month", "quarter", "year")


class Outcome(ClosedSet):
    """Where one conversation stands on the day the health is read.

    - ``held_on_time``: held on a day inside its window;
    - ``held_outside_window``: held, but before its earliest or after its latest day;
    - ``missed``: marked missed (with a reason);
    - ``cancelled``: cancelled (with a reason); it does not count as due;
    - ``overdue``: still open after its latest day;
    - ``open``: still open and its window has not passed.
    """

    HELD_ON_TIME = "held_on_time"
    HELD_OUTSIDE_WINDOW = "held_outside_window"
    MISSED = "missed"
    CANCELLED = "cancelled"
    OVERDUE = "overdue"
    OPEN = "open"


@frozen
class Records:
    """A snapshot of the store: people, and every conversation, report, action item, life
    event and employee's check after a conversation (:mod:`gesprekscyclus.domain.voice`)."""

    people: tuple[Person, ...]
    conversations: tuple[Conversation, ...]
    reports: tuple[Report, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    events: tuple[LifeEvent, ...] = ()
    voice_answers: tuple[VoiceAnswer, ...] = ()


def read_records(service: ConversationService) -> Records:
    """Everything the health and signal tables need, read once through
    ``service.administration`` (so reads of confidential and health-related records are in
    the access log, by ``administration``)."""
    with service.store.unit_of_work() as uow:
        people = tuple(uow.people.all())
        events = tuple(uow.events.all())
        voice = tuple(uow.voice_answers.all())
    admin = service.administration
    conversations: list[Conversation] = []
    reports: list[Report] = []
    items: list[ActionItem] = []
    for person in people:
        conversations += admin.conversations_of(person.id)
        reports += admin.reports_of(person.id)
        items += admin.action_items_of(person.id)
    return Records(people, tuple(conversations), tuple(reports), tuple(items), events, voice)


@frozen
class ConversationOutcome:
    """One conversation's outcome; ``held_on`` is the local day it was held, ``reason`` why
    it was missed or cancelled, ``days_late`` how many days after ``latest`` it was held (or
    is still open on ``today``), else 0."""

    id: str
    employee_id: str
    team: str | None
    manager_id: str | None
    type_key: str
    earliest: date
    target: date
    latest: date
    outcome: Outcome
    held_on: date | None
    reason: str | None
    days_late: int


def _held_on(talk: Conversation) -> date | None:
    instant: datetime | None = talk.held_at
    if instant is None:
        instant = next((t.at for t in talk.history if t.action is ConversationAction.HOLD), None)
    return None if instant is None else instant.astimezone(ZoneInfo(talk.time_zone)).date()


def _reason(talk: Conversation, action: ConversationAction) -> str | None:
    return next((t.reason for t in reversed(talk.history) if t.action is action), None)


def conversation_outcomes(records: Records, *, today: date) -> list[ConversationOutcome]:
    """Each stored conversation's :class:`Outcome` on ``today``, by target, then id."""
    teams = {person.id: person.team for person in records.people}
    rows = []
    for talk in sorted(records.conversations, key=lambda t: (t.window.target, t.id)):
        window = talk.window
        held_on = _held_on(talk) if talk.has_been_held else None
        reason = None
        late = 0
        if held_on is not None:
            outcome = (
                Outcome.HELD_ON_TIME if window.contains(held_on) else Outcome.HELD_OUTSIDE_WINDOW
            )
            late = max((held_on - window.latest).days, 0)
        elif talk.status.value == "missed":
            outcome, reason = Outcome.MISSED, _reason(talk, ConversationAction.MARK_MISSED)
        elif talk.status.value == "cancelled":
            outcome, reason = Outcome.CANCELLED, _reason(talk, ConversationAction.CANCEL)
        elif talk.is_overdue(today):
            outcome, late = Outcome.OVERDUE, (today - window.latest).days
        else:
            outcome = Outcome.OPEN
        rows.append(
            ConversationOutcome(
                id=talk.id,
                employee_id=talk.employee_id,
                team=teams.get(talk.employee_id),
                manager_id=talk.manager_id,
                type_key=talk.type_key,
                earliest=window.earliest,
                target=window.target,
                latest=window.latest,
                outcome=outcome,
                held_on=held_on,
                reason=reason,
                days_late=late,
            )
        )
    return rows


def period_of(day: date, period: Period | str) -> dict[str, Any]:
    """The period columns of ``day``: ``year`` and ``month``, ``quarter`` or nothing more,
    and ``period_start`` (the period's first day).

    >>> period_of(date(2027, 5, 15), "quarter")
    {'year': 2027, 'quarter': 2, 'period_start': datetime.date(2027, 4, 1)}
    """
    if period == "month":
        return {"year": day.year, "month": day.month, "period_start": day.replace(day=1)}
    if period == "quarter":
        quarter = (day.month - 1) // 3 + 1
        return {
            "year": day.year,
            "quarter": quarter,
            "period_start": date(day.year, 3 * quarter - 2, 1),
        }
    if period == "year":
        return {"year": day.year, "period_start": date(day.year, 1, 1)}
    raise InvalidValueError("period", f"unknown period {period!r}", allowed=PERIODS)


def _check_by(by: Sequence[str]) -> tuple[str, ...]:
    if isinstance(by, str):
        by = (by,)
    for name in by:
        if name not in GROUPINGS:
            raise InvalidValueError("by", f"cannot group by {name!r}", allowed=GROUPINGS)
    return tuple(by)


def _grouped(
    things: Iterable[Any],
    by: Sequence[str],
    period: Period | str | None,
    day: Callable[[Any], date],
    group: Callable[[Any, str], Any],
) -> dict[tuple[Any, ...], list[Any]]:
    columns = _check_by(by)
    if period is not None:
        period_of(date(2000, 1, 1), period)  # checks the name
    groups: defaultdict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for thing in things:
        key = tuple(group(thing, name) for name in columns)
        if period is not None:
            key += tuple(period_of(day(thing), period).items())
        groups[key].append(thing)
    return groups


def _key_columns(key: tuple[Any, ...], by: Sequence[str]) -> dict[str, Any]:
    columns = _check_by(by)
    row = dict(zip(columns, key[: len(columns)], strict=True))
    row.update(dict(key[len(columns) :]))
    return row


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """Group keys in order, an empty group value (no team, no manager) first."""
    return tuple(
        v if isinstance(v, tuple) else (v is not None, "" if v is None else v) for v in key
    )


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def health_rows(
    outcomes: Iterable[ConversationOutcome],
    *,
    by: Sequence[str] = ("team",),
    period: Period | str | None = "month",
) -> Rows:
    """Per group (``by``: any of :data:`GROUPINGS`) and ``period`` of the target day: the
    count of every :class:`Outcome`, ``planned`` (their sum), ``held``, ``due`` (held,
    missed or overdue: what should have happened by now), ``on_time_rate`` (held on time /
    due) and ``held_rate`` (held / due), both ``None`` when nothing is due yet.
    """
    groups = _grouped(outcomes, by, period, lambda o: o.target, getattr)
    return [_health_row(key, groups[key], by) for key in sorted(groups, key=_sort_key)]


def _health_row(
    key: tuple[Any, ...], outcomes: Sequence[ConversationOutcome], by: Sequence[str]
) -> dict[str, Any]:
    counts = Counter(o.outcome for o in outcomes)
    held = counts[Outcome.HELD_ON_TIME] + counts[Outcome.HELD_OUTSIDE_WINDOW]
    due = held + counts[Outcome.MISSED] + counts[Outcome.OVERDUE]
    row = _key_columns(key, by)
    row.update({outcome.value: counts[outcome] for outcome in Outcome})
    row.update(
        planned=sum(counts.values()),
        held=held,
        due=due,
        on_time_rate=_rate(counts[Outcome.HELD_ON_TIME], due),
        held_rate=_rate(held, due),
    )
    return row


def missed_rows(outcomes: Iterable[ConversationOutcome]) -> Rows:
    """Per type, outcome (``missed`` or ``cancelled``) and reason: how many conversations,
    most first."""
    counts = Counter(
        (o.type_key, o.outcome.value, o.reason or "")
        for o in outcomes
        if o.outcome in (Outcome.MISSED, Outcome.CANCELLED)
    )
    return [
        {"type_key": type_key, "outcome": outcome, "reason": reason, "conversations": n}
        for (type_key, outcome, reason), n in sorted(
            counts.items(), key=lambda item: (item[0][0], -item[1], item[0][1:])
        )
    ]


def _report_at(report: Report, actions: Iterable[ReportAction]) -> date | None:
    wanted = set(actions)
    return next((t.at.date() for t in report.history if t.action in wanted), None)


_SIGNED = (ReportAction.SIGN_AGREED, ReportAction.SIGN_SEEN)


def sign_off_rows(
    records: Records, *, by: Sequence[str] = ("type_key",), period: Period | str | None = None
) -> Rows:
    """Per group and period (of the conversation's target day), the shared reports that need
    the employee's sign-off: ``reports``, ``signed``, ``refused``, ``awaiting``,
    ``sign_off_rate`` (signed / reports) and ``median_days_to_sign_off`` (from sharing)."""
    talks = {talk.id: talk for talk in records.conversations}
    teams = {person.id: person.team for person in records.people}
    needed = [
        (report, talks[report.conversation_id])
        for report in records.reports
        if report.requires_sign_off
        and report.status is not ReportStatus.DRAFT
        and report.conversation_id in talks
    ]

    def group(pair: tuple[Report, Conversation], name: str) -> Any:
        talk = pair[1]
        return teams.get(talk.employee_id) if name == "team" else getattr(talk, name)

    groups = _grouped(needed, by, period, lambda pair: pair[1].window.target, group)
    rows = []
    for key in sorted(groups, key=_sort_key):
        signed = refused = awaiting = 0
        days: list[int] = []
        for report, _ in groups[key]:
            shared = _report_at(report, (ReportAction.SHARE,))
            signed_on = _report_at(report, _SIGNED)
            if signed_on is not None:
                signed += 1
                if shared is not None:
                    days.append((signed_on - shared).days)
            elif _report_at(report, (ReportAction.REFUSE_SIGN_OFF,)) is not None:
                refused += 1
            else:
                awaiting += 1
        total = signed + refused + awaiting
        row = _key_columns(key, by)
        row.update(
            reports=total,
            signed=signed,
            refused=refused,
            awaiting=awaiting,
            sign_off_rate=_rate(signed, total),
            median_days_to_sign_off=None if not days else float(median(days)),
        )
        rows.append(row)
    return rows


def _completed_on(item: ActionItem) -> date | None:
    return next((t.at.date() for t in item.history if t.action is ActionItemAction.COMPLETE), None)


def follow_through_rows(
    records: Records,
    *,
    today: date,
    by: Sequence[str] = ("team",),
    period: Period | str | None = None,
) -> Rows:
    """Per group and period (of the origin conversation's target day), the action items:
    ``items``, ``done_on_time`` (completed by the due date, or without one), ``done_late``,
    ``dropped``, ``open`` and of those ``open_overdue``; ``carried`` (moved to a later
    conversation at least once), ``escalated``, and ``done_on_time_rate`` (done on time /
    items that are done or past due)."""
    talks = {talk.id: talk for talk in records.conversations}
    teams = {person.id: person.team for person in records.people}

    def group(item: ActionItem, name: str) -> Any:
        if name == "team":
            return teams.get(item.employee_id)
        if name == "type_key":
            origin = talks.get(item.origin_conversation_id)
            return None if origin is None else origin.type_key
        return getattr(item, name)

    def day(item: ActionItem) -> date:
        origin = talks.get(item.origin_conversation_id)
        return origin.window.target if origin is not None else (item.due or today)

    groups = _grouped(records.action_items, by, period, day, group)
    rows = []
    for key in sorted(groups, key=_sort_key):
        counts: Counter[str] = Counter()
        for item in groups[key]:
            counts["items"] += 1
            counts["carried"] += item.carry_count > 0
            counts["escalated"] += item.escalated_to is not None
            if item.status is ActionItemStatus.DONE:
                done = _completed_on(item)
                on_time = item.due is None or done is None or done <= item.due
                counts["done_on_time" if on_time else "done_late"] += 1
            elif item.status is ActionItemStatus.DROPPED:
                counts["dropped"] += 1
            else:
                counts["open"] += 1
                counts["open_overdue"] += item.is_overdue(today)
        row = _key_columns(key, by)
        settled = counts["done_on_time"] + counts["done_late"] + counts["open_overdue"]
        row.update(
            {
                name: counts[name]
                for name in (
                    "items",
                    "done_on_time",
                    "done_late",
                    "dropped",
                    "open",
                    "open_overdue",
                    "carried",
                    "escalated",
                )
            }
        )
        row["done_on_time_rate"] = _rate(counts["done_on_time"], settled)
        rows.append(row)
    return rows


def poortwachter_rows(
    outcomes: Iterable[ConversationOutcome],
    catalog: Catalog,
    *,
    by: Sequence[str] = ("type_key",),
    period: Period | str | None = "quarter",
) -> Rows:
    """:func:`health_rows` for the health-related types only (the absence conversations of
    the Wet verbetering poortwachter, whose ``latest`` day is the legal deadline): a
    conversation held on or before it meets the obligation on time (``met_on_time``); held
    later is ``met_late``. ``on_time_rate`` is met on time / due."""
    health = {
        key
        for key in catalog.keys()  # noqa: SIM118 - a Catalog is not a dict
        if catalog.type(key).sensitivity is Sensitivity.HEALTH_RELATED
    }
    chosen = [o for o in outcomes if o.type_key in health]
    groups = _grouped(chosen, by, period, lambda o: o.target, getattr)
    rows = []
    for key in sorted(groups, key=_sort_key):
        row = _health_row(key, groups[key], by)
        met = sum(1 for o in groups[key] if o.held_on is not None and o.held_on <= o.latest)
        row.update(met_on_time=met, met_late=row["held"] - met, on_time_rate=_rate(met, row["due"]))
        rows.append(row)
    return rows


#: What became of a Poortwachter milestone due by the day asked about:
#: ``met_on_time`` (its conversation held by the due date), ``met_late``, ``missed``,
#: ``overdue`` (its conversation still open after the due date), ``open`` (not yet past
#: its window), ``not_planned`` (no such conversation in the store: planned elsewhere, or
#: not yet materialised) and ``not_recorded`` (an obligation that is no conversation, such
#: as the UWV reports: the store keeps no record of it, so check it in the absence
#: administration).
MILESTONE_STATUSES = (
    "met_on_time",
    "met_late",
    "missed",
    "overdue",
    "open",
    "not_planned",
    "not_recorded",
)


def _milestone_status(talk: Conversation | None, due: date, today: date) -> str:
    if talk is None:
        return "not_planned"
    held = _held_on(talk) if talk.has_been_held else None
    if held is not None:
        return "met_on_time" if held <= due else "met_late"
    if talk.status.value in ("missed", "cancelled"):
        return "missed"
    return "overdue" if due < today else "open"


def poortwachter_milestone_rows(
    records: Records, *, today: date, locale: Locale | str = Locale.NL
) -> Rows:
    """Per person with sick reports, per absence case and milestone due on or before
    ``today``: ``employee_id``, ``case_start``, ``milestone`` (its key), ``title`` (in
    ``locale``), ``basis`` (law, guidance or practice), ``deadline``, ``conversation_id``,
    ``held_on`` and ``status`` (one of :data:`MILESTONE_STATUSES`), by person, then deadline.

    The cases and milestones follow from the stored life events as the planner derives
    them (samentelling, prognoses, the last working day), and a conversation belongs to a
    milestone by the planner's stable id, so nothing is matched by date.
    """
    language = Locale(locale)
    talks = {talk.id: talk for talk in records.conversations}
    people = {person.id: person for person in records.people}
    by_person: defaultdict[str, list[LifeEvent]] = defaultdict(list)
    for event in records.events:
        by_person[event.person_id].append(event)
    rows = []
    for person_id in sorted(by_person):
        events = sorted(by_person[person_id], key=lambda e: (e.on, e.kind.value))
        if not any(event.kind is LifeEventKind.SICK_REPORT for event in events):
            continue
        person = people.get(person_id)
        last_days = [e.on for e in events if e.kind is LifeEventKind.LAST_DAY]
        last_day = min(last_days) if last_days else (person.end_date if person else None)
        prognoses = [
            Prognosis(e.on, long_term_expected=e.detail == "long_term")
            for e in events
            if e.kind is LifeEventKind.PROGNOSIS
        ]
        for case in absence_cases(periods_from_events(events)):
            milestones = absence_timeline(
                case,
                prognosis=[p for p in prognoses if p.recorded_on >= case.first_day],
                last_working_day=last_day,
                until=today,
            )
            for milestone in milestones:
                if milestone.due > today:
                    continue
                talk_id = None
                if milestone.conversation_type is None:
                    status, held = "not_recorded", None
                else:
                    occurrence = f"{case.first_day.isoformat()}:{milestone.key}"
                    talk_id = conversation_id(person_id, milestone.conversation_type, occurrence)
                    talk = talks.get(talk_id)
                    status = _milestone_status(talk, milestone.due, today)
                    held = _held_on(talk) if talk is not None and talk.has_been_held else None
                rows.append(
                    {
                        "employee_id": person_id,
                        "case_start": case.first_day,
                        "milestone": milestone.key,
                        "title": milestone.title.in_(language),
                        "basis": milestone.basis.value,
                        "deadline": milestone.due,
                        "conversation_id": talk_id,
                        "held_on": held,
                        "status": status,
                    }
                )
    return rows
