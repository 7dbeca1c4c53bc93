"""The follow-up step: answers in held conversations that ask for another conversation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time

from gesprekscyclus.domain.calendar import BusinessDayConvention, localize
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.people import Person
from gesprekscyclus.planning.design import CycleDesign, TypeRule
from gesprekscyclus.planning.planner.adjusting import _adjuster, _why_not_working
from gesprekscyclus.planning.planner.context import _Context, _held_on
from gesprekscyclus.planning.planner.ids import conversation_id, follow_up_occurrence
from gesprekscyclus.planning.planner.rows import _NOT_MOVED, _moved, _Row


def _plan_follow_ups(
    design: CycleDesign,
    context: _Context,
    history: Mapping[tuple[str, str], Sequence[Conversation]],
    start: date,
    end: date,
    rows: list[_Row],
) -> None:
    person = context.person
    for rule in design.types:
        for conversation in history.get((person.id, rule.type), ()):
            held_on = _held_on(conversation)
            if held_on is None or not rule.follow_ups:
                continue
            for trigger in rule.follow_ups:
                # Every participant's answer counts on its own (see AnswerTrigger).
                if not trigger.fires_for(conversation.answers):
                    continue
                earliest, latest = trigger.follow_up(held_on)
                if latest < start or earliest > end:
                    continue
                follow_rule = design.rule(trigger.schedule_type)
                adjust = _adjuster(
                    design.calendar,
                    BusinessDayConvention.PRECEDING,
                    context.patterns,
                    context.adjusters,
                )
                target = max(adjust(latest), earliest)
                occurrence = follow_up_occurrence(conversation.id, trigger.question_key)
                rows.append(
                    _Row(
                        conversation_id(person.id, trigger.schedule_type, occurrence),
                        trigger.schedule_type,
                        person.id,
                        context.manager_on(target),
                        occurrence,
                        latest,
                        earliest,
                        target,
                        latest,
                        _starts_at(design, follow_rule, person, target),
                        "follow_up",
                        None,
                        None,
                        _NOT_MOVED
                        if target == latest
                        else _moved(
                            _NOT_MOVED, _why_not_working(design.calendar, context.weekdays, latest)
                        ),
                    )
                )


def _starts_at(design: CycleDesign, rule: TypeRule, person: Person, day: date) -> datetime | None:
    wall: time | None = rule.time or design.default_time
    return None if wall is None else localize(day, wall, person.time_zone)
