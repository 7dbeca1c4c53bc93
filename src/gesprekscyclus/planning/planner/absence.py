"""The absence step: the Poortwachter milestones of each absence case, as rows and obligations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from gesprekscyclus.domain.absence import Prognosis, absence_timeline
from gesprekscyclus.planning.planner.adjusting import _why_not_working
from gesprekscyclus.planning.planner.context import _Context
from gesprekscyclus.planning.planner.ids import conversation_id
from gesprekscyclus.planning.planner.rows import _NOT_MOVED, Obligation, _moved, _Row


def _plan_absence(
    context: _Context,
    start: date,
    end: date,
    prognoses: Sequence[Prognosis],
    rows: list[_Row],
    obligations: list[Obligation],
) -> None:
    person = context.person
    both = context.calendar.predicate(*context.patterns)
    for case in context.cases:
        if context.last_day is not None and case.first_day > context.last_day:
            continue  # reported after employment ended: nothing left to plan
        milestones = absence_timeline(
            case,
            prognosis=[p for p in prognoses if p.recorded_on >= case.first_day],
            last_working_day=context.last_day,
            until=end,
        )
        for milestone in milestones:
            if not start <= milestone.due <= end and not (
                milestone.earliest is not None and start <= milestone.earliest <= end
            ):
                continue
            if milestone.conversation_type is None:
                obligations.append(Obligation(person.id, case.first_day, milestone))
                continue
            occurrence = f"{case.first_day.isoformat()}:{milestone.key}"
            latest = milestone.due
            earliest = milestone.earliest or max(case.first_day, latest - timedelta(days=7))
            target = latest
            # "At the latest" deadlines move back (Preceding) onto a day both can meet.
            for _ in range((latest - earliest).days + 1):
                if both(target):
                    break
                target -= timedelta(days=1)
            else:
                target = latest
            moved_by = (
                _NOT_MOVED
                if target == latest
                else _moved(
                    _NOT_MOVED, _why_not_working(context.calendar, context.weekdays, latest)
                )
            )
            rows.append(
                _Row(
                    conversation_id(person.id, milestone.conversation_type, occurrence),
                    milestone.conversation_type,
                    person.id,
                    context.manager_on(target),
                    occurrence,
                    milestone.due,
                    earliest,
                    target,
                    latest,
                    None,
                    "absence",
                    milestone.basis,
                    milestone.key,
                    moved_by,
                )
            )
