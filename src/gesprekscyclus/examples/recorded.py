"""A recorded year of the reference organisation: a store with held, missed and late
conversations, answers, reports and action items, made the same way every time.

Cycle health and early signals read what a store holds, so they need one that has seen a
year go by. :func:`recorded_year` plans the reference design for 2027 in a memory store and
plays the year through the service's own commands, day by day on the service's clock: most
conversations are held on their day, some weeks late, some are missed (with a reason);
check-ins and growth reviews get answers (the customer service team finds its workload
high), growth review and appraisal reports are shared and mostly signed some days later,
and their agreements become action items, most done, some late; the open ones move on to
the next check-in, and those moved too often are escalated to HR. Which
happens to whom follows from a hash of the conversation id, never from chance.

>>> service = recorded_year(until=date(2027, 3, 31))
>>> service.hr_office
('hr-01',)
"""

from __future__ import annotations

import hashlib
import heapq
from datetime import UTC, date, datetime, time, timedelta

from gesprekscyclus.bootstrap import build_service
from gesprekscyclus.domain.conversations import ConversationStatus
from gesprekscyclus.domain.people import Person
from gesprekscyclus.examples import load_reference
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.service.app import ConversationService

__all__ = ["BUSY_TEAM", "HR_CONTACT", "recorded_year"]

#: The HR contact of the recorded organisation (who may read its early signals).
HR_CONTACT = Person(id="hr-01", name="Sanne Bakker", hire_date=date(2019, 4, 1), team="HR")
#: The team whose answers say its workload is high.
BUSY_TEAM = "klantenservice"
_REPORTED = frozenset({"growth_review", "appraisal"})


def _roll(text: str) -> int:
    """A number 0-99 from ``text``: the same every run."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 100


def recorded_year(
    *, start: date = date(2027, 1, 1), until: date = date(2027, 12, 31)
) -> ConversationService:
    """A memory-store service with the reference organisation's conversations from ``start``
    up to ``until`` played through; its clock then stands on the evening of ``until``."""
    design, people, events = load_reference()
    clock = FixedClock(datetime.combine(start, time(8, 0), tzinfo=UTC))
    service = build_service("memory:", design=design, clock=clock, hr_contact_id=HR_CONTACT.id)
    for person in (*people, HR_CONTACT):
        service.upsert_person(person)
    for event in events:
        service.record_event(event)
    service.materialise(start, until)
    teams = {person.id: person.team for person in people}
    # (day, order, what, id): conversations on their day, sign-offs and completions later
    # (a conversation due before ``start``, known only late, is played on ``start``)
    agenda: list[tuple[date, int, str, str]] = [
        (max(talk.window.target, start), 0, "conversation", talk.id)
        for person in people
        for talk in service.administration.conversations_of(person.id)
        if talk.status is ConversationStatus.PLANNED and talk.window.target <= until
    ]
    heapq.heapify(agenda)
    while agenda:
        day, _order, what, key = heapq.heappop(agenda)
        if day > until:
            continue
        clock.set(datetime.combine(day, time(18, 0), tzinfo=UTC))
        if what in ("conversation", "late"):
            for later in _conversation(service, key, day, teams, late=what == "late"):
                heapq.heappush(agenda, later)
        elif what == "sign":
            talk_id = key
            roll = _roll(key)
            employee = service.administration.conversation(talk_id).employee_id
            if roll % 11 == 0:
                service.refuse_sign_off(talk_id, employee, reason="niet eens met het oordeel")
            else:
                service.sign_report(talk_id, employee, kind="agreed" if roll % 3 else "seen")
        else:
            service.complete_action_item(key)
    clock.set(datetime.combine(until, time(20, 0), tzinfo=UTC))
    return service


def _conversation(
    service: ConversationService,
    talk_id: str,
    day: date,
    teams: dict[str, str | None],
    *,
    late: bool,
) -> list[tuple[date, int, str, str]]:
    """Play one conversation on ``day``; returns what follows from it on later days."""
    roll = _roll(talk_id)
    if not late and roll < 7:
        reason = "verzet en niet opnieuw gepland" if roll < 4 else "ziek"
        service.mark_missed(talk_id, reason=reason)
        return []
    if not late and roll >= 90:
        return [(day + timedelta(days=21), 0, "late", talk_id)]
    starts = datetime.combine(day, time(9, 0), tzinfo=UTC)
    service.schedule(talk_id, starts)
    service.record_held(talk_id, at=starts + timedelta(hours=1))
    talk = service.administration.conversation(talk_id)
    employee, manager = talk.employee_id, talk.manager_id
    if manager is None:
        return []
    if talk.type_key == "check_in":
        wellbeing = 2 if roll % 17 == 0 else 3 + roll % 3
        leaving = roll % 23 == 0 or (roll % 5 == 0 and employee.endswith(("1", "7")))
        answers = {"wellbeing_score": wellbeing, "considering_leaving": leaving}
        service.record_answers(talk_id, manager, answers)
        # what is still open moves on to the next conversation; what has moved too often
        # goes to HR
        for decision in service.carry_over(talk_id).needs_decision:
            service.escalate_action_item(
                decision.item.id, to_id=HR_CONTACT.id, reason="te vaak doorgeschoven"
            )
    if talk.type_key == "growth_review":
        workload = 4 + roll % 2 if teams.get(employee) == BUSY_TEAM else 2 + roll % 3
        service.record_answers(talk_id, employee, {"workload": workload})
    if talk.type_key not in _REPORTED:
        return []
    service.create_report(talk_id, "Goed gesprek; afspraken vastgelegd.", author_id=manager)
    service.share_report(talk_id, comment_until=day + timedelta(days=7))
    due = day + timedelta(days=30)
    item = service.create_action_item(talk_id, "Opleiding kiezen", owner_id=employee, due=due)
    later = []
    if roll % 4:  # three in four sign, one to ten days after sharing
        later.append((day + timedelta(days=1 + roll % 10), 1, "sign", talk_id))
    if roll % 3:  # two in three agreements are done, some after their due date
        later.append((day + timedelta(days=10 + roll % 35), 2, "complete", item.id))
    return later
