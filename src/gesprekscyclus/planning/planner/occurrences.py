"""The cadence step: each rhythm of a type becomes dated, windowed rows for one person.

:func:`_plan_rule` expands the rhythms, applies the rules that skip or move an occurrence
(population, notice, a pause during absence, the manager on the day) and moves each date to a
working day of employee and manager with its window around it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import TypeAlias

from gesprekscyclus.domain.cadence import (
    AnchorKind,
    AnchorTo,
    Anniversary,
    Cadence,
    Interval,
    LifecycleOffset,
    Occurrence,
    RRuleCadence,
    expand,
)
from gesprekscyclus.domain.cadence.interval import _MONTHS_PER_UNIT
from gesprekscyclus.domain.calendar import BusinessDayConvention, WorkingCalendar
from gesprekscyclus.domain.events import LifeEventKind
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.planning.planner.adjusting import _adjuster, _why_not_working
from gesprekscyclus.planning.planner.context import ABSENCE_TYPE, _Context, _Run
from gesprekscyclus.planning.planner.rows import _NOT_MOVED, Skipped, _moved, _Row

_FOLLOWING = BusinessDayConvention.FOLLOWING

#: A paused occurrence moves to the first day back when the employee recovers within this
#: many days of its date; a longer absence skips it, and the next occurrence takes over.
PAUSE_POSTPONE_DAYS = 90
_COUNTED = (Interval, RRuleCadence, Anniversary)
#: A row of a shared rhythm from the occurrence key on (the fields after the manager).
_Tail: TypeAlias = tuple[
    str, date, date, date, date, datetime | None, str, None, None, tuple[str, ...]
]


def _plan_rule(  # noqa: PLR0915 - the per-occurrence hot loop, kept in one piece for speed
    run: _Run,
    index: int,
    rule: TypeRule,
    context: _Context,
    held: Sequence[date],
    rows: list[_Row],
    skipped: list[Skipped],
) -> None:
    design = run.design
    person = context.person
    person_id = person.id
    type_key = rule.type
    id_prefix = f"{type_key}-{context.digest}-"  # conversation_id() without the call
    hire_date = person.hire_date
    context_last_day = context.last_day
    end_for_person = run.end if context_last_day is None else min(run.end, context_last_day)
    adjust = run.adjust_for(rule.convention, context)
    last_day = date.max if context_last_day is None else context_last_day
    # The employment window ``expand`` clips to; shared rhythms are expanded once per window.
    lo = max(run.start, hire_date)
    hi = end_for_person if person.end_date is None else min(end_for_person, person.end_date)
    # Per-occurrence checks that cannot apply to this person and rule are skipped entirely.
    dated_population = run.dated_population[index]
    notice_on = context.notice_on
    if notice_on is not None and (type_key in design.after_notice or type_key == ABSENCE_TYPE):
        notice_on = None
    paused = rule.pause_during_absence and bool(context.cases)
    changes = bool(context.manager_changes)
    simple = not (dated_population or notice_on is not None or paused or changes)
    manager_id = person.manager_id
    before, after = run.before[index], run.after[index]
    wall: time | None = rule.time or design.default_time
    zone = person.time_zone
    shared = run.shared[index]
    # Rhythms that end a known number of days after the hire date: when that is before the
    # run for a person without life events, they give nothing (see ``_Run.cadence_reach``).
    reaches = run.cadence_reach[index]
    eventless = not context.events
    hired_at = hire_date.toordinal()
    run_start = run.start.toordinal()
    for position, cadence in enumerate(rule.cadence):
        reach = reaches[position]
        if reach is not None and eventless and hired_at + reach < run_start:
            continue
        # Counted keys (n3, y2) of a second rhythm of the same type would collide with the
        # first one's; they get the rhythm's position. Event keys name their event already.
        prefix = f"c{position}:" if position and isinstance(cadence, _COUNTED) else ""
        occurrences: Sequence[tuple[str, date]]
        if shared[position]:
            memo_key = (index, position, lo, hi)
            cached = run.expansions.get(memo_key)
            if cached is None:
                cached = run.expansions[memo_key] = [
                    (prefix + key, day)
                    for key, day in _expand(cadence, person, context, run, end_for_person, held)
                ]
            occurrences = cached
            if simple and run.columns:
                # Everyone with these working days (and time zone, for the start times) gets
                # the same targets, windows and moves: the tail of each row is built once per
                # template and shared by all of them. Only a window that runs outside the
                # employment needs the full treatment below.
                template_key = (index, position, lo, hi, context.weekdays, zone)
                template = run.templates.get(template_key)
                if template is None:
                    template = run.templates[template_key] = _template(
                        run, cached, adjust, before, after, wall, zone, context.weekdays
                    )
                rest: list[tuple[str, date]] = []
                for earliest, latest, tail in template:
                    if hire_date <= earliest and (
                        context_last_day is None or latest <= context_last_day
                    ):
                        rows.append(
                            _Row(id_prefix + tail[0], type_key, person_id, manager_id, *tail)
                        )
                    else:
                        rest.append((tail[0], tail[1]))
                occurrences = rest
        elif (
            simple
            and run.columns
            and type(cadence) is Anniversary
            and cadence.of is AnchorKind.HIRE_DATE
            and hire_date.year < lo.year
        ):
            # Everyone hired on this day of the year before the run's first year has their
            # anniversaries on the same days (only the count of years differs): the rows come
            # from a template as above, with the occurrence key ``y<years>`` of their own.
            hired_key = (
                index,
                position,
                lo,
                hi,
                context.weekdays,
                zone,
                hire_date.month,
                hire_date.day,
                person.leap_day_policy,
            )
            template = run.anniversaries.get(hired_key)
            if template is None:
                found = _expand(cadence, person, context, run, end_for_person, held)
                template = run.anniversaries[hired_key] = _template(
                    run, found, adjust, before, after, wall, zone, context.weekdays
                )
            rest = []
            hired_in = hire_date.year
            for earliest, latest, tail in template:
                key = f"{prefix}y{tail[1].year - hired_in}"
                if hire_date <= earliest and (
                    context_last_day is None or latest <= context_last_day
                ):
                    rows.append(
                        _Row(id_prefix + key, type_key, person_id, manager_id, key, *tail[1:])
                    )
                else:
                    rest.append((key, tail[1]))
            occurrences = rest
        elif (
            simple
            and run.columns
            and type(cadence) is Interval
            and cadence.anchor is AnchorKind.HIRE_DATE
            and (cadence.anchor_to is AnchorTo.PLANNED or not held)
            and hire_date < lo
        ):
            # Counted from a hire date before the run: everyone hired in the same phase of
            # the step (month modulo the step and day of the month, or day modulo the step
            # for weeks) has the same dates in the run, only their count ``n`` differs; the
            # rows come from a template as above, with the occurrence key of their own.
            months = _MONTHS_PER_UNIT.get(cadence.unit)
            if months is None:
                step = 7 * cadence.every
                anchor = hired_at
                phase = (anchor % step, 0)
            else:
                step = months * cadence.every
                anchor = hire_date.year * 12 + hire_date.month - 1
                phase = (anchor % step, hire_date.day)
            phase_key = (index, position, lo, hi, context.weekdays, zone, *phase)
            template = run.hired_intervals.get(phase_key)
            if template is None:
                found = _expand(cadence, person, context, run, end_for_person, held)
                template = run.hired_intervals[phase_key] = _template(
                    run, found, adjust, before, after, wall, zone, context.weekdays
                )
            rest = []
            for earliest, latest, tail in template:
                day = tail[1]
                at = day.toordinal() if months is None else day.year * 12 + day.month - 1
                key = f"{prefix}n{(at - anchor) // step}"
                if hire_date <= earliest and (
                    context_last_day is None or latest <= context_last_day
                ):
                    rows.append(
                        _Row(id_prefix + key, type_key, person_id, manager_id, key, *tail[1:])
                    )
                else:
                    rest.append((key, day))
            occurrences = rest
        else:
            found = _expand(cadence, person, context, run, end_for_person, held)
            occurrences = [(prefix + key, day) for key, day in found] if prefix else found
        if paused:
            occurrences = [
                *_paused_into_run(cadence, person, context, run, end_for_person, held, prefix),
                *occurrences,
            ]
        for key, nominal in occurrences:
            identifier = id_prefix + key
            due = nominal
            if dated_population or notice_on is not None:
                reason = _skip_reason(design, rule, context, nominal)
                if reason is not None:
                    skipped.append(Skipped(identifier, type_key, person_id, nominal, reason))
                    continue
            if paused:
                due, reason = _after_pause(context, nominal)
                if reason is not None:
                    skipped.append(Skipped(identifier, type_key, person_id, nominal, reason))
                    continue
            if changes:
                manager_id = context.manager_on(due)
            patterns = (
                context.patterns
                if manager_id == person.manager_id
                else context.patterns_with(manager_id)
            )
            target = (
                adjust(due)
                if manager_id == person.manager_id
                else _adjuster(design.calendar, rule.convention, patterns, run.adjusters)(due)
            )
            if due != nominal and target < due:  # never back into the absence it waited for
                target = _adjuster(design.calendar, _FOLLOWING, patterns, run.adjusters)(due)
            moved_by = _NOT_MOVED if due == nominal else _moved(_NOT_MOVED, "absence_pause")
            if target != due:
                weekdays = frozenset.intersection(*(pattern.weekdays for pattern in patterns))
                moved_by = _moved(moved_by, _why_not_working(design.calendar, weekdays, due))
            if not hire_date <= target <= last_day:
                inside = _inside_employment(design.calendar, context, nominal, target)
                if inside is None:
                    reason = "no working day inside the employment for it"
                    skipped.append(Skipped(identifier, type_key, person_id, nominal, reason))
                    continue
                target = inside
                moved_by = _moved(moved_by, "employment")
            # The window [target - before, target + after], kept inside the employment.
            earliest = target - before
            earliest = max(earliest, hire_date)
            latest = target + after
            if context_last_day is not None:
                latest = min(latest, context_last_day)
                latest = max(latest, earliest)
            latest = max(latest, target)
            rows.append(
                _Row(
                    identifier,
                    type_key,
                    person_id,
                    manager_id,
                    key,
                    nominal,
                    target if target < earliest else earliest,
                    target,
                    latest,
                    None if wall is None else run.starts_at(wall, zone, target),
                    "cadence",
                    None,
                    None,
                    moved_by if target != nominal else _NOT_MOVED,
                )
            )


def _template(
    run: _Run,
    occurrences: Sequence[tuple[str, date]],
    adjust: Callable[[date], date],
    before: timedelta,
    after: timedelta,
    wall: time | None,
    zone: str,
    weekdays: frozenset[int],
) -> list[tuple[date, date, _Tail]]:
    """The rows a shared rhythm gives everyone with ``weekdays`` in ``zone``, from the
    occurrence key on: ``(earliest, latest, tail)`` per occurrence, in order."""
    calendar = run.design.calendar
    template = []
    for key, nominal in occurrences:
        target = adjust(nominal)
        moved_by = (
            _NOT_MOVED
            if target == nominal
            else _moved(_NOT_MOVED, _why_not_working(calendar, weekdays, nominal))
        )
        earliest, latest = target - before, target + after
        starts_at = None if wall is None else run.starts_at(wall, zone, target)
        tail = (key, nominal, earliest, target, latest, starts_at, "cadence", None, None, moved_by)
        template.append((earliest, latest, tail))
    return template


def _rule_template(
    run: _Run, index: int, rule: TypeRule, context: _Context
) -> tuple[date, date, list[_Tail]]:
    """Every row a rule whose rhythms are all shared gives a person without life events:
    the earliest and latest day of their windows, and the rows' tails in the order
    :func:`_plan_rule` makes them, kept per (employment window, working days, time zone).

    When the person's employment covers every window (hired on or before the earliest day,
    employed through the latest), :func:`_plan_rule` would make exactly these rows from its
    templates, so the caller makes them without it; otherwise the caller falls back to it.
    """
    person = context.person
    last_day = context.last_day
    end_for_person = run.end if last_day is None else min(run.end, last_day)
    lo = max(run.start, person.hire_date)
    hi = end_for_person if person.end_date is None else min(end_for_person, person.end_date)
    zone = person.time_zone
    weekdays = context.weekdays
    key = (index, lo, hi, weekdays, zone)
    found = run.rule_templates.get(key)
    if found is not None:
        return found
    adjust = run.adjust_for(rule.convention, context)
    before, after = run.before[index], run.after[index]
    wall: time | None = rule.time or run.design.default_time
    earliest, latest = date.max, date.min
    tails: list[_Tail] = []
    for position, cadence in enumerate(rule.cadence):
        prefix = f"c{position}:" if position and isinstance(cadence, _COUNTED) else ""
        memo_key = (index, position, lo, hi)
        cached = run.expansions.get(memo_key)
        if cached is None:
            cached = run.expansions[memo_key] = [
                (prefix + occurrence_key, day)
                for occurrence_key, day in _expand(
                    cadence, person, context, run, end_for_person, ()
                )
            ]
        template_key = (index, position, lo, hi, weekdays, zone)
        template = run.templates.get(template_key)
        if template is None:
            template = run.templates[template_key] = _template(
                run, cached, adjust, before, after, wall, zone, weekdays
            )
        for first, last, tail in template:
            earliest, latest = min(earliest, first), max(latest, last)
            tails.append(tail)
    found = run.rule_templates[key] = (earliest, latest, tails)
    return found


def _expand(
    cadence: Cadence,
    person: Person,
    context: _Context,
    run: _Run,
    end_for_person: date,
    held: Sequence[date],
    start: date | None = None,
) -> list[Occurrence]:
    """The occurrences of ``cadence`` for ``person`` from ``start`` (the run's start unless
    given) to ``end_for_person``."""
    start = run.start if start is None else start
    if not context.events and isinstance(cadence, LifecycleOffset):
        return _implied_offset(cadence, context, start, end_for_person)
    return expand(
        cadence,
        person=person,
        cycle_start=run.design.cycle_start,
        events=context.events,
        start=start,
        end=end_for_person,
        add_working_days=context.add_working_days,
        held=held,
    )


def _implied_offset(
    offset: LifecycleOffset, context: _Context, start: date, end: date
) -> list[Occurrence]:
    """``expand`` of ``offset`` for someone without life events, without building events.

    Such a person has only the implied ``hired`` event (hire date) and, with an end date,
    the implied ``last_day`` event; see :func:`~gesprekscyclus.domain.cadence.expand`.
    """
    person = context.person
    lo = max(start, person.hire_date)
    hi = end if person.end_date is None else min(end, person.end_date)
    if hi < lo:
        return []
    if offset.event is LifeEventKind.HIRED:
        on = person.hire_date
    elif offset.event is LifeEventKind.LAST_DAY and person.end_date is not None:
        on = person.end_date
    else:
        return []
    day = offset.date_for(on, context.add_working_days)
    if not lo <= day <= hi:
        return []
    return [Occurrence(f"{offset.event.value}:{on.isoformat()}:{offset.offset_text}", day)]


def _inside_employment(
    calendar: WorkingCalendar, context: _Context, nominal: date, target: date
) -> date | None:
    """A convention moved ``target`` out of the employment: turn back towards ``nominal``."""
    first = context.person.hire_date
    last = date.max if context.last_day is None else context.last_day
    works = calendar.predicate(*context.patterns)
    step = timedelta(days=-1 if target > last else 1)
    day = nominal
    while first <= day <= last:
        if works(day):
            return day
        day += step
    return None


def _skip_reason(
    design: CycleDesign, rule: TypeRule, context: _Context, nominal: date
) -> str | None:
    if not rule.population.includes(context.person, on=nominal):
        return "outside the population on that date"
    if (
        context.notice_on is not None
        and nominal >= context.notice_on
        and rule.type not in design.after_notice
        and rule.type != ABSENCE_TYPE
    ):
        return "notice given: only the after-notice types remain"
    return None


def _paused_into_run(
    cadence: Cadence,
    person: Person,
    context: _Context,
    run: _Run,
    end_for_person: date,
    held: Sequence[date],
    prefix: str,
) -> list[Occurrence]:
    """The occurrences due in the :data:`PAUSE_POSTPONE_DAYS` before the run whose absence
    pause moves them into it (to the first day back), as a plan that starts earlier has
    them: without them a plan would depend on how far back it started."""
    last = min(run.start - timedelta(days=1), end_for_person)
    first = run.start - timedelta(days=PAUSE_POSTPONE_DAYS)
    if last < first:
        return []
    moved_in: list[Occurrence] = []
    for key, nominal in _expand(cadence, person, context, run, last, held, start=first):
        due, reason = _after_pause(context, nominal)
        if reason is None and due >= run.start:
            moved_in.append(Occurrence(prefix + key, nominal))
    return moved_in


def _after_pause(context: _Context, nominal: date) -> tuple[date, str | None]:
    """Where a paused type's occurrence goes: the first day back, or nowhere (with why)."""
    case = context.absence_on(nominal)
    if case is None:
        return nominal, None
    back = case.recovered_on
    if back is None:
        return nominal, "paused while an absence case is open"
    if (back - nominal).days > PAUSE_POSTPONE_DAYS:
        return nominal, f"paused: the absence lasted more than {PAUSE_POSTPONE_DAYS} days after it"
    return back, None
