"""Erasure (AVG art. 17), access export (AVG art. 15) and retention purges.

Each function takes a unit of work and does all of its work inside it, so a failure leaves
the store as it was. :class:`~gesprekscyclus.service.app.ConversationService` wraps them
(``erase_person``, ``export_person``, ``purge``) and compacts the store afterwards.

**Erasure** removes everything about the person: the person, their life events and absence
records, the conversations they are the employee of with their answers, notes, reports and
action items, and every outbox message, sent or not, that names them or those
conversations. In other people's records they took part in (a manager in the reviews of
the people they manage, HR in an exit interview) their id is replaced by a placeholder
(:func:`~gesprekscyclus.domain.pseudonyms.placeholder_for`) and their private notes go; the
shared content stays, as it belongs to the other person's file. Erasure is refused, with
:class:`~gesprekscyclus.errors.ErasureRefusedError` naming the obligation, while the law
obliges the employer to keep the records (:func:`legal_holds`), and with a
:class:`~gesprekscyclus.errors.ConflictError` while people still have the person as their
manager.

**Purging** removes what the design's retention periods no longer allow to keep
(:mod:`gesprekscyclus.planning.design`): leavers (as erasure) once ``after_exit_years`` have
passed, conversations per type, the occupational physician's advice after the case,
sent messages and dead letters after ``outbox_days``, and the logs in :data:`PERSONAL_LOGS`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import MAXYEAR, MINYEAR, UTC, date, datetime, timedelta
from typing import Any, Final

import attrs
from attrs import field, frozen

from gesprekscyclus.domain._checks import checked_arguments, require_reason
from gesprekscyclus.domain.absence import AbsenceCase, absence_cases, periods_from_events
from gesprekscyclus.domain.absence_records import (
    AbsenceRecord,
    OccupationalHealthAdvice,
    record_class,
)
from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.conversation_types import Sensitivity
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.events import LifeEvent
from gesprekscyclus.domain.pseudonyms import placeholder_for, replace_person
from gesprekscyclus.domain.reports import ReportStatus
from gesprekscyclus.domain.state_changes import Aggregate
from gesprekscyclus.errors import (
    ConflictError,
    ErasureRefusedError,
    HealthDataError,
    InvalidValueError,
    SerializationError,
)
from gesprekscyclus.planning.design import (
    CycleDesign,
    Retention,
    RetentionPolicy,
    RetentionStart,
    default_retention,
)
from gesprekscyclus.ports.notifier import Notification
from gesprekscyclus.ports.store import UnitOfWork, aware_utc, version_of
from gesprekscyclus.serialization import from_data, storage_data, to_data
from gesprekscyclus.service.events import NO_STATE_CHANGES, StateChanges

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "PERSONAL_LOGS",
    "ErasureReport",
    "PersonalLog",
    "PurgeReport",
    "Removed",
    "absence_record_from_data",
    "add_years",
    "erase_person",
    "export_person",
    "legal_holds",
    "purge",
]

#: The ``format`` of :func:`export_person`'s document (see docs/privacy.md).
EXPORT_FORMAT: Final = "gesprekscyclus.person-export"
#: The ``version`` of :func:`export_person`'s document, raised when its layout changes.
EXPORT_VERSION: Final = 1


@frozen
class PersonalLog:
    """A repository of per-person log rows outside the aggregates (the access log).

    ``name`` is its attribute on the unit of work, which offers
    ``delete_for_person(person_id) -> int`` and ``delete_before(instant) -> int``;
    ``retention_days`` picks its period from the design's policy; ``export`` (optional)
    returns the person's rows as JSON-compatible data for the access export.
    """

    name: str
    retention_days: Callable[[RetentionPolicy], int]
    export: Callable[[Any, str], list[Any]] | None = None


def _access_log_rows(log: Any, person_id: str) -> list[Any]:
    """Who read the person's confidential and health-related records, then what they read
    of other people's, oldest first."""
    about = log.about(person_id)
    read = [entry for entry in log.by_reader(person_id) if entry.subject_id != person_id]
    return [to_data(entry) for entry in (*about, *read)]


#: The logs erasure and purging also clear; a new one joins with one entry here.
PERSONAL_LOGS: tuple[PersonalLog, ...] = (
    PersonalLog("access_log", lambda policy: policy.access_log_days, export=_access_log_rows),
)

#: The kinds of removed rows, in report order (``outbox_payloads``: sent messages whose
#: payload was redacted; the rows stay so that their keys keep them from being sent again).
KINDS: Final = (
    "people",
    "life_events",
    "absence_records",
    "conversations",
    "reports",
    "action_items",
    "outbox_messages",
    "outbox_payloads",
    "voice_answers",
)


@frozen
class Removed:
    """Rows removed per kind (:data:`KINDS`, then the logs), and how many records of other
    people had the person replaced by a placeholder."""

    counts: tuple[tuple[str, int], ...] = ()
    pseudonymised: int = 0

    @classmethod
    def of(cls, counter: Mapping[str, int], pseudonymised: int = 0) -> Removed:
        """From a counter; every kind of :data:`KINDS` appears, logs when present."""
        names = list(KINDS) + sorted(set(counter) - set(KINDS))
        return cls(tuple((name, counter.get(name, 0)) for name in names), pseudonymised)

    def __getitem__(self, kind: str) -> int:
        return dict(self.counts).get(kind, 0)

    @property
    def total(self) -> int:
        """All removed rows."""
        return sum(count for _kind, count in self.counts)


@frozen
class ErasureReport:
    """What :func:`erase_person` removed, and why it was asked for.

    ``compacted`` says whether the store's files were compacted afterwards; when not,
    ``compact_problem`` says why, and the removed data may linger in the files until the
    next compaction (``gesprekscyclus purge --compact``).
    """

    person_id: str
    reason: str
    at: datetime
    removed: Removed
    compacted: bool = False
    compact_problem: str | None = None


@frozen
class PurgeReport:
    """What :func:`purge` removed (or would remove, with ``dry_run``) at ``at``; ``kept``
    explains each leaver whose retention ended but who had to stay. ``compacted`` and
    ``compact_problem`` as for :class:`ErasureReport`."""

    at: datetime
    dry_run: bool
    removed: Removed
    kept: tuple[str, ...] = field(default=())
    compacted: bool = False
    compact_problem: str | None = None


def add_years(day: date, years: int) -> date:
    """``day`` moved ``years`` calendar years on; 29 February becomes 28 February. A day
    beyond the calendar (before year 1 or after 9999) is its first or last day, which every
    comparison with a representable day answers the same way.

    >>> add_years(date(2024, 2, 29), 2)
    datetime.date(2026, 2, 28)
    >>> add_years(date(3, 6, 1), -7), add_years(date(9990, 6, 1), 10)
    (datetime.date(1, 1, 1), datetime.date(9999, 12, 31))
    """
    year = day.year + years
    if year < MINYEAR:
        return date.min
    if year > MAXYEAR:
        return date.max
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def _days_before(now: datetime, days: int) -> datetime:
    """``now`` less ``days`` days, or the first instant there is when that lies before it."""
    try:
        return now - timedelta(days=days)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC)


def _cases(events: Iterable[LifeEvent]) -> tuple[AbsenceCase, ...]:
    return absence_cases(periods_from_events(list(events)))


def legal_holds(events: Iterable[LifeEvent]) -> list[str]:
    """The obligations that keep a person's records from being erased now, as sentences.

    While an absence case is open the employer must keep the re-integration file: UWV
    judges the re-integration effort on it when the employee applies for WIA, and can
    extend the wage payment when it is missing (BW 7:629 lid 11, Wet WIA art. 25 and 65,
    Regeling procesgang eerste en tweede ziektejaar).

    >>> legal_holds([LifeEvent(on=date(2026, 3, 2), person_id="e-1", kind="sick_report")])[0]
    'an absence case has been open since 2026-03-02: the re-integration file must be kept \
for UWV until the case ends (BW 7:629 lid 11, Wet WIA art. 25 and 65, Regeling procesgang)'
    """
    try:
        cases = _cases(events)
    except InvalidValueError as error:
        # Without valid periods no one can tell whether a case is open: keep, and say why.
        return [
            f"its sick reports and recoveries do not form valid periods ({error}); correct"
            " them to show whether an absence case is still open"
        ]
    holds: list[str] = []
    for case in cases:
        if case.is_open:
            holds.append(
                f"an absence case has been open since {case.first_day.isoformat()}: the"
                " re-integration file must be kept for UWV until the case ends (BW 7:629"
                " lid 11, Wet WIA art. 25 and 65, Regeling procesgang)"
            )
    return holds


def _streams(conversation_ids: Iterable[str], item_ids: Iterable[str]) -> list[str]:
    """The state-change streams of these conversations (and their reports) and items."""
    per_conversation = (Aggregate.CONVERSATION, Aggregate.REPORT)
    return [
        *(f"{kind.value}/{talk_id}" for talk_id in conversation_ids for kind in per_conversation),
        *(f"{Aggregate.ACTION_ITEM.value}/{item_id}" for item_id in item_ids),
    ]


def _clear_outbox(
    uow: UnitOfWork, person_id: str, gone: set[str], placeholder: str, counter: Counter[str]
) -> int:
    """Delete the messages to or about what is ``gone`` (state changes of their records
    included); drop ``person_id`` from the others; returns how many were rewritten."""
    rewritten = 0
    doomed: list[int] = []
    for message in uow.outbox.mentioning(gone):
        notification = message.notification
        if notification is None:  # cannot be rewritten without them: it goes
            doomed.append(message.id)
            continue
        about = {notification.recipient.id}
        if notification.event is not None:  # a state change about them or their records
            change = notification.event
            named = (change.aggregate_id, change.employee_id, change.conversation_id)
            about.update(name for name in named if name is not None)
        if notification.conversation is not None:
            about.add(notification.conversation.id)
        if notification.action_item is not None:
            about.add(notification.action_item.id)
        if about & gone:
            doomed.append(message.id)  # to them, or about their own records: no longer due
        else:  # someone else's reminder that lists them: keep its key, drop them from it
            uow.outbox.rewrite(message.id, _without(notification, person_id, placeholder))
            rewritten += 1
    counter["outbox_messages"] += uow.outbox.delete(doomed)
    return rewritten


def _remove_person(
    uow: UnitOfWork, person_id: str, counter: Counter[str], at: datetime, changes: StateChanges
) -> int:
    """Remove everything about ``person_id`` and pseudonymise them elsewhere, then write the
    ``person.erased`` state change (the one trace left, so that applications mirroring the
    store remove them too); returns how many records of others were rewritten. No checks:
    the callers make them."""
    placeholder = placeholder_for(person_id)
    rewritten = 0
    own = uow.conversations.by_employee(person_id)
    own_ids = {talk.id for talk in own}
    items = {item.id: item for item in uow.action_items.from_conversations(own_ids)}
    removed_items: set[str] = set(items)
    for item in uow.action_items.mentioning(person_id):
        if item.employee_id == person_id or item.id in items:
            removed_items.add(item.id)
        else:
            uow.action_items.update(
                replace_person(item, person_id, placeholder), expected_version=version_of(item)
            )
            rewritten += 1
    counter["action_items"] += uow.action_items.delete(removed_items)
    own_reports = {report.conversation_id for report in uow.reports.for_employee(person_id)}
    for report in uow.reports.mentioning(person_id):
        if report.conversation_id in own_ids or report.conversation_id in own_reports:
            continue
        uow.reports.update(
            replace_person(report, person_id, placeholder), expected_version=version_of(report)
        )
        rewritten += 1
    counter["reports"] += uow.reports.delete(own_ids | own_reports)
    for talk in uow.conversations.mentioning(person_id):
        if talk.id in own_ids:
            continue
        uow.conversations.update(
            replace_person(talk, person_id, placeholder), expected_version=version_of(talk)
        )
        rewritten += 1
    counter["conversations"] += uow.conversations.delete(own_ids)
    gone = {person_id, *own_ids, *removed_items}
    rewritten += _clear_outbox(uow, person_id, gone, placeholder, counter)
    uow.outbox.forget_sequences(_streams(own_ids | own_reports, removed_items))
    changes.erased(uow, person_id, at)
    for event in uow.events.naming(person_id):
        uow.events.replace(replace_person(event, person_id, placeholder))
        rewritten += 1
    counter["life_events"] += uow.events.delete_for_person(person_id)
    counter["absence_records"] += uow.absence_records.delete_for_person(person_id)
    # Their own checks go; checks others gave about a conversation they led keep counting
    # in aggregates, with the placeholder as manager.
    counter["voice_answers"] += uow.voice_answers.delete_for_person(person_id)
    counter["voice_answers"] += uow.voice_answers.delete(own_ids)
    rewritten += uow.voice_answers.replace_manager(person_id, placeholder)
    counter["people"] += int(uow.people.delete(person_id))
    for log in PERSONAL_LOGS:
        counter[log.name] += getattr(uow, log.name).delete_for_person(person_id)
    return rewritten


def _without(notification: Notification, person_id: str, placeholder: str) -> Notification:
    """``notification`` (to someone else, about someone else's conversation) without the
    erased person: left out of the participants, their name replaced where they led it."""
    talk = notification.conversation
    if talk is not None:
        talk = attrs.evolve(
            talk,
            participants=tuple(p for p in talk.participants if p.id != person_id),
            manager_name=placeholder if talk.manager_id == person_id else talk.manager_name,
        )
    return replace_person(attrs.evolve(notification, conversation=talk), person_id, placeholder)


def _managed_by(uow: UnitOfWork, person_id: str) -> list[str]:
    return [person.id for person in uow.people.all() if person.manager_id == person_id]


@checked_arguments
def erase_person(
    uow: UnitOfWork,
    person_id: str,
    *,
    reason: str,
    at: datetime,
    changes: StateChanges = NO_STATE_CHANGES,
) -> ErasureReport:
    """Erase ``person_id`` (see the module docstring); ``reason`` records the request and
    ``changes`` gets the ``person.erased`` state change."""
    require_reason(reason)
    at = aware_utc(at, "at")
    uow.people.get(person_id)
    holds = legal_holds(uow.events.for_person(person_id))
    if holds:
        raise ErasureRefusedError(person_id, holds)
    managed = _managed_by(uow, person_id)
    if managed:
        raise ConflictError(
            f"person {person_id!r} is still the manager of {', '.join(managed)}:"
            " give them another manager first (change_manager), then erase"
        )
    counter: Counter[str] = Counter()
    rewritten = _remove_person(uow, person_id, counter, at, changes)
    return ErasureReport(person_id, reason, at, Removed.of(counter, rewritten))


# --- retention ----------------------------------------------------------------------------


def _case_end(cases: tuple[AbsenceCase, ...], day: date) -> date | None:
    """The end of the case ``day`` belongs to (the latest one begun by then), if ended."""
    begun = [case for case in cases if case.first_day <= day]
    if not begun:
        return None
    return begun[-1].recovered_on


def _remove_conversations(uow: UnitOfWork, ids: set[str], counter: Counter[str]) -> None:
    if not ids:
        return
    items = {item.id for item in uow.action_items.from_conversations(ids)}
    counter["action_items"] += uow.action_items.delete(items)
    counter["reports"] += uow.reports.delete(ids)
    counter["voice_answers"] += uow.voice_answers.delete(ids)
    counter["conversations"] += uow.conversations.delete(ids)
    messages = uow.outbox.mentioning([*ids, *items])
    counter["outbox_messages"] += uow.outbox.delete(message.id for message in messages)
    uow.outbox.forget_sequences(_streams(ids, items))


def _purge_all(
    uow: UnitOfWork, design: CycleDesign, catalog: Catalog, now: datetime, changes: StateChanges
) -> tuple[Counter[str], int, list[str]]:
    policy = design.retention
    today = now.date()
    counter: Counter[str] = Counter()
    rewritten = 0
    kept: list[str] = []
    for person in uow.people.left_before(
        add_years(today, -policy.after_exit_years) + timedelta(days=1)
    ):
        if person.end_date is None or add_years(person.end_date, policy.after_exit_years) > today:
            continue
        holds = legal_holds(uow.events.for_person(person.id))
        managed = _managed_by(uow, person.id)
        if holds or managed:
            why = holds + ([f"still the manager of {', '.join(managed)}"] if managed else [])
            kept.append(f"{person.id}: " + "; ".join(why))
            continue
        rewritten += _remove_person(uow, person.id, counter, now, changes)
    cases: dict[str, tuple[AbsenceCase, ...]] = {}

    def cases_of(person_id: str) -> tuple[AbsenceCase, ...]:
        if person_id not in cases:
            try:
                cases[person_id] = _cases(uow.events.for_person(person_id))
            except InvalidValueError:
                cases[person_id] = ()  # no known case end: nothing of it is due yet
        return cases[person_id]

    # A conversation can only be due once its own date lies the shortest period back.
    shortest = min(
        [design.retention_for(key, catalog).years for key in design.type_keys]
        + [default_retention("", sensitivity).years for sensitivity in Sensitivity]
    )
    due: list[str] = []
    rules: dict[str, Retention] = {}
    for past in uow.conversations.ended_before(add_years(today, -shortest) + timedelta(days=1)):
        retention = rules.get(past.type_key)
        if retention is None:
            retention = rules[past.type_key] = design.retention_for(past.type_key, catalog)
        if retention.after is RetentionStart.HELD:
            start: date | None = past.target
        elif retention.after is RetentionStart.CASE_END:
            start = _case_end(cases_of(past.employee_id), past.target)
        else:
            continue  # kept until the person's own retention after exit
        if start is not None and add_years(start, retention.years) <= today:
            due.append(past.id)
    _remove_conversations(uow, set(due), counter)
    for person_id in uow.absence_records.people():
        for record in uow.absence_records.for_person(person_id):
            if not isinstance(record, OccupationalHealthAdvice):
                continue  # the employer's own facts stay until after exit
            end = _case_end(cases_of(person_id), record.on)
            if end is not None and add_years(end, policy.reintegration_years) <= today:
                counter["absence_records"] += int(uow.absence_records.delete(record))
    limit = _days_before(now, policy.outbox_days)
    counter["outbox_payloads"] += uow.outbox.redact_sent_before(limit)
    counter["outbox_messages"] += uow.outbox.delete_dead_before(limit)
    for log in PERSONAL_LOGS:
        limit = _days_before(now, log.retention_days(policy))
        counter[log.name] += getattr(uow, log.name).delete_before(limit)
    return counter, rewritten, kept


class _DryRunError(Exception):
    """Raised inside the unit of work of a dry run so that it rolls back."""


@checked_arguments
def purge(
    unit_of_work: Callable[[], Any],
    design: CycleDesign,
    catalog: Catalog,
    now: datetime,
    *,
    dry_run: bool = False,
    changes: StateChanges = NO_STATE_CHANGES,
) -> PurgeReport:
    """Remove what the design's retention periods no longer allow to keep at ``now``.

    ``unit_of_work`` opens one (``store.unit_of_work``). With ``dry_run`` everything is
    done and counted, then rolled back, so the counts are exactly what a real run removes.
    A person removed writes ``person.erased`` to ``changes``.
    """
    now = aware_utc(now, "now")
    outcome: tuple[Counter[str], int, list[str]] | None = None
    try:
        with unit_of_work() as uow:
            outcome = _purge_all(uow, design, catalog, now, changes)
            if dry_run:
                raise _DryRunError
    except _DryRunError:
        pass
    assert outcome is not None
    counter, rewritten, kept = outcome
    return PurgeReport(now, dry_run, Removed.of(counter, rewritten), tuple(kept))


# --- access export ------------------------------------------------------------------------


def _conversation_data(talk: Conversation, person_id: str) -> dict[str, Any]:
    data: dict[str, Any] = to_data(talk)
    data.pop("_notes", None)
    data.pop("notes", None)
    held = talk.status not in (ConversationStatus.PLANNED, ConversationStatus.SCHEDULED)
    data["answers"] = [
        to_data(answer) for answer in talk.answers if held or answer.author_id == person_id
    ]
    data["notes"] = [
        storage_data(note)  # their own private notes too: the export is theirs to read
        for note in talk._notes  # the export is an administrative path
        if note.author_id == person_id or not note.private
    ]
    return data


def _record_data(record: AbsenceRecord) -> dict[str, Any]:
    return {"kind": record.KIND, **to_data(record)}


@checked_arguments
def export_person(uow: UnitOfWork, person_id: str, *, at: datetime) -> dict[str, Any]:
    """Everything stored about ``person_id`` as one JSON-compatible document.

    The layout (``format`` :data:`EXPORT_FORMAT`, ``version`` :data:`EXPORT_VERSION`) is
    described in docs/privacy.md. Conversations, reports and action items are every one
    that names the person; notes are those they wrote or that are shared, answers their
    own and, once a conversation has been held, the other side's; reports once shared;
    messages those addressed to them.
    """
    person = uow.people.get(person_id)
    reports = [
        to_data(report)
        for report in uow.reports.mentioning(person_id)
        if report.status is not ReportStatus.DRAFT
    ]
    messages = [
        {
            "key": message.key,
            "status": message.status.value,
            "due_at": message.due_at.isoformat(),
            "attempts": message.attempts,
            "notification": None if message.notification is None else to_data(message.notification),
        }
        for message in uow.outbox.mentioning([person_id])
        if message.notification is None or message.notification.recipient.id == person_id
    ]
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": aware_utc(at, "at").isoformat(),
        "person": to_data(person),
        "life_events": [to_data(event) for event in uow.events.for_person(person_id)],
        "absence_records": [
            _record_data(record) for record in uow.absence_records.for_person(person_id)
        ],
        "conversations": [
            _conversation_data(talk, person_id) for talk in uow.conversations.mentioning(person_id)
        ],
        "reports": reports,
        "action_items": [to_data(item) for item in uow.action_items.mentioning(person_id)],
        "messages": messages,
        # The checks they gave; those others gave about them are others' answers.
        "voice_answers": [
            to_data(answer)
            for answer in uow.voice_answers.mentioning(person_id)
            if answer.employee_id == person_id
        ],
    }
    for log in PERSONAL_LOGS:
        if log.export is not None:
            document[log.name] = log.export(getattr(uow, log.name), person_id)
    return document


# --- input --------------------------------------------------------------------------------


def _health_cause(error: BaseException) -> HealthDataError | None:
    seen: set[int] = set()
    stack: list[BaseException] = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, HealthDataError):
            return current
        stack.extend(getattr(current, "exceptions", ()))
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)
    return None


def absence_record_from_data(data: Mapping[str, Any]) -> AbsenceRecord:
    """An absence record from JSON-like data with a ``kind`` key (``sick_report`` or
    ``occupational_health_advice``), strictly: unknown keys are refused, and keys or texts
    that would record medical content raise :class:`~gesprekscyclus.errors.HealthDataError`
    saying why.

    >>> absence_record_from_data({"kind": "sick_report", "person_id": "e-1",
    ...     "first_sick_day": "2026-03-02", "safety_net": False}).safety_net
    False
    >>> absence_record_from_data({"kind": "sick_report", "person_id": "e-1",
    ...     "first_sick_day": "2026-03-02", "cause": "fell off a ladder"})
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.HealthDataError: sick_report.cause: an absence record has no field \
for the diagnosis, the nature or cause of an illness, its treatment or a pregnancy, nor free \
text about it (AP policy rules "De zieke werknemer")
    """
    cls = record_class(data)
    body = {key: value for key, value in data.items() if key != "kind"}
    try:
        return from_data(cls, body)
    except SerializationError as error:
        health = _health_cause(error)
        if health is not None:
            raise HealthDataError(health.path, health.problem) from error
        raise
