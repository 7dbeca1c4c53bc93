"""The application service: commands and queries on the store, one unit of work each.

:class:`ConversationService` is what an embedding application calls. Every command reads the
clock once, loads what it needs, applies the domain rule and writes the changed aggregates
together with the notifications the change causes, in one unit of work: either all of it is
stored or none of it. Domain errors (an illegal transition, a wrong answer, a stale version)
pass through unchanged.

>>> from datetime import date, datetime, timezone
>>> from gesprekscyclus.adapters.memory import MemoryStore
>>> from gesprekscyclus.domain.cadence import Interval
>>> from gesprekscyclus.domain.people import Person
>>> from gesprekscyclus.planning.design import CycleDesign, TypeRule
>>> from gesprekscyclus.ports.clock import FixedClock
>>> design = CycleDesign(name="demo", cycle_start=date(2026, 1, 1), types=(
...     TypeRule(type="check_in", cadence=(Interval(every=1, unit="months",
...                                                 anchor="cycle_start"),)),))
>>> clock = FixedClock(datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc))
>>> service = ConversationService(MemoryStore(), clock, design=design)
>>> service.upsert_person(Person(id="m", name="Mia", hire_date=date(2020, 1, 1)))
>>> service.hire(Person(id="e", name="Eva", hire_date=date(2024, 5, 1), manager_id="m"))
True
>>> report = service.materialise(date(2026, 1, 1), date(2026, 3, 31))
>>> report.added, service.materialise(date(2026, 1, 1), date(2026, 3, 31)).changed
(3, False)
>>> first = service.agenda_for_manager("m", today=date(2026, 1, 5))[0].conversation
>>> first.window.target.isoformat(), first.status.value
('2026-01-02', 'planned')
>>> service.schedule(first.id, datetime(2026, 1, 6, 9, 0, tzinfo=timezone.utc)).status.value
'scheduled'
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import attrs
from attrs import frozen

from gesprekscyclus.domain.action_items import (
    ActionItem,
    ActionItemStatus,
    NeedsDecision,
    carry_over,
)
from gesprekscyclus.domain.catalog import Catalog, built_in_catalog
from gesprekscyclus.domain.conversation_types import SignOffRequirement
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.questions import AnswerValue
from gesprekscyclus.domain.reminders import ReminderKind, ReminderPolicy
from gesprekscyclus.domain.reports import Report, SignOffKind
from gesprekscyclus.errors import InvalidTransitionError, InvalidValueError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.planner import plan
from gesprekscyclus.ports.clock import Clock
from gesprekscyclus.ports.store import Store, UnitOfWork, aware_utc, version_of
from gesprekscyclus.service.dispatch import Dispatcher, DispatchReport
from gesprekscyclus.service.materialise import MaterialiseReport, apply_plan, with_manager
from gesprekscyclus.service.reminders import (
    ReminderReport,
    due_reminders,
    lifecycle_notifications,
    pinned_question_set,
)

__all__ = [
    "PLAN_MARGIN_DAYS",
    "AgendaEntry",
    "CarryOverResult",
    "ConversationService",
    "ManagerChange",
    "TickReport",
    "tick",
]

#: Days planned on either side of a materialise horizon, so that an occurrence whose date
#: a business-day convention or load levelling moved across the edge is still recognised.
PLAN_MARGIN_DAYS = 45

_OPEN = frozenset({ConversationStatus.PLANNED, ConversationStatus.SCHEDULED})


@frozen
class AgendaEntry:
    """One upcoming conversation and the open action items on its agenda."""

    conversation: Conversation
    action_items: tuple[ActionItem, ...] = ()


@frozen
class CarryOverResult:
    """What carrying open items onto the next conversation did.

    ``next_conversation_id`` is ``None`` when the pair has no open conversation to carry to;
    ``needs_decision`` lists the items at the design's carry-over limit.
    """

    from_conversation_id: str
    next_conversation_id: str | None
    carried: tuple[ActionItem, ...] = ()
    needs_decision: tuple[NeedsDecision, ...] = ()


@frozen
class ManagerChange:
    """The outcome of a manager change: which open conversations moved to the new manager,
    and which stayed because their old manager wrote notes on them."""

    person_id: str
    old_manager_id: str | None
    new_manager_id: str
    moved: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()


@frozen
class TickReport:
    """One pass of :func:`tick`."""

    materialised: MaterialiseReport
    reminders: ReminderReport
    dispatched: DispatchReport


def _item_id(conversation_id: str, title: str, owner_id: str, due: date | None) -> str:
    text = "\x1f".join((conversation_id, title, owner_id, due.isoformat() if due else ""))
    return "action-" + hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


class ConversationService:
    """Commands and queries for one cycle design on one store.

    ``clock`` supplies the instant of every command. ``catalog`` defaults to the built-in
    catalog. ``hr_contact_id`` names the person who receives escalations (and joins types
    with an HR participant); without one, escalations go to the manager's manager.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        design: CycleDesign,
        catalog: Catalog | None = None,
        hr_contact_id: str | None = None,
    ):
        if hr_contact_id is not None and (
            not isinstance(hr_contact_id, str) or not hr_contact_id.strip()
        ):
            raise InvalidValueError("hr_contact_id", "must be a person id, not blank")
        self.store = store
        self.clock = clock
        self.design = design
        self.catalog: Catalog = catalog if catalog is not None else built_in_catalog()
        self.hr_contact_id = hr_contact_id

    # --- internals ----------------------------------------------------------------------

    def _now(self) -> datetime:
        return aware_utc(self.clock.now(), "clock.now()")

    def _people(self, uow: UnitOfWork, ids: Iterable[str | None]) -> dict[str, Person]:
        found: dict[str, Person] = {}
        for person_id in ids:
            if person_id is None or person_id in found:
                continue
            person = uow.people.find(person_id)
            if person is not None:
                found[person_id] = person
        return found

    def _notify(
        self,
        uow: UnitOfWork,
        conversation: Conversation,
        kind: ReminderKind,
        at: datetime,
        *,
        only: Iterable[str] | None = None,
    ) -> None:
        people = self._people(uow, (p.person_id for p in conversation.participants))
        scan = lifecycle_notifications(
            conversation,
            kind,
            people=people,
            design=self.design,
            catalog=self.catalog,
            only=only,
        )
        if scan.notifications:
            uow.outbox.enqueue(scan.notifications, due_at=at)

    def _change(
        self,
        conversation_id: str,
        step: Callable[[Conversation, datetime], Conversation],
        notify: ReminderKind | None = None,
    ) -> Conversation:
        at = self._now()
        with self.store.unit_of_work() as uow:
            current = uow.conversations.get(conversation_id)
            changed = step(current, at)
            uow.conversations.update(changed, expected_version=version_of(current))
            if notify is not None:
                self._notify(uow, changed, notify, at)
        return changed

    def _change_report(
        self,
        conversation_id: str,
        step: Callable[[Report, datetime], Report],
        follow: Callable[[Conversation, datetime], Conversation | None] | None = None,
    ) -> Report:
        at = self._now()
        with self.store.unit_of_work() as uow:
            current = uow.reports.get(conversation_id)
            changed = step(current, at)
            uow.reports.update(changed, expected_version=version_of(current))
            if follow is not None:
                talk = uow.conversations.get(conversation_id)
                moved = follow(talk, at)
                if moved is not None:
                    uow.conversations.update(moved, expected_version=version_of(talk))
        return changed

    def _change_item(
        self, item_id: str, step: Callable[[ActionItem, datetime], ActionItem]
    ) -> ActionItem:
        at = self._now()
        with self.store.unit_of_work() as uow:
            current = uow.action_items.get(item_id)
            changed = step(current, at)
            uow.action_items.update(changed, expected_version=version_of(current))
        return changed

    # --- people and life events ---------------------------------------------------------

    def upsert_person(self, person: Person) -> None:
        """Store ``person``, replacing the stored version with the same id.

        To change someone's manager and move their open conversations along, use
        :meth:`change_manager`; a plain upsert only affects what is planned from now on.
        """
        with self.store.unit_of_work() as uow:
            uow.people.upsert(person)

    def record_event(self, event: LifeEvent) -> bool:
        """Record a life event of a stored person; ``False`` when it was recorded already.

        A ``last_day`` event also sets the person's end date; a ``manager_change`` (with
        the new manager's id as ``detail``) does what :meth:`change_manager` does.
        """
        if event.kind is LifeEventKind.MANAGER_CHANGE:
            if event.detail is None:
                raise InvalidValueError(
                    "LifeEvent.detail", "a manager change needs the new manager's id"
                )
            self.change_manager(event.person_id, event.detail, on=event.on)
            return True
        with self.store.unit_of_work() as uow:
            person = uow.people.get(event.person_id)
            added = uow.events.append(event)
            if event.kind is LifeEventKind.LAST_DAY and person.end_date != event.on:
                uow.people.upsert(_evolve_person(person, end_date=event.on))
        return added

    def hire(self, person: Person) -> bool:
        """Store a new person and their ``hired`` event on the hire date."""
        with self.store.unit_of_work() as uow:
            uow.people.upsert(person)
            return uow.events.append(
                LifeEvent(on=person.hire_date, person_id=person.id, kind=LifeEventKind.HIRED)
            )

    def give_notice(self, person_id: str, *, on: date, last_day: date) -> None:
        """Record that notice was given on ``on``, ending employment after ``last_day``."""
        with self.store.unit_of_work() as uow:
            person = uow.people.get(person_id)
            uow.events.append(LifeEvent(on=on, person_id=person_id, kind="notice_given"))
            uow.events.append(LifeEvent(on=last_day, person_id=person_id, kind="last_day"))
            uow.people.upsert(_evolve_person(person, end_date=last_day))

    def record_sick_report(self, person_id: str, *, on: date) -> bool:
        """Record a sick report with ``on`` as the first sick day."""
        return self.record_event(LifeEvent(on=on, person_id=person_id, kind="sick_report"))

    def record_recovery(self, person_id: str, *, on: date) -> bool:
        """Record recovery, ``on`` being the first day fully back at work."""
        return self.record_event(LifeEvent(on=on, person_id=person_id, kind="recovery"))

    def record_leave(self, person_id: str, *, start: date, end: date | None = None) -> None:
        """Record long leave from ``start`` and, when known, the first day back ``end``."""
        self.record_event(LifeEvent(on=start, person_id=person_id, kind="leave_started"))
        if end is not None:
            self.record_event(LifeEvent(on=end, person_id=person_id, kind="leave_ended"))

    def change_manager(self, person_id: str, new_manager_id: str, *, on: date) -> ManagerChange:
        """Give ``person_id`` a new manager from ``on``.

        Conversations that have not been held yet (planned or scheduled) move to the new
        manager, who is told about the scheduled ones; held, reported, closed, cancelled and
        missed ones keep the old manager, so history stays as it was. An open conversation on
        which the old manager wrote notes keeps that manager (listed in ``kept``).
        """
        at = self._now()
        with self.store.unit_of_work() as uow:
            person = uow.people.get(person_id)
            uow.people.get(new_manager_id)
            old = person.manager_id
            uow.events.append(
                LifeEvent(on=on, person_id=person_id, kind="manager_change", detail=new_manager_id)
            )
            uow.people.upsert(_evolve_person(person, manager_id=new_manager_id))
            moved: list[str] = []
            kept: list[str] = []
            for talk in uow.conversations.by_employee(person_id):
                if talk.status not in _OPEN or talk.manager_id == new_manager_id:
                    continue
                try:
                    changed = with_manager(talk, new_manager_id)
                except InvalidValueError:
                    kept.append(talk.id)
                    continue
                uow.conversations.update(changed, expected_version=version_of(talk))
                moved.append(talk.id)
                if changed.status is ConversationStatus.SCHEDULED:
                    self._notify(uow, changed, ReminderKind.SCHEDULED, at, only=[new_manager_id])
        return ManagerChange(person_id, old, new_manager_id, tuple(moved), tuple(kept))

    # --- planning -----------------------------------------------------------------------

    def materialise(self, start: date, end: date) -> MaterialiseReport:
        """Plan ``[start, end]`` with the stored people, events and conversations and apply
        the plan by id (see :mod:`gesprekscyclus.service.materialise`). Running it twice
        with the same state changes nothing the second time."""
        if end < start:
            raise InvalidValueError("end", f"{end} lies before start {start}")
        at = self._now()
        margin = timedelta(days=PLAN_MARGIN_DAYS)
        with self.store.unit_of_work() as uow:
            people = uow.people.all()
            existing: dict[str, Conversation] = {}
            for person in people:
                for talk in uow.conversations.by_employee(person.id):
                    existing[talk.id] = talk
            result = plan(
                self.design,
                people,
                uow.events.all(),
                start=start - margin,
                end=end + margin,
                catalog=self.catalog,
                existing=existing.values(),
            )
            return apply_plan(
                uow,
                result,
                start=start,
                end=end,
                existing=existing,
                people={person.id: person for person in people},
                at=at,
                catalog=self.catalog,
                hr_contact_id=self.hr_contact_id,
            )

    # --- conversations ------------------------------------------------------------------

    def schedule(self, conversation_id: str, starts_at: datetime) -> Conversation:
        """Fix the time of a planned conversation and tell every participant."""
        return self._change(
            conversation_id,
            lambda talk, at: talk.schedule(starts_at, at=at),
            ReminderKind.SCHEDULED,
        )

    def reschedule(self, conversation_id: str, starts_at: datetime, *, reason: str) -> Conversation:
        """Move a scheduled conversation; every participant gets the new time."""
        return self._change(
            conversation_id,
            lambda talk, at: talk.reschedule(starts_at, reason=reason, at=at),
            ReminderKind.SCHEDULED,
        )

    def cancel(self, conversation_id: str, *, reason: str) -> Conversation:
        """Call a conversation off; participants of a scheduled one are told."""
        at = self._now()
        with self.store.unit_of_work() as uow:
            current = uow.conversations.get(conversation_id)
            changed = current.cancel(reason=reason, at=at)
            uow.conversations.update(changed, expected_version=version_of(current))
            if current.status is ConversationStatus.SCHEDULED:
                self._notify(uow, changed, ReminderKind.CANCELLED, at)
        return changed

    def mark_missed(self, conversation_id: str, *, reason: str) -> Conversation:
        """Record that a conversation did not take place; it stays on file."""
        return self._change(
            conversation_id, lambda talk, at: talk.mark_missed(reason=reason, at=at)
        )

    def record_held(self, conversation_id: str) -> Conversation:
        """Record that the scheduled conversation took place (now)."""
        return self._change(conversation_id, lambda talk, at: talk.hold(at=at))

    def close(self, conversation_id: str) -> Conversation:
        """Close a held conversation whose type keeps no report (or a reported one)."""
        return self._change(conversation_id, lambda talk, at: talk.close(at=at))

    def record_answers(
        self, conversation_id: str, author_id: str, answers: Mapping[str, AnswerValue]
    ) -> Conversation:
        """Record ``author_id``'s answers, checked against the conversation's question set:
        the version already pinned by earlier answers, else the one the design pins, else
        the latest."""

        def step(talk: Conversation, at: datetime) -> Conversation:
            question_set = pinned_question_set(talk, self.design, self.catalog)
            if question_set is None:
                raise InvalidValueError(
                    "Conversation.type_key",
                    f"type {talk.type_key!r} of {talk.id!r} has no question set to answer",
                )
            return talk.record_answers(question_set, author_id, answers, at=at)

        return self._change(conversation_id, step)

    def add_note(
        self, conversation_id: str, author_id: str, text: str, *, private: bool = False
    ) -> Conversation:
        """Add a shared note, or a ``private`` one only its author reads."""
        return self._change(
            conversation_id,
            lambda talk, at: talk.add_note(author_id, text, private=private, at=at),
        )

    # --- reports ------------------------------------------------------------------------

    def create_report(
        self, conversation_id: str, summary: str, *, agreements: Iterable[str] = ()
    ) -> Report:
        """Start the draft report of a held conversation.

        Whether it needs sign-off comes from the conversation type (``required``).
        """
        with self.store.unit_of_work() as uow:
            talk = uow.conversations.get(conversation_id)
            if talk.status is not ConversationStatus.HELD:
                raise InvalidTransitionError(
                    f"Conversation {talk.id!r}",
                    talk.status.value,
                    "create_report",
                    [action.value for action in talk.allowed_actions()],
                )
            needs_sign_off = (
                talk.type_key in self.catalog
                and self.catalog.type(talk.type_key).sign_off is SignOffRequirement.REQUIRED
            )
            if talk.type_key in self.catalog and not self.catalog.type(talk.type_key).report:
                raise InvalidValueError(
                    "ConversationType.report", f"type {talk.type_key!r} keeps no report"
                )
            report = Report(
                conversation_id=talk.id,
                employee_id=talk.employee_id,
                summary=summary,
                agreements=tuple(agreements),
                requires_sign_off=needs_sign_off,
            )
            uow.reports.add(report)
        return report

    def revise_report(
        self,
        conversation_id: str,
        *,
        summary: str | None = None,
        agreements: Iterable[str] | None = None,
    ) -> Report:
        """Change the summary and/or agreements of a draft or shared report."""
        terms = None if agreements is None else tuple(agreements)
        return self._change_report(
            conversation_id,
            lambda report, at: report.revise(summary=summary, agreements=terms, at=at),
        )

    def share_report(self, conversation_id: str, *, comment_until: date) -> Report:
        """Share the draft with the employee; the conversation counts as reported."""

        def follow(talk: Conversation, at: datetime) -> Conversation | None:
            if talk.status is ConversationStatus.HELD:
                return talk.mark_reported(at=at)
            return None

        return self._change_report(
            conversation_id,
            lambda report, at: report.share(comment_until=comment_until, at=at),
            follow,
        )

    def comment_on_report(self, conversation_id: str, author_id: str, text: str) -> Report:
        """Comment on a shared report inside its comment window."""
        return self._change_report(
            conversation_id, lambda report, at: report.comment(author_id, text, at=at)
        )

    def sign_report(
        self, conversation_id: str, employee_id: str, *, kind: SignOffKind | str
    ) -> Report:
        """The employee signs the shared report as agreed or as seen."""
        return self._change_report(
            conversation_id, lambda report, at: report.sign(employee_id, kind=kind, at=at)
        )

    def refuse_sign_off(self, conversation_id: str, employee_id: str, *, reason: str) -> Report:
        """The employee declines to sign, saying why; filing stays possible."""
        return self._change_report(
            conversation_id,
            lambda report, at: report.refuse_sign_off(employee_id, reason=reason, at=at),
        )

    def add_written_view(self, conversation_id: str, employee_id: str, text: str) -> Report:
        """Attach the employee's own written view to the report, once and for good."""
        return self._change_report(
            conversation_id,
            lambda report, at: report.add_written_view(employee_id, text, at=at),
        )

    def file_report(self, conversation_id: str) -> Report:
        """File the report; a reported conversation is closed with it."""

        def follow(talk: Conversation, at: datetime) -> Conversation | None:
            if talk.status is ConversationStatus.REPORTED:
                return talk.close(at=at)
            return None

        return self._change_report(conversation_id, lambda report, at: report.file(at=at), follow)

    # --- action items -------------------------------------------------------------------

    def create_action_item(
        self,
        conversation_id: str,
        title: str,
        *,
        owner_id: str,
        due: date | None = None,
        item_id: str | None = None,
    ) -> ActionItem:
        """Record an action item agreed in a conversation, between its employee and manager.

        Without ``item_id`` the id is derived from the conversation, title, owner and due
        date, so recording the same item twice raises a conflict instead of duplicating it.
        """
        with self.store.unit_of_work() as uow:
            talk = uow.conversations.get(conversation_id)
            item = ActionItem(
                id=item_id or _item_id(talk.id, title, owner_id, due),
                title=title,
                owner_id=owner_id,
                due=due,
                origin_conversation_id=talk.id,
                employee_id=talk.employee_id,
                manager_id=talk.manager_id,
            )
            uow.action_items.add_many([item])
        return item

    def complete_action_item(self, item_id: str) -> ActionItem:
        """Mark an item done."""
        return self._change_item(item_id, lambda item, at: item.complete(at=at))

    def drop_action_item(self, item_id: str, *, reason: str) -> ActionItem:
        """Give an item up, saying why."""
        return self._change_item(item_id, lambda item, at: item.drop(reason=reason, at=at))

    def rescope_action_item(
        self, item_id: str, *, title: str | None = None, due: date | None = None
    ) -> ActionItem:
        """New terms for an item; its carry count starts again."""
        return self._change_item(
            item_id, lambda item, at: item.rescope(title=title, due=due, at=at)
        )

    def escalate_action_item(self, item_id: str, *, to_id: str, reason: str) -> ActionItem:
        """Bring an item to ``to_id``'s attention; its carry count starts again."""
        return self._change_item(
            item_id, lambda item, at: item.escalate(to_id=to_id, reason=reason, at=at)
        )

    def carry_over(self, from_conversation_id: str) -> CarryOverResult:
        """Carry the open items of a conversation's employee and manager onto their next
        open conversation (the earliest by target date, other than this one).

        Items that reached the design's ``carry_over_limit`` are not carried but returned in
        ``needs_decision``. Calling this again for the same pair counts nothing twice.
        """
        at = self._now()
        with self.store.unit_of_work() as uow:
            source = uow.conversations.get(from_conversation_id)
            upcoming = [
                talk
                for talk in uow.conversations.by_employee(source.employee_id)
                if talk.status in _OPEN
                and talk.id != source.id
                and talk.manager_id == source.manager_id
                and talk.window.target >= source.window.target
            ]
            if not upcoming:
                return CarryOverResult(source.id, None)
            target = min(upcoming, key=lambda talk: (talk.window.target, talk.id))
            items = uow.action_items.open_between(source.employee_id, source.manager_id)
            before = {item.id: item for item in items}
            outcome = carry_over(
                items, next_conversation=target, limit=self.design.carry_over_limit, at=at
            )
            for item in outcome.carried:
                if item != before[item.id]:
                    uow.action_items.update(item, expected_version=version_of(before[item.id]))
        return CarryOverResult(source.id, target.id, outcome.carried, outcome.needs_decision)

    # --- reminders ----------------------------------------------------------------------

    def enqueue_due_reminders(self, now: datetime) -> ReminderReport:
        """Put every reminder due at ``now`` in the outbox; keys that are there already are
        skipped, so calling this again enqueues nothing new (see
        :mod:`gesprekscyclus.service.reminders`)."""
        now = aware_utc(now, "now")
        with self.store.unit_of_work() as uow:
            state = _reminder_state(uow, self.design, now, self.hr_contact_id)
            scan = due_reminders(
                now=now,
                design=self.design,
                catalog=self.catalog,
                people=state.people,
                conversations=state.conversations,
                reports=state.reports,
                action_items=state.action_items,
                hr_contact_id=self.hr_contact_id,
            )
            enqueued = (
                uow.outbox.enqueue(scan.notifications, due_at=now) if scan.notifications else 0
            )
        return ReminderReport(due=len(scan.notifications), enqueued=enqueued, skipped=scan.skipped)

    # --- queries ------------------------------------------------------------------------

    def person(self, person_id: str) -> Person:
        """One stored person."""
        with self.store.unit_of_work() as uow:
            return uow.people.get(person_id)

    def conversation(self, conversation_id: str) -> Conversation:
        """One stored conversation."""
        with self.store.unit_of_work() as uow:
            return uow.conversations.get(conversation_id)

    def report(self, conversation_id: str) -> Report:
        """The report of one conversation."""
        with self.store.unit_of_work() as uow:
            return uow.reports.get(conversation_id)

    def action_item(self, item_id: str) -> ActionItem:
        """One stored action item."""
        with self.store.unit_of_work() as uow:
            return uow.action_items.get(item_id)

    def conversations_of(self, employee_id: str) -> list[Conversation]:
        """Every conversation of one employee, by target date."""
        with self.store.unit_of_work() as uow:
            return uow.conversations.by_employee(employee_id)

    def agenda_for_manager(
        self, manager_id: str, *, today: date, until: date | None = None
    ) -> tuple[AgendaEntry, ...]:
        """The manager's upcoming conversations (open, window not yet past, target up to
        ``until``), each with the open action items on its agenda."""
        with self.store.unit_of_work() as uow:
            return _agenda(uow, uow.conversations.by_manager(manager_id), today, until)

    def agenda_for_person(
        self, employee_id: str, *, today: date, until: date | None = None
    ) -> tuple[AgendaEntry, ...]:
        """One employee's upcoming conversations with their open action items."""
        with self.store.unit_of_work() as uow:
            return _agenda(uow, uow.conversations.by_employee(employee_id), today, until)

    def due_conversations(self, today: date) -> list[Conversation]:
        """Open conversations whose target day has come and whose window is still open."""
        with self.store.unit_of_work() as uow:
            return [c for c in uow.conversations.due(today) if not c.is_overdue(today)]

    def overdue_conversations(self, today: date) -> list[Conversation]:
        """Open conversations whose latest date lies before ``today``."""
        with self.store.unit_of_work() as uow:
            return uow.conversations.overdue(today)

    def overdue_action_items(self, today: date) -> list[ActionItem]:
        """Open action items past their due date, owned by stored people, by due date."""
        with self.store.unit_of_work() as uow:
            items = uow.action_items.open_due_before(today)
            owners = {person.id for person in uow.people.by_ids({i.owner_id for i in items})}
        return [item for item in items if item.owner_id in owners]

    def pending_sign_offs(self) -> list[Report]:
        """Shared reports that still wait for the employee's sign-off, of stored people; by
        employee, then conversation."""
        with self.store.unit_of_work() as uow:
            reports = uow.reports.pending_sign_off()
            known = {person.id for person in uow.people.by_ids({r.employee_id for r in reports})}
        return sorted(
            (report for report in reports if report.employee_id in known),
            key=lambda report: (report.employee_id, report.conversation_id),
        )


@frozen
class _ReminderState:
    """What a reminder sweep reads: only the rows that can make a reminder due."""

    people: dict[str, Person]
    conversations: list[Conversation]
    reports: list[Report]
    action_items: list[ActionItem]


#: A local "today" lies within this many days of the UTC date (zones stay within ±14 hours);
#: the queries below look this much further so that no zone's reminder is missed.
_ZONE_SLACK = timedelta(days=2)


def _reminder_state(
    uow: UnitOfWork, design: CycleDesign, now: datetime, hr_contact_id: str | None
) -> _ReminderState:
    """Read what :func:`~gesprekscyclus.service.reminders.due_reminders` needs at ``now``.

    Only rows that can make a reminder due are read: open conversations whose target or
    start lies within the longest preparation period (overdue ones included, for
    escalations), held ones (report due), shared reports awaiting sign-off, open action items
    due within the longest notice period (overdue ones included), the conversations those
    reports and items belong to (for their type's policy), and the people all of these
    name. As before, only the conversations, reports and items of stored people count.
    """
    policies = [rule.reminders for rule in design.types] + [ReminderPolicy()]
    preparation = timedelta(days=max(p.preparation_days for p in policies)) + _ZONE_SLACK
    notice = timedelta(days=max(p.action_item_due_days for p in policies)) + _ZONE_SLACK
    today = now.date()
    talks = {c.id: c for c in uow.conversations.due(today + preparation)}
    for talk in uow.conversations.scheduled_before(now + preparation + _ZONE_SLACK):
        talks[talk.id] = talk
    for talk in uow.conversations.by_status([ConversationStatus.HELD]):
        if talk.requires_report:
            talks[talk.id] = talk
    reports = uow.reports.pending_sign_off()
    items = uow.action_items.open_due_before(today + notice)
    origins = {r.conversation_id for r in reports} | {i.origin_conversation_id for i in items}
    for talk in uow.conversations.by_ids(origins - talks.keys()):
        talks[talk.id] = talk
    wanted: set[str] = {hr_contact_id} if hr_contact_id is not None else set()
    for talk in talks.values():
        wanted.update(p.person_id for p in talk.participants)
    wanted.update(r.employee_id for r in reports)
    wanted.update(i.owner_id for i in items)
    people = {person.id: person for person in uow.people.by_ids(wanted)}
    managers = {t.manager_id for t in talks.values() if t.manager_id is not None}
    above = {people[m].manager_id for m in managers if m in people} - people.keys()
    above.discard(None)
    people.update((p.id, p) for p in uow.people.by_ids(m for m in above if m is not None))
    return _ReminderState(
        people=people,
        conversations=sorted(
            (t for t in talks.values() if t.employee_id in people),
            key=lambda t: (t.employee_id, t.window.target, t.id),
        ),
        reports=sorted(
            (r for r in reports if r.employee_id in people),
            key=lambda r: (r.employee_id, r.conversation_id),
        ),
        action_items=sorted(
            (i for i in items if i.owner_id in people), key=lambda i: (i.owner_id, i.id)
        ),
    )


def _evolve_person(person: Person, **changes: Any) -> Person:
    return attrs.evolve(person, **changes)


def _agenda(
    uow: UnitOfWork, conversations: Iterable[Conversation], today: date, until: date | None
) -> tuple[AgendaEntry, ...]:
    upcoming = sorted(
        (
            talk
            for talk in conversations
            if talk.status in _OPEN
            and not talk.is_overdue(today)
            and (until is None or talk.window.target <= until)
        ),
        key=lambda talk: (talk.window.target, talk.id),
    )
    open_items: dict[tuple[str, str | None], list[ActionItem]] = {}
    seen_pairs: set[tuple[str, str | None]] = set()
    entries: list[AgendaEntry] = []
    for talk in upcoming:
        pair = (talk.employee_id, talk.manager_id)
        if pair not in open_items:
            open_items[pair] = uow.action_items.open_between(*pair)
        first = pair not in seen_pairs
        seen_pairs.add(pair)
        items = tuple(
            item
            for item in open_items[pair]
            if item.status is ActionItemStatus.OPEN
            and item.origin_conversation_id != talk.id
            and (first or talk.id in item.carried_to)
        )
        entries.append(AgendaEntry(talk, items))
    return tuple(entries)


def tick(
    service: ConversationService,
    dispatcher: Dispatcher,
    now: datetime,
    *,
    horizon_days: int = 365,
) -> TickReport:
    """One pass of the background work: materialise ``horizon_days`` from the day of
    ``now`` (UTC), enqueue the reminders due at ``now``, and dispatch one batch."""
    if isinstance(horizon_days, bool) or horizon_days < 0:
        raise InvalidValueError("horizon_days", f"must be 0 or more, got {horizon_days!r}")
    now = aware_utc(now, "now")
    start = now.date()
    materialised = service.materialise(start, start + timedelta(days=horizon_days))
    reminders = service.enqueue_due_reminders(now)
    dispatched = dispatcher.run_once()
    return TickReport(materialised, reminders, dispatched)
