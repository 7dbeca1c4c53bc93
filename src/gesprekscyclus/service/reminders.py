"""Which reminders are due, for whom, under which idempotency key.

Everything here is pure: the service reads the state inside a unit of work, hands it to
:func:`due_reminders` (or :func:`lifecycle_notifications` for the messages a command causes)
and writes the resulting notifications to the outbox in the same transaction.

**Keys.** Every notification key is derived from what the message is about: the reminder
kind, the conversation (or action item), the recipient and, where a later change deserves a
new message, the schedule sequence or the due date. Computing the reminders again therefore
yields the same keys, and the outbox ignores keys it holds already: a reminder is enqueued
once, however often the sweep runs.

**When** (per conversation type, from its :class:`~gesprekscyclus.domain.reminders.ReminderPolicy`;
"today" is the date in the conversation's zone, or the owner's zone for action items):

- ``preparation``: from ``preparation_days`` before the conversation day until that day, to
  every participant, with the questions of their audience in their language; the person
  leading it (the participant in the type's ``led_by`` role) also gets the type's guide;
- ``day_before``: from the day before a scheduled conversation until it starts;
- ``report_due``: ``report_due_days`` after it was held, to its leader, while unreported;
- ``sign_off_pending``: ``sign_off_days`` after a report needing sign-off was shared, to the
  employee, while unsigned;
- ``escalation``: ``escalate_after_days`` past the latest date of a conversation still not
  held, to the HR contact (or, without one, the manager's manager);
- ``action_item_due`` / ``action_item_overdue``: ``action_item_due_days`` before the due date
  of an open item, and once it is past due, to its owner.

An escalation about a conversation the HR contact takes part in as employee or manager goes to
the HR contact's own manager, never to HR about itself.

**Expiry.** A reminder that no longer serves is never sent. Each notification carries the
instant its moment passes (``expires_at``; the dispatcher expires it from then on):
``preparation`` when the conversation starts (or, unscheduled, when its day ends),
``day_before`` and ``scheduled`` when it starts and ends, ``action_item_due`` when the due day
ends; the others serve until withdrawn. And when a conversation moves on, the service
withdraws its pending messages in the same unit of work (:func:`withdrawal_for`): once held,
nothing but the report reminders; once reported, only the sign-off reminder; once closed,
cancelled or missed, nothing (a cancellation notice excepted). A rescheduled conversation's
older invitations and day-before reminders are withdrawn too, and so are an action item's
reminders once it is done, dropped or re-dated.

>>> reminder_key("preparation", "c-1", "e-1") == reminder_key("preparation", "c-1", "e-1")
True
>>> reminder_key("preparation", "c-1", "e-1")[:12]
'preparation-'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from attrs import field, frozen

from gesprekscyclus.domain.action_items import ActionItem, ActionItemStatus
from gesprekscyclus.domain.calendar import localize
from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus, Participant
from gesprekscyclus.domain.guides import ConversationGuide
from gesprekscyclus.domain.people import Person, Role
from gesprekscyclus.domain.questions import Audience, QuestionSet, QuestionSetRef
from gesprekscyclus.domain.reminders import ReminderKind, ReminderPolicy, reminder_key
from gesprekscyclus.domain.reports import Report, ReportAction, ReportStatus
from gesprekscyclus.domain.text import LocalizedText
from gesprekscyclus.domain.voice import VOICE_CHECK_DAYS, voice_question_set
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.ports.notifier import ActionItemInfo, ConversationInfo, Notification, Recipient
from gesprekscyclus.ports.store import Withdrawal

__all__ = [
    "ReminderReport",
    "ReminderScan",
    "asks_voice",
    "conversation_info",
    "due_reminders",
    "lifecycle_notifications",
    "pinned_question_set",
    "policy_for",
    "recipient",
    "reminder_key",
    "voice_check_notifications",
    "withdrawal_for",
]

_OPEN = frozenset({ConversationStatus.PLANNED, ConversationStatus.SCHEDULED})
_AUDIENCE = {
    Role.EMPLOYEE: Audience.EMPLOYEE_PREPARATION,
    Role.MANAGER: Audience.MANAGER_PREPARATION,
}


#: The reminder kinds about a conversation.
_ABOUT_CONVERSATIONS = frozenset(
    {
        ReminderKind.PREPARATION,
        ReminderKind.DAY_BEFORE,
        ReminderKind.REPORT_DUE,
        ReminderKind.SIGN_OFF_PENDING,
        ReminderKind.ESCALATION,
        ReminderKind.SCHEDULED,
        ReminderKind.CANCELLED,
        ReminderKind.VOICE_CHECK,
    }
)
#: Per status of a conversation that has moved on, the kinds that still serve.
_STILL_SERVING: Mapping[ConversationStatus, frozenset[ReminderKind]] = {
    ConversationStatus.HELD: frozenset(
        {ReminderKind.REPORT_DUE, ReminderKind.SIGN_OFF_PENDING, ReminderKind.VOICE_CHECK}
    ),
    ConversationStatus.REPORTED: frozenset(
        {ReminderKind.SIGN_OFF_PENDING, ReminderKind.VOICE_CHECK}
    ),
    ConversationStatus.CLOSED: frozenset({ReminderKind.VOICE_CHECK}),
    ConversationStatus.CANCELLED: frozenset({ReminderKind.CANCELLED}),
    ConversationStatus.MISSED: frozenset(),
}


def withdrawal_for(conversation: Conversation) -> Withdrawal | None:
    """Which pending messages about ``conversation`` no longer serve in its status
    (``None`` while it still has to take place).

    >>> from datetime import date, datetime, timezone
    >>> from gesprekscyclus.domain.conversations import Window
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> talk = Conversation.plan(id="c-1", type_key="check_in", employee_id="e-1",
    ...     manager_id="m-1", window=Window(date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 9)))
    >>> withdrawal_for(talk) is None
    True
    >>> held = withdrawal_for(talk.schedule(at, at=at).hold(at=at))
    >>> sorted(kind.value for kind in held.kinds), held.reason
    (['cancelled', 'day_before', 'escalation', 'preparation', 'scheduled'], "'c-1' was held")
    """
    still = _STILL_SERVING.get(conversation.status)
    if still is None:
        return None
    return Withdrawal(
        conversation_id=conversation.id,
        kinds=_ABOUT_CONVERSATIONS - still,
        reason=f"{conversation.id!r} was {conversation.status.value}",
    )


def _day_end(day: date, zone: str) -> datetime:
    """The first instant after local ``day`` in ``zone``."""
    return localize(day + timedelta(days=1), time(0, 0), zone)


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@frozen
class ReminderReport:
    """What one reminder sweep did: ``enqueued`` new keys out of ``due`` reminders found
    (the rest were enqueued before), and the reminders it could not address, with why."""

    due: int = 0
    enqueued: int = 0
    skipped: tuple[str, ...] = field(default=(), converter=_texts)


@frozen
class ReminderScan:
    """The outcome of :func:`due_reminders`: notifications to enqueue, and what was skipped."""

    notifications: tuple[Notification, ...] = ()
    skipped: tuple[str, ...] = ()


def recipient(person: Person, role: Role | str) -> Recipient:
    """A recipient for ``person`` in ``role``, in their language."""
    return Recipient(
        id=person.id, name=person.name, role=Role(role), locale=person.locale, email=person.email
    )


def policy_for(design: CycleDesign, type_key: str) -> ReminderPolicy:
    """The type's reminder policy in ``design``; the default policy for types it lacks."""
    for rule in design.types:
        if rule.type == type_key:
            return rule.reminders
    return ReminderPolicy()


def pinned_question_set(
    conversation: Conversation, design: CycleDesign, catalog: Catalog
) -> QuestionSet | None:
    """The question set a conversation uses: the version its answers are pinned to, else the
    version the design pins for its type, else the latest. ``None`` when its type has none."""
    if conversation.question_set is not None:
        return catalog.question_sets.get(conversation.question_set)
    if conversation.type_key not in catalog:
        return None
    key = catalog.type(conversation.type_key).question_set
    if key is None:
        return None
    version = next(
        (r.question_set_version for r in design.types if r.type == conversation.type_key), None
    )
    if version is None:
        return catalog.question_sets.latest(key)
    return catalog.question_sets.get(QuestionSetRef(key, version))


def _label(conversation: Conversation, catalog: Catalog) -> LocalizedText:
    if conversation.type_key in catalog:
        return catalog.type(conversation.type_key).label
    return LocalizedText(nl=conversation.type_key, en=conversation.type_key)


def conversation_day(conversation: Conversation) -> date:
    """The day of the conversation: its local start date once scheduled, else its target."""
    start = conversation.local_start
    return start.date() if start is not None else conversation.window.target


def conversation_info(
    conversation: Conversation,
    people: Mapping[str, Person],
    catalog: Catalog,
    *,
    cancelled: bool = False,
) -> ConversationInfo:
    """What notifications say about ``conversation``; participants unknown to ``people``
    are left out of the participant list."""
    employee = people.get(conversation.employee_id)
    manager = people.get(conversation.manager_id) if conversation.manager_id else None
    return ConversationInfo(
        id=conversation.id,
        type_key=conversation.type_key,
        type_label=_label(conversation, catalog),
        employee_id=conversation.employee_id,
        employee_name=employee.name if employee is not None else conversation.employee_id,
        manager_id=conversation.manager_id,
        manager_name=manager.name if manager is not None else conversation.manager_id,
        on=conversation_day(conversation),
        time_zone=conversation.time_zone,
        starts_at=conversation.starts_at,
        duration_minutes=conversation.duration_minutes,
        # A cancellation is a revision of the event too: calendar clients expect its
        # SEQUENCE to rise above the last invitation's.
        sequence=conversation.sequence + (1 if cancelled else 0),
        cancelled=cancelled,
        participants=tuple(
            recipient(people[p.person_id], p.role)
            for p in conversation.participants
            if p.person_id in people
        ),
        sensitivity=(
            catalog.type(conversation.type_key).sensitivity
            if conversation.type_key in catalog
            else "normal"
        ),
        modified_at=max((t.at for t in conversation.history), default=None),
    )


def _questions(question_set: QuestionSet | None, role: Role, person: Person) -> tuple[str, ...]:
    if question_set is None:
        return ()
    audience = _AUDIENCE.get(role, Audience.JOINT)
    return tuple(q.text.in_(person.locale) for q in question_set.for_audience(audience))


def lifecycle_notifications(
    conversation: Conversation,
    kind: ReminderKind | str,
    *,
    people: Mapping[str, Person],
    design: CycleDesign,
    catalog: Catalog,
    only: Iterable[str] | None = None,
) -> ReminderScan:
    """The ``scheduled`` or ``cancelled`` messages for every participant (or those in
    ``only``), keyed by conversation, kind, recipient and schedule sequence."""
    kind = ReminderKind(kind)
    if not policy_for(design, conversation.type_key).sends(kind):
        return ReminderScan()
    wanted = None if only is None else frozenset(only)
    info = conversation_info(
        conversation, people, catalog, cancelled=kind is ReminderKind.CANCELLED
    )
    found: list[Notification] = []
    skipped: list[str] = []
    # An invitation serves until the conversation ends; a cancellation always.
    start = conversation.starts_at
    expires_at = (
        start + timedelta(minutes=conversation.duration_minutes)
        if kind is ReminderKind.SCHEDULED and start is not None
        else None
    )
    for participant in conversation.participants:
        if wanted is not None and participant.person_id not in wanted:
            continue
        person = people.get(participant.person_id)
        if person is None:
            skipped.append(_unknown(kind, conversation.id, participant.person_id))
            continue
        found.append(
            Notification(
                key=reminder_key(kind, conversation.id, person.id, conversation.sequence),
                kind=kind,
                recipient=recipient(person, participant.role),
                conversation=info,
                expires_at=expires_at,
            )
        )
    return ReminderScan(tuple(found), tuple(skipped))


def asks_voice(design: CycleDesign, catalog: Catalog, type_key: str) -> bool:
    """Whether conversations of ``type_key`` end with the employee's check: the design's
    rule says so (``TypeRule.voice_check``), else the type does, and the type's reminder
    policy sends ``voice_check`` messages."""
    if type_key not in catalog:
        return False
    rule = next((r for r in design.types if r.type == type_key), None)
    wanted = rule.voice_check if rule is not None and rule.voice_check is not None else None
    asked = catalog.type(type_key).voice_check if wanted is None else wanted
    return asked and policy_for(design, type_key).sends(ReminderKind.VOICE_CHECK)


def voice_check_notifications(
    conversation: Conversation,
    *,
    people: Mapping[str, Person],
    design: CycleDesign,
    catalog: Catalog,
) -> ReminderScan:
    """The check on how a held conversation went, for its employee, where the type asks for
    one. Keyed by conversation and employee only, so it is enqueued once per conversation;
    it expires :data:`~gesprekscyclus.domain.voice.VOICE_CHECK_DAYS` after the conversation
    was held."""
    held = conversation.held_on_instant
    if held is None or not asks_voice(design, catalog, conversation.type_key):
        return ReminderScan()
    kind = ReminderKind.VOICE_CHECK
    person = people.get(conversation.employee_id)
    if person is None:
        return ReminderScan(skipped=(_unknown(kind, conversation.id, conversation.employee_id),))
    note = Notification(
        key=reminder_key(kind, conversation.id, person.id),
        kind=kind,
        recipient=recipient(person, Role.EMPLOYEE),
        conversation=conversation_info(conversation, people, catalog),
        questions=tuple(q.text.in_(person.locale) for q in voice_question_set().questions),
        expires_at=held + timedelta(days=VOICE_CHECK_DAYS),
    )
    return ReminderScan(notifications=(note,))


def _unknown(kind: ReminderKind, about: str, person_id: str | None) -> str:
    return f"{kind.value} for {about!r}: recipient {person_id!r} is not a known person"


def _today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def _shared_at(report: Report) -> datetime | None:
    for step in reversed(report.history):
        if step.action is ReportAction.SHARE:
            return step.at
    return None


class _Sweep:
    """Collects the due reminders of one sweep."""

    def __init__(
        self,
        now: datetime,
        design: CycleDesign,
        catalog: Catalog,
        people: Mapping[str, Person],
        hr_contact_id: str | None,
    ):
        self.now = now
        self.design = design
        self.catalog = catalog
        self.people = people
        self.hr_contact_id = hr_contact_id
        self.found: list[Notification] = []
        self.skipped: list[str] = []

    def add(
        self,
        kind: ReminderKind,
        person_id: str | None,
        role: Role,
        key_parts: tuple[object, ...],
        *,
        conversation: Conversation | None = None,
        item: ActionItem | None = None,
        questions: QuestionSet | None = None,
        expires_at: datetime | None = None,
        guide: ConversationGuide | None = None,
    ) -> None:
        about = conversation.id if conversation is not None else item.id if item else "?"
        person = self.people.get(person_id) if person_id is not None else None
        if person is None:
            self.skipped.append(_unknown(kind, about, person_id))
            return
        self.found.append(
            Notification(
                key=reminder_key(kind, *key_parts, person.id),
                kind=kind,
                recipient=recipient(person, role),
                conversation=(
                    None
                    if conversation is None
                    else conversation_info(conversation, self.people, self.catalog)
                ),
                action_item=(
                    None
                    if item is None
                    else ActionItemInfo(
                        id=item.id, title=item.title, owner_id=item.owner_id, due=item.due
                    )
                ),
                questions=_questions(questions, role, person),
                expires_at=expires_at,
                guide=() if guide is None else guide.sections(person.locale),
                guide_ref=None if guide is None else guide.reference,
            )
        )

    def conversation(self, talk: Conversation) -> None:
        policy = policy_for(self.design, talk.type_key)
        today = _today(self.now, talk.time_zone)
        day = conversation_day(talk)
        if talk.status in _OPEN:
            if policy.sends(ReminderKind.PREPARATION) and (
                day - timedelta(days=policy.preparation_days) <= today <= day
            ):
                questions = pinned_question_set(talk, self.design, self.catalog)
                begins = talk.starts_at or _day_end(day, talk.time_zone)
                leader = self._leader(talk)
                guide = self.catalog.guide_for(talk.type_key)
                for p in talk.participants:
                    self.add(
                        ReminderKind.PREPARATION,
                        p.person_id,
                        p.role,
                        (talk.id,),
                        conversation=talk,
                        questions=questions,
                        expires_at=begins,
                        guide=guide if p == leader and p.role is not Role.EMPLOYEE else None,
                    )
            if (
                policy.sends(ReminderKind.DAY_BEFORE)
                and talk.status is ConversationStatus.SCHEDULED
                and talk.starts_at is not None
                and day - timedelta(days=1) <= today
                and self.now < talk.starts_at
            ):
                for p in talk.participants:
                    self.add(
                        ReminderKind.DAY_BEFORE,
                        p.person_id,
                        p.role,
                        (talk.id, talk.sequence),
                        conversation=talk,
                        expires_at=talk.starts_at,
                    )
            if policy.sends(ReminderKind.ESCALATION) and today > talk.window.latest + timedelta(
                days=policy.escalate_after_days
            ):
                self.add(
                    ReminderKind.ESCALATION,
                    self._escalation_contact(talk),
                    Role.HR,
                    (talk.id,),
                    conversation=talk,
                )
        if (
            talk.status is ConversationStatus.HELD
            and talk.requires_report
            and policy.sends(ReminderKind.REPORT_DUE)
        ):
            held = talk.held_on_instant
            if (
                held is not None
                and _today(held, talk.time_zone) + timedelta(days=policy.report_due_days) <= today
            ):
                leader = self._leader(talk)
                self.add(
                    ReminderKind.REPORT_DUE,
                    leader.person_id if leader else None,
                    leader.role if leader else Role.MANAGER,
                    (talk.id,),
                    conversation=talk,
                )

    def report(self, report: Report, talk: Conversation | None) -> None:
        if report.status is not ReportStatus.SHARED or not report.requires_sign_off:
            return
        policy = policy_for(self.design, talk.type_key) if talk else ReminderPolicy()
        if not policy.sends(ReminderKind.SIGN_OFF_PENDING):
            return
        zone = talk.time_zone if talk else "UTC"
        shared = _shared_at(report)
        if shared is None:
            return
        if _today(shared, zone) + timedelta(days=policy.sign_off_days) <= _today(self.now, zone):
            self.add(
                ReminderKind.SIGN_OFF_PENDING,
                report.employee_id,
                Role.EMPLOYEE,
                (report.conversation_id,),
                conversation=talk,
            )

    def action_item(self, item: ActionItem, origin: Conversation | None) -> None:
        if item.status is not ActionItemStatus.OPEN or item.due is None:
            return
        policy = policy_for(self.design, origin.type_key) if origin else ReminderPolicy()
        owner = self.people.get(item.owner_id)
        zone = owner.time_zone if owner is not None else "Europe/Amsterdam"
        today = _today(self.now, zone)
        role = Role.MANAGER if item.owner_id == item.manager_id else Role.EMPLOYEE
        if today > item.due:
            if policy.sends(ReminderKind.ACTION_ITEM_OVERDUE):
                self.add(
                    ReminderKind.ACTION_ITEM_OVERDUE,
                    item.owner_id,
                    role,
                    (item.id, item.due.isoformat()),
                    item=item,
                )
        elif policy.sends(ReminderKind.ACTION_ITEM_DUE) and (
            item.due - timedelta(days=policy.action_item_due_days) <= today
        ):
            self.add(
                ReminderKind.ACTION_ITEM_DUE,
                item.owner_id,
                role,
                (item.id, item.due.isoformat()),
                item=item,
                expires_at=_day_end(item.due, zone),
            )

    def _leader(self, talk: Conversation) -> Participant | None:
        led_by = self.catalog.type(talk.type_key).led_by if talk.type_key in self.catalog else None
        for wanted in (led_by, Role.MANAGER):
            for p in talk.participants:
                if p.role is wanted:
                    return p
        return None

    def _escalation_contact(self, talk: Conversation) -> str | None:
        hr = self.hr_contact_id
        if hr is not None and hr not in (talk.employee_id, talk.manager_id):
            return hr
        # About HR's own conversation: HR's manager; without HR: the manager's manager.
        above = hr if hr is not None else talk.manager_id
        person = self.people.get(above) if above is not None else None
        return person.manager_id if person is not None else None


def due_reminders(
    *,
    now: datetime,
    design: CycleDesign,
    catalog: Catalog,
    people: Mapping[str, Person],
    conversations: Iterable[Conversation],
    reports: Iterable[Report] = (),
    action_items: Iterable[ActionItem] = (),
    hr_contact_id: str | None = None,
) -> ReminderScan:
    """Every reminder due at ``now`` for the given state; see the module docstring.

    The result lists each notification once; reminders whose recipient is not among
    ``people`` (or for which no escalation contact exists) are listed in ``skipped``.
    """
    sweep = _Sweep(now, design, catalog, people, hr_contact_id)
    by_id: dict[str, Conversation] = {}
    for talk in conversations:
        by_id[talk.id] = talk
        sweep.conversation(talk)
    for report in reports:
        sweep.report(report, by_id.get(report.conversation_id))
    for item in action_items:
        sweep.action_item(item, by_id.get(item.origin_conversation_id))
    unique = {notification.key: notification for notification in sweep.found}
    return ReminderScan(tuple(unique.values()), tuple(sweep.skipped))


def known(people: Iterable[Person]) -> dict[str, Person]:
    """People keyed by id."""
    return {person.id: person for person in people}
