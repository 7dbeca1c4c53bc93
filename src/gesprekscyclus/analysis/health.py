"""Cycle health and early signals from a store, as DataFrames (what did happen, not the plan).

Each function takes a :class:`~gesprekscyclus.service.app.ConversationService` (read once
through ``service.administration``; pass ``records=`` to reuse one
:func:`~gesprekscyclus.service.health.read_records` snapshot for several tables) and returns
the rows of :mod:`gesprekscyclus.service.health` / :mod:`gesprekscyclus.service.signals` as a
DataFrame, with names and type labels added. The signal tables check the reader first: only
the organisation's HR contact may see aggregates of answers, and no cell describes fewer
than ``min_group_size`` people (see :mod:`gesprekscyclus.service.signals`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import attrs
import pandas as pd

from gesprekscyclus.analysis.frames import type_labels
from gesprekscyclus.domain.access import MIN_GROUP_SIZE
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.domain.voice import SCORES, voice_summary
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.service import health as core
from gesprekscyclus.service import signals as alarms
from gesprekscyclus.service.app import ConversationService

__all__ = [
    "answer_trends",
    "conversation_quality",
    "cycle_health",
    "early_signals",
    "follow_through",
    "missed_conversations",
    "poortwachter_health",
    "poortwachter_milestones",
    "sign_off_health",
]


def _records(service: ConversationService, records: core.Records | None) -> core.Records:
    return records if records is not None else core.read_records(service)


def _today(service: ConversationService, today: date | None) -> date:
    return today if today is not None else service.clock.now().date()


def _frame(
    rows: list[dict[str, Any]],
    service: ConversationService,
    records: core.Records,
    locale: Locale | str,
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=list(columns))
    names = {person.id: person.name for person in records.people}
    labels = type_labels(service.catalog, locale)
    if "manager_id" in frame.columns:
        at = list(frame.columns).index("manager_id") + 1
        frame.insert(at, "manager_name", frame["manager_id"].map(names))
    if "employee_id" in frame.columns:
        at = list(frame.columns).index("employee_id") + 1
        frame.insert(at, "employee_name", frame["employee_id"].map(names))
    if "type_key" in frame.columns:
        at = list(frame.columns).index("type_key") + 1
        frame.insert(at, "type_label", frame["type_key"].map(lambda k: labels.get(k, k)))
    for column in ("period_start", "earliest", "target", "latest", "held_on"):
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column])
    return frame


def cycle_health(
    service: ConversationService,
    *,
    today: date | None = None,
    by: Sequence[str] | str = ("team",),
    period: str | None = "month",
    locale: Locale | str = Locale.NL,
    records: core.Records | None = None,
) -> pd.DataFrame:
    """Planned versus held per group (``team``, ``manager_id``, ``type_key``,
    ``employee_id``) and period (``month``, ``quarter``, ``year`` or ``None``): the count of
    each outcome, ``due``, ``on_time_rate`` and ``held_rate`` (see
    :func:`~gesprekscyclus.service.health.health_rows`). ``today`` defaults to the service's
    clock."""
    chosen = _records(service, records)
    groups = (by,) if isinstance(by, str) else tuple(by)
    outcomes = core.conversation_outcomes(chosen, today=_today(service, today))
    return _frame(core.health_rows(outcomes, by=groups, period=period), service, chosen, locale)


def missed_conversations(
    service: ConversationService,
    *,
    today: date | None = None,
    locale: Locale | str = Locale.NL,
    records: core.Records | None = None,
) -> pd.DataFrame:
    """Missed and cancelled conversations per type and reason, most first."""
    chosen = _records(service, records)
    outcomes = core.conversation_outcomes(chosen, today=_today(service, today))
    return _frame(
        core.missed_rows(outcomes),
        service,
        chosen,
        locale,
        ("type_key", "outcome", "reason", "conversations"),
    )


def sign_off_health(
    service: ConversationService,
    *,
    by: Sequence[str] | str = ("type_key",),
    period: str | None = None,
    locale: Locale | str = Locale.NL,
    records: core.Records | None = None,
) -> pd.DataFrame:
    """Reports that need sign-off: signed, refused, awaiting, the rate and the median days
    from sharing to signing."""
    chosen = _records(service, records)
    groups = (by,) if isinstance(by, str) else tuple(by)
    return _frame(core.sign_off_rows(chosen, by=groups, period=period), service, chosen, locale)


def follow_through(
    service: ConversationService,
    *,
    today: date | None = None,
    by: Sequence[str] | str = ("team",),
    period: str | None = None,
    locale: Locale | str = Locale.NL,
    records: core.Records | None = None,
) -> pd.DataFrame:
    """Action items per group and period: done on time or late, dropped, open, overdue,
    carried and escalated."""
    chosen = _records(service, records)
    groups = (by,) if isinstance(by, str) else tuple(by)
    rows = core.follow_through_rows(chosen, today=_today(service, today), by=groups, period=period)
    return _frame(rows, service, chosen, locale)


def poortwachter_health(
    service: ConversationService,
    *,
    today: date | None = None,
    by: Sequence[str] | str = ("type_key",),
    period: str | None = "quarter",
    locale: Locale | str = Locale.NL,
    records: core.Records | None = None,
) -> pd.DataFrame:
    """The absence (Poortwachter) conversations: held by their legal deadline or not."""
    chosen = _records(service, records)
    groups = (by,) if isinstance(by, str) else tuple(by)
    outcomes = core.conversation_outcomes(chosen, today=_today(service, today))
    rows = core.poortwachter_rows(outcomes, service.catalog, by=groups, period=period)
    return _frame(rows, service, chosen, locale)


def poortwachter_milestones(
    service: ConversationService,
    *,
    today: date | None = None,
    locale: Locale | str = Locale.NL,
    records: core.Records | None = None,
) -> pd.DataFrame:
    """Every Poortwachter milestone due by ``today`` of every absence case, with its
    ``status`` (met on time, met late, missed, overdue, open, not planned, or not recorded
    for the obligations that are no conversation); see
    :func:`~gesprekscyclus.service.health.poortwachter_milestone_rows`."""
    chosen = _records(service, records)
    rows = core.poortwachter_milestone_rows(
        chosen, today=_today(service, today), locale=Locale(locale)
    )
    frame = _frame(
        rows,
        service,
        chosen,
        locale,
        ("employee_id", "case_start", "milestone", "title", "basis", "deadline",
         "conversation_id", "held_on", "status"),
    )  # fmt: skip
    for column in ("case_start", "deadline"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def answer_trends(
    service: ConversationService,
    *,
    reader: str,
    questions: Sequence[str] = alarms.TREND_QUESTIONS,
    min_group_size: int = MIN_GROUP_SIZE,
    records: core.Records | None = None,
) -> pd.DataFrame:
    """Per question, team and quarter: distinct ``people``, ``answers``, ``mean`` (and
    ``share_yes``); only ``reader`` = the HR contact may ask, and no row describes fewer than
    ``min_group_size`` people."""
    alarms.require_signal_reader(service, reader)
    chosen = _records(service, records)
    rows = alarms.answer_trend_rows(chosen, questions=questions, min_group_size=min_group_size)
    return _frame(
        rows,
        service,
        chosen,
        Locale.NL,
        ("question_key", "team", "year", "quarter", "period_start", "people", "answers",
         "mean", "share_yes"),
    )  # fmt: skip


def early_signals(
    service: ConversationService,
    *,
    reader: str,
    today: date | None = None,
    min_group_size: int = MIN_GROUP_SIZE,
    records: core.Records | None = None,
    **options: Any,
) -> pd.DataFrame:
    """The signals that need action (see :func:`~gesprekscyclus.service.signals.signal_rows`,
    whose keyword ``options`` it passes on): one row per team, kind and quarter, with counts
    and evidence and never a person."""
    alarms.require_signal_reader(service, reader)
    chosen = _records(service, records)
    found = alarms.signal_rows(
        chosen, today=_today(service, today), min_group_size=min_group_size, **options
    )
    columns = [field.name for field in attrs.fields(alarms.Signal)]
    return pd.DataFrame.from_records([attrs.astuple(signal) for signal in found], columns=columns)


def conversation_quality(
    service: ConversationService,
    *,
    reader: str,
    by: str = "team",
    min_group_size: int = MIN_GROUP_SIZE,
    records: core.Records | None = None,
) -> pd.DataFrame:
    """How employees rated their conversations (the check afterwards: felt heard, useful,
    clear agreements, 1-5), per ``by`` (``"team"`` or ``"manager"``): one row per group of
    at least ``min_group_size`` distinct employees (``people``), with ``responses`` and the
    mean of each score (``heard``, ``useful``, ``clear_agreements``); never a remark or a
    single answer (see :func:`~gesprekscyclus.domain.voice.voice_summary`). Only the
    organisation's HR contact may read it; a manager's own employees' ratings reach them
    only through HR.
    """
    alarms.require_signal_reader(service, reader)
    if by not in ("team", "manager"):
        raise InvalidValueError("by", f"unknown grouping {by!r}", allowed=("team", "manager"))
    chosen = _records(service, records)
    groups = voice_summary(
        chosen.voice_answers,
        by="team" if by == "team" else "manager",
        min_group_size=min_group_size,
    )
    key = "team" if by == "team" else "manager_id"
    names = {person.id: person.name for person in chosen.people}
    rows = [
        {
            key: group.group,
            **({"manager_name": names.get(group.group)} if by == "manager" else {}),
            "people": group.employees,
            "responses": group.responses,
            **{score: getattr(group, score) for score in SCORES},
        }
        for group in groups
    ]
    columns = [key, *(["manager_name"] if by == "manager" else []), "people", "responses"]
    return pd.DataFrame.from_records(rows, columns=[*columns, *SCORES])
