"""A recorded year of the reference organisation: a store with held, missed and late
conversations, answers, reports and action items, made the same way every time.

Cycle health and early signals read what a store holds, so they need one that has seen a
year go by. :func:`recorded_year` plans the reference design for 2027 in a memory store and
plays the year through the service's own commands: most conversations are held on their
day, some late, some missed; check-ins and growth reviews get answers (one team's workload
rises through the year), reports are shared and mostly signed, agreements become action
items. Which happens to whom follows from a hash of the conversation id, never from chance.

>>> service = recorded_year(until=date(2027, 3, 31))
>>> sorted(service.hr_office)
['hr-01']
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta

from gesprekscyclus.bootstrap import build_service
from gesprekscyclus.domain.conversations import ConversationStatus
from gesprekscyclus.domain.people import Person
from gesprekscyclus.examples import load_reference
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.service.app import ConversationService

__all__ = ["HR_CONTACT", "recorded_year"]

#: The HR contact of the recorded organisation (who may read its early signals).
HR_CONTACT = Person(id="hr-01", name="Sanne Bakker", hire_date=date(2019, 4, 1), team="HR")


def _roll(text: str) -> int:
    """A number 0-99 from ``text``: the same every run."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 100


def recorded_year(
    *, start: date = date(2027, 1, 1), until: date = date(2027, 12, 31)
) -> ConversationService:
    """A memory-store service with the reference organisation's conversations from ``start``
    up to ``until`` played through; its clock stands on the day after ``until``."""
    design, people, events = load_reference()
    clock = FixedClock(datetime.combine(until + timedelta(days=1), time(18, 0), tzinfo=UTC))
    service = build_service("memory:", design=design, clock=clock, hr_contact_id=HR_CONTACT.id)
    for person in (*people, HR_CONTACT):
        service.upsert_person(person)
    for event in events:
        service.record_event(event)
    service.materialise(start, until)
    teams = {person.id: person.team for person in people}
    rising = sorted({team for team in teams.values() if team})[0]
    planned = sorted(
        (talk.window.target, talk.id)
        for person in people
        for talk in service.administration.conversations_of(person.id)
        if talk.status is ConversationStatus.PLANNED and talk.window.target <= until
    )
    for target, talk_id in planned:
        _play(service, clock, talk_id, target, until, teams, rising)
    clock.set(datetime.combine(until + timedelta(days=1), time(18, 0), tzinfo=UTC))
    return service


def _play(
    service: ConversationService,
    clock: FixedClock,
    talk_id: str,
    target: date,
    until: date,
    teams: dict[str, str | None],
    rising: str,
) -> None:
    roll = _roll(talk_id)
    late = roll >= 90
    day = target + timedelta(days=20 if late else 0)
    if day > until:
        return
    clock.set(datetime.combine(day, time(18, 0), tzinfo=UTC))
    if roll < 7:
        service.mark_missed(
            talk_id, reason="verzet en niet opnieuw gepland" if roll < 4 else "ziek"
        )
        return
    starts = datetime.combine(day, time(9, 0), tzinfo=UTC)
    service.schedule(talk_id, starts)
    service.record_held(talk_id, at=starts + timedelta(hours=1))
    talk = service.administration.conversation(talk_id)
    employee, manager = talk.employee_id, talk.manager_id
    quarter = (day.month - 1) // 3
    if talk.type_key == "check_in" and manager is not None:
        wellbeing = 2 if roll % 17 == 0 else 3 + roll % 3
        leaving = roll % 23 == 0 or (roll % 5 == 0 and employee.endswith(("1", "7")))
        service.record_answers(
            talk_id, manager, {"wellbeing_score": wellbeing, "considering_leaving": leaving}
        )
    if talk.type_key == "growth_review" and manager is not None:
        # one team's workload rises through the year, the others stay level
        workload = min(5, 3 + quarter) if teams.get(employee) == rising else 3
        service.record_answers(talk_id, employee, {"workload": workload})
    report_types = {"growth_review", "appraisal"}
    if talk.type_key in report_types and manager is not None:
        service.create_report(talk_id, "Goed gesprek; afspraken vastgelegd.", author_id=manager)
        service.share_report(talk_id, comment_until=day + timedelta(days=7))
        if roll % 4:
            service.sign_report(talk_id, employee, kind="agreed" if roll % 3 else "seen")
        item = service.create_action_item(
            talk_id, "Opleiding kiezen", owner_id=employee, due=day + timedelta(days=30)
        )
        if roll % 3:
            service.complete_action_item(item.id)
