"""The application service: commands and queries on the store, one unit of work each.

:class:`ConversationService` is what an embedding application calls. Every command reads the
clock once, loads what it needs, applies the domain rule and writes the changed aggregates
together with the notifications the change causes, in one unit of work: either all of it is
stored or none of it. Domain errors (an illegal transition, a wrong answer, a stale version)
pass through unchanged.

**One convention.** A command takes an optional ``at`` (an aware datetime; by default the
clock's now) as the instant it happens, and returns what it leads to: the resulting view, a
:class:`PersonUpdate` for people and life events, or a report value (``ManagerChange``,
``CarryOverResult``, ``MaterialiseReport``, …). (:meth:`ConversationService.record_held`'s
``at`` is the time the conversation was held.) A query takes an optional ``on`` (a date; by
default the clock's date in UTC) where the day matters, and returns tuples for sequences.

**Readers and views.** Every query that returns content takes the ``reader`` (a person id)
and returns views (:mod:`gesprekscyclus.service.views`) holding only what the access policy
(:mod:`gesprekscyclus.domain.access`) lets that reader see; a record the reader may not see
raises :class:`~gesprekscyclus.errors.AccessDeniedError`, and lists leave it out. Commands
done by someone (answers, notes, comments, sign-off) return that person's view; the others
return the metadata only. Reads of confidential and health-related records are written to the
store's access log. The stored aggregates themselves are reachable through one path only,
:attr:`ConversationService.administration`, for exports, migrations and adapters.

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
>>> _ = service.upsert_person(Person(id="m", name="Mia", hire_date=date(2020, 1, 1)))
>>> service.hire(Person(id="e", name="Eva", hire_date=date(2024, 5, 1), manager_id="m")).recorded
True
>>> report = service.materialise(date(2026, 1, 1), date(2026, 3, 31))
>>> report.added, service.materialise(date(2026, 1, 1), date(2026, 3, 31)).changed
(3, False)
>>> first = service.agenda("m", reader="m", start=date(2026, 1, 5))[0].conversation
>>> first.window.target.isoformat(), first.status.value
('2026-01-02', 'planned')
>>> service.schedule(first.id, datetime(2026, 1, 6, 9, 0, tzinfo=timezone.utc)).status.value
'scheduled'
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

import attrs
from attrs import frozen

from gesprekscyclus._collector import paused
from gesprekscyclus.domain._checks import (
    check_argument,
    checked_arguments,
    checked_methods,
    checks_own,
    shown,
)
from gesprekscyclus.domain.absence_records import (
    AbsenceRecord,
    ExpectedDuration,
    SickReportRecord,
    audiences_for,
)
from gesprekscyclus.domain.access import MIN_GROUP_SIZE, Content, ReaderRole, reader_role, require
from gesprekscyclus.domain.action_items import (
    ActionItem,
    ActionItemStatus,
    NeedsDecision,
    carry_over,
)
from gesprekscyclus.domain.agreements import require_concrete
from gesprekscyclus.domain.catalog import Catalog, built_in_catalog
from gesprekscyclus.domain.conversation_types import (
    ConversationType,
    Sensitivity,
    SignOffRequirement,
)
from gesprekscyclus.domain.conversations import Conversation, ConversationStatus
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.guides import GuideSection
from gesprekscyclus.domain.manager_history import manager_changes, manager_on
from gesprekscyclus.domain.people import Person, Role
from gesprekscyclus.domain.questions import AnswerValue
from gesprekscyclus.domain.reminders import ReminderKind, ReminderPolicy
from gesprekscyclus.domain.reports import Report, ReportStatus, SignOffKind
from gesprekscyclus.domain.text import Locale
from gesprekscyclus.domain.voice import VoiceAnswer, VoiceGroup, voice_summary
from gesprekscyclus.errors import (
    AccessDeniedError,
    ConflictError,
    DesignError,
    InvalidTransitionError,
    InvalidValueError,
    NoDesignError,
    StoreError,
)
from gesprekscyclus.planning.design import DEFAULT_TRACK, CycleDesign
from gesprekscyclus.ports.clock import Clock
from gesprekscyclus.ports.queries import MAX_PAGE, ActionItemQuery, ConversationQuery, ReportQuery
from gesprekscyclus.ports.store import (
    PLANNER_LOCK,
    DesignVersion,
    Store,
    UnitOfWork,
    Withdrawal,
    aware_utc,
    version_of,
)
from gesprekscyclus.service import privacy
from gesprekscyclus.service.administration import Administration
from gesprekscyclus.service.design import (
    DesignChange,
    check_design,
    design_from_version,
    design_source,
    next_version,
    preview,
)
from gesprekscyclus.service.dispatch import Dispatcher, DispatchReport
from gesprekscyclus.service.events import NO_STATE_CHANGES, StateChanges
from gesprekscyclus.service.materialise import (
    PLAN_MARGIN_DAYS,
    MaterialiseReport,
    apply_plan,
    apply_to_states,
    horizon_end,
    participant_roles,
    plan_horizon,
    with_manager,
)
from gesprekscyclus.service.paging import (
    Page,
    action_item_page,
    conversation_page,
    report_page,
)
from gesprekscyclus.service.questions import questions_view
from gesprekscyclus.service.reading import Reading, absence_log_entry, check_reader, kind_of
from gesprekscyclus.service.reminders import (
    ReminderReport,
    asks_voice,
    conversation_day,
    due_reminders,
    lifecycle_notifications,
    pinned_question_set,
    voice_check_notifications,
    withdrawal_for,
)
from gesprekscyclus.service.views import (
    AbsenceRecordView,
    ActionItemView,
    AgendaEntry,
    ConversationView,
    QuestionsView,
    ReportView,
    absence_reader_role,
    absence_record_view,
    metadata_view,
    report_state,
)

if TYPE_CHECKING:
    from gesprekscyclus.service.sync import SyncReport

__all__ = [
    "AgendaEntry",
    "CarryOverResult",
    "ConversationService",
    "ManagerChange",
    "PersonUpdate",
    "TickReport",
    "tick",
]

_OPEN = frozenset({ConversationStatus.PLANNED, ConversationStatus.SCHEDULED})
#: The reminders a conversation's manager gets before it takes place.
_LED_REMINDERS = (ReminderKind.PREPARATION, ReminderKind.DAY_BEFORE, ReminderKind.SCHEDULED)


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
class PersonUpdate:
    """What a command on a person did: ``person`` as stored afterwards, and whether anything
    new was ``recorded`` (``False``: it was all stored like this already)."""

    person: Person
    recorded: bool = True


@frozen
class ManagerChange:
    """The outcome of a manager change: the manager until the day before
    (``old_manager_id``), which open conversations moved to the new manager, and which stayed
    because their old manager wrote notes on them. ``recorded`` is ``False`` when the same
    change was recorded before (nothing new was stored)."""

    person_id: str
    old_manager_id: str | None
    new_manager_id: str
    moved: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    recorded: bool = True


@frozen
class TickReport:
    """One pass of :func:`tick`."""

    materialised: MaterialiseReport
    reminders: ReminderReport
    dispatched: DispatchReport
    purged: privacy.PurgeReport | None = None


def _item_id(conversation_id: str, title: str, owner_id: str, due: date | None) -> str:
    text = "\x1f".join((conversation_id, title, owner_id, due.isoformat() if due else ""))
    return "action-" + hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@frozen
class _Loaded:
    """The stored design version a service works with, read and prepared once."""

    version: DesignVersion
    design: CycleDesign
    catalog: Catalog


@checked_methods
class ConversationService:
    """Commands and queries for one cycle design on one store.

    Without ``design`` the service uses the store's current design version (see
    :meth:`apply_design`) and follows it when another process applies a new one (it looks
    again on every materialise, reminder sweep and conversation command, and on
    :meth:`refresh_design`); commands that need a design raise
    :class:`~gesprekscyclus.errors.NoDesignError` while the store has none. A given
    ``design`` must be the store's current one (else
    :class:`~gesprekscyclus.errors.DesignMismatchError` at those moments: never a silent
    replan) or the store must hold no design yet.

    ``clock`` supplies the instant of every command. ``catalog`` defaults to the design's
    catalog (the built-in one with the design's changes). ``hr_contact_id`` names the person
    who receives escalations (and joins types with an HR participant) and defaults to the
    design's ``hr_contact``; without one, escalations go to the manager's manager.

    With ``state_changes`` every command that changes a conversation, report, action item,
    person or the design also writes a
    :class:`~gesprekscyclus.domain.state_changes.StateChange` to the outbox in its unit of
    work, for webhooks and in-process subscribers (see ``docs/events.md``).
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        design: CycleDesign | None = None,
        catalog: Catalog | None = None,
        hr_contact_id: str | None = None,
        state_changes: bool = False,
    ):
        if not isinstance(state_changes, bool):
            raise InvalidValueError(
                "state_changes", f"must be True or False, got {shown(state_changes)}"
            )
        if hr_contact_id is not None and (
            not isinstance(hr_contact_id, str) or not hr_contact_id.strip()
        ):
            raise InvalidValueError("hr_contact_id", "must be a person id, not blank")
        self.store = store
        self.clock = clock
        #: Where commands write their state changes (see :mod:`gesprekscyclus.service.events`).
        self.state_changes: StateChanges = StateChanges() if state_changes else NO_STATE_CHANGES
        self._given = design
        self._given_catalog = None if design is None else design.full_catalog()
        self._catalog = catalog
        self._hr_contact_id = hr_contact_id
        self._version: DesignVersion | None = None
        self._loaded: _Loaded | None = None
        self._unreadable: DesignError | None = None
        if design is None:
            with store.unit_of_work() as uow:
                self._refresh(uow)

    # --- the design in use --------------------------------------------------------------

    @property
    def design(self) -> CycleDesign:
        """The design in use; :class:`~gesprekscyclus.errors.NoDesignError` when the
        service was built without one and the store holds none."""
        if self._given is not None:
            return self._given
        if self._unreadable is not None:
            raise self._unreadable
        if self._loaded is None:
            raise NoDesignError()
        return self._loaded.design

    @property
    def design_version(self) -> DesignVersion | None:
        """The stored design version in use (``None``: none stored yet)."""
        return self._version

    @property
    def catalog(self) -> Catalog:
        """The catalog in use: the one given, else the design's, else the built-in one."""
        if self._catalog is not None:
            return self._catalog
        if self._given_catalog is not None:
            return self._given_catalog
        if self._loaded is not None:
            return self._loaded.catalog
        return built_in_catalog()

    @property
    def hr_contact_id(self) -> str | None:
        """The HR contact in use: the one given, else the design's (if any)."""
        if self._hr_contact_id is not None:
            return self._hr_contact_id
        if self._given is not None:
            return self._given.hr_contact
        return None if self._loaded is None else self._loaded.design.hr_contact

    def _refresh(self, uow: UnitOfWork) -> None:
        """Follow the store's current design version (a cheap read when it is unchanged).

        A stored version that no longer reads (a later release validates more strictly) is
        kept as its :class:`~gesprekscyclus.errors.DesignError`, raised by :attr:`design`,
        so that a corrected design can still be applied.
        """
        stored = uow.designs.current()
        if self._given is not None:
            check_design(self._given, stored)
            self._version = stored
            return
        self._version = stored
        if stored is None:
            self._loaded = self._unreadable = None
        elif self._loaded is None or self._loaded.version != stored:
            try:
                design = design_from_version(stored)
            except DesignError as error:
                self._loaded, self._unreadable = None, error
                return
            self._loaded = _Loaded(stored, design, design.full_catalog())
            self._unreadable = None

    def refresh_design(self) -> DesignVersion | None:
        """Read the store's current design version now and use it; returns it."""
        with self.store.unit_of_work() as uow:
            self._refresh(uow)
        return self._version

    def design_versions(self) -> tuple[DesignVersion, ...]:
        """Every design version the store holds, by number."""
        with self.store.unit_of_work() as uow:
            return tuple(uow.designs.all())

    def apply_design(
        self,
        design: CycleDesign,
        *,
        applied_by: str,
        dry_run: bool = False,
        source: str | None = None,
        fmt: str = "toml",
        horizon_days: int = 365,
        at: datetime | None = None,
    ) -> DesignChange:
        """Store ``design`` as the next design version and replan with it, in one unit of
        work; returns the plan difference it causes over the coming ``horizon_days``.

        ``source`` is the file text to keep (in ``fmt``, ``toml`` or ``json``); without it
        the design is written out. With ``dry_run`` nothing is stored: the result previews
        the change. A design equal to the current one (same fingerprint) stores nothing.
        From now on this service uses the stored design. Another process applying a design
        at the same moment makes one of the two fail with
        :class:`~gesprekscyclus.errors.ConflictError`.

        >>> from datetime import date, datetime, timezone
        >>> from gesprekscyclus.adapters.memory import MemoryStore
        >>> from gesprekscyclus.ports.clock import FixedClock
        >>> service = ConversationService(
        ...     MemoryStore(), FixedClock(datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)))
        >>> design = CycleDesign(name="demo", cycle_start=date(2026, 1, 1))
        >>> service.apply_design(design, applied_by="hr-1", dry_run=True).stored
        False
        >>> change = service.apply_design(design, applied_by="hr-1")
        >>> change.version.label[:9], service.design_version == change.version
        ('version 1', True)
        """
        at = self._at(at)
        start = at.date()
        end = horizon_end(start, horizon_days)
        text = design_source(design, source, fmt)
        with self.store.unit_of_work() as uow:
            uow.lock(PLANNER_LOCK)  # a new version and its replan, one planner at a time
            previous = uow.designs.current()
            before = None if previous is None else _readable(previous)
            people, events = uow.people.all(), uow.events.all()
            existing = _stored_conversations(uow, people)
            catalog = self._catalog or design.full_catalog()
            seen = preview(
                before,
                design,
                people,
                events,
                start=start,
                end=end,
                existing=list(existing.values()),
                catalog=self._catalog,
            )
            version = next_version(
                previous, design, source=text, fmt=fmt, applied_by=applied_by, at=at
            )
            change = DesignChange(previous, version, seen.diff, start, end, dry_run)
            if not change.stored:
                return change
            uow.designs.add(version)
            self.state_changes.design(uow, version, at)
            report = apply_plan(
                uow,
                seen.plan,
                start=start,
                end=end,
                existing=existing,
                people={person.id: person for person in people},
                at=at,
                catalog=catalog,
                hr_contact_id=self._hr_contact_id or design.hr_contact,
                design=version,
                rows=seen.rows,
                changes=self.state_changes,
            )
        loaded = _Loaded(version, design, design.full_catalog())
        self._given = self._given_catalog = self._unreadable = None
        self._loaded, self._version = loaded, version
        return attrs.evolve(change, materialised=report)

    @property
    def administration(self) -> Administration:
        """The one way to the stored aggregates themselves, unfiltered: for exports,
        migrations and storage work, never for showing a person what they may read. Its reads
        of confidential and health-related records are logged with the reader
        ``"administration"``."""
        return Administration(self.store, self.clock, self.catalog)

    @property
    def hr_office(self) -> tuple[str, ...]:
        """Who counts as the organisation's HR for the access policy: the HR contact."""
        return () if self.hr_contact_id is None else (self.hr_contact_id,)

    # --- internals ----------------------------------------------------------------------

    @contextmanager
    def _reading(self, reader: str) -> Iterator[tuple[UnitOfWork, Reading]]:
        """A unit of work and the views of ``reader``; the reads it logs are written with it."""
        read = self._reader(reader, self._now())
        with self.store.unit_of_work() as uow:
            yield uow, read
            if read.entries:
                uow.access_log.append(read.entries)

    def _kind(self, type_key: str) -> ConversationType | None:
        return kind_of(self.catalog, type_key)

    def _reader(self, reader: str, at: datetime) -> Reading:
        return Reading(
            reader=reader, at=at, catalog=self.catalog, design=self.design, hr_office=self.hr_office
        )

    def _view(
        self, uow: UnitOfWork, talk: Conversation, reader: str | None, at: datetime
    ) -> ConversationView:
        kind = self._kind(talk.type_key)
        if reader is None:
            return metadata_view(talk, kind=kind)
        read = self._reader(reader, at)
        view = read.conversation(talk)
        if read.entries:
            uow.access_log.append(read.entries)
        return view if view is not None else metadata_view(talk, kind=kind)

    def _report_view(
        self,
        uow: UnitOfWork,
        report: Report,
        talk: Conversation,
        reader: str | None,
        at: datetime,
    ) -> ReportView:
        if reader is None:
            return report_state(report)
        read = self._reader(reader, at)
        view = read.report(report, talk, uow.action_items.from_conversations([talk.id]))
        if read.entries:
            uow.access_log.append(read.entries)
        return view if view is not None else report_state(report)

    def _now(self) -> datetime:
        return aware_utc(self.clock.now(), "clock.now()")

    def _at(self, at: datetime | None) -> datetime:
        """The instant of a command: ``at`` (aware, in UTC), else the clock's now."""
        return self._now() if at is None else aware_utc(at, "at")

    def _on(self, on: date | None) -> date:
        """The day of a query: ``on``, else the clock's date (UTC)."""
        if on is None:
            return self._now().date()
        if not isinstance(on, date) or isinstance(on, datetime):
            raise InvalidValueError("on", f"must be a date, got {shown(on)}")
        return on

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
        if kind is ReminderKind.VOICE_CHECK:
            scan = voice_check_notifications(
                conversation, people=people, design=self.design, catalog=self.catalog
            )
        else:
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
        *,
        reader: str | None = None,
        at: datetime | None = None,
    ) -> ConversationView:
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            self._refresh(uow)
            current = uow.conversations.get(conversation_id)
            changed = step(current, at)
            uow.conversations.update(changed, expected_version=version_of(current))
            self.state_changes.conversation(uow, current, changed, at)
            _withdraw_stale(uow, current, changed)
            if notify is not None:
                self._notify(uow, changed, notify, at)
            return self._view(uow, changed, reader, at)

    def _change_report(
        self,
        conversation_id: str,
        step: Callable[[Report, Conversation, datetime], Report],
        follow: Callable[[Conversation, datetime], Conversation | None] | None = None,
        *,
        reader: str | None = None,
        at: datetime | None = None,
    ) -> ReportView:
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            current = uow.reports.get(conversation_id)
            talk = uow.conversations.get(conversation_id)
            changed = step(current, talk, at)
            uow.reports.update(changed, expected_version=version_of(current))
            self.state_changes.report(uow, current, changed, at, conversation=talk)
            if _awaits_sign_off(current) and not _awaits_sign_off(changed):
                uow.outbox.withdraw(
                    Withdrawal(
                        conversation_id=conversation_id,
                        kinds=[ReminderKind.SIGN_OFF_PENDING],
                        reason=f"the report of {conversation_id!r} is {changed.status.value}",
                    )
                )
            if follow is not None:
                moved = follow(talk, at)
                if moved is not None:
                    uow.conversations.update(moved, expected_version=version_of(talk))
                    self.state_changes.conversation(uow, talk, moved, at)
                    _withdraw_stale(uow, talk, moved)
            return self._report_view(uow, changed, talk, reader or changed.author_id, at)

    def _track(self, type_key: str) -> str:
        return self.design.track_of(type_key, self.catalog)

    def _change_item(
        self,
        item_id: str,
        step: Callable[[ActionItem, datetime], ActionItem],
        *,
        at: datetime | None = None,
    ) -> ActionItemView:
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            current = uow.action_items.get(item_id)
            changed = step(current, at)
            uow.action_items.update(changed, expected_version=version_of(current))
            self.state_changes.item(uow, current, changed, at)
            if changed.status is not ActionItemStatus.OPEN or changed.due != current.due:
                uow.outbox.withdraw(
                    Withdrawal(
                        action_item_id=item_id,
                        kinds=[ReminderKind.ACTION_ITEM_DUE, ReminderKind.ACTION_ITEM_OVERDUE],
                        reason=f"{item_id!r} is {changed.status.value}, due {changed.due}",
                    )
                )
            return self._item_view(uow, changed, at)

    def _item_view(self, uow: UnitOfWork, item: ActionItem, at: datetime) -> ActionItemView:
        """The item as its owner sees it (the owner always may)."""
        with_origin = uow.conversations.by_ids([item.origin_conversation_id])
        read = self._reader(item.owner_id, at)
        view = read.item(item, with_origin[0] if with_origin else None)
        assert view is not None  # the owner reads their own items
        if read.entries:
            uow.access_log.append(read.entries)
        return view

    # --- people and life events ---------------------------------------------------------

    def upsert_person(self, person: Person, *, at: datetime | None = None) -> PersonUpdate:
        """Store ``person``, replacing the stored version with the same id (``recorded`` is
        ``False`` when it was stored like this already).

        To change someone's manager, use :meth:`change_manager`: it records the date and the
        previous manager, and moves open conversations and action items along. A plain upsert
        of ``manager_id`` only affects what is planned from then on, and once someone has a
        recorded manager change, their manager history decides who leads on which day.
        """
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            before = uow.people.find(person.id)
            uow.people.upsert(person)
            self.state_changes.person(uow, before, person, at)
        return PersonUpdate(person, recorded=before != person)

    def record_event(self, event: LifeEvent, *, at: datetime | None = None) -> PersonUpdate:
        """Record a life event of a stored person (``recorded`` is ``False`` when it was
        recorded already).

        A ``last_day`` event also sets the person's end date; a ``manager_change`` (with
        the new manager's id as ``detail``) does what :meth:`change_manager` does.
        """
        if event.kind is LifeEventKind.MANAGER_CHANGE:
            if event.detail is None:
                raise InvalidValueError(
                    "LifeEvent.detail", "a manager change needs the new manager's id"
                )
            change = self.change_manager(event.person_id, event.detail, on=event.on, at=at)
            return PersonUpdate(self.person(event.person_id), recorded=change.recorded)
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            person = uow.people.get(event.person_id)
            added = uow.events.append(event)
            if event.kind is LifeEventKind.LAST_DAY and person.end_date != event.on:
                before, person = person, _evolve_person(person, end_date=event.on)
                uow.people.upsert(person)
                self.state_changes.person(uow, before, person, at)
        return PersonUpdate(person, recorded=added)

    def hire(self, person: Person, *, at: datetime | None = None) -> PersonUpdate:
        """Store a new person and their ``hired`` event on the hire date (``recorded`` is
        ``False`` when both were stored like this already)."""
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            before = uow.people.find(person.id)
            uow.people.upsert(person)
            self.state_changes.person(uow, before, person, at)
            added = uow.events.append(
                LifeEvent(on=person.hire_date, person_id=person.id, kind=LifeEventKind.HIRED)
            )
        return PersonUpdate(person, recorded=added or before != person)

    def give_notice(
        self, person_id: str, *, on: date, last_day: date, at: datetime | None = None
    ) -> PersonUpdate:
        """Record that notice was given on ``on``, ending employment after ``last_day``;
        returns the person with their end date."""
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            person = uow.people.get(person_id)
            notice = uow.events.append(LifeEvent(on=on, person_id=person_id, kind="notice_given"))
            last = uow.events.append(LifeEvent(on=last_day, person_id=person_id, kind="last_day"))
            leaving = _evolve_person(person, end_date=last_day)
            uow.people.upsert(leaving)
            self.state_changes.person(uow, person, leaving, at)
        return PersonUpdate(leaving, recorded=notice or last or leaving != person)

    def record_sick_report(
        self, person_id: str, *, on: date, at: datetime | None = None
    ) -> PersonUpdate:
        """Record a sick report with ``on`` as the first sick day."""
        return self.record_event(LifeEvent(on=on, person_id=person_id, kind="sick_report"), at=at)

    def record_absence(self, record: AbsenceRecord) -> PersonUpdate:
        """Store an absence record of a stored person (see
        :mod:`gesprekscyclus.domain.absence_records`); ``recorded`` is ``False`` when it
        replaced the one of the same kind and day. A :class:`SickReportRecord` also records
        the sick report event on its first sick day; an :class:`OccupationalHealthAdvice`
        with an expected duration records the prognosis the Poortwachter timeline follows
        (``long_term`` or ``short_term``) on its day."""
        with self.store.unit_of_work() as uow:
            person = uow.people.get(record.person_id)
            added = uow.absence_records.put(record)
            if isinstance(record, SickReportRecord):
                uow.events.append(
                    LifeEvent(
                        on=record.first_sick_day, person_id=record.person_id, kind="sick_report"
                    )
                )
            elif record.expected_duration is not ExpectedDuration.UNKNOWN:
                long_term = record.expected_duration is ExpectedDuration.LONG_TERM
                prognosis = LifeEvent(
                    on=record.on,
                    person_id=record.person_id,
                    kind="prognosis",
                    detail="long_term" if long_term else "short_term",
                )
                if not uow.events.append(prognosis):
                    uow.events.replace(prognosis)  # a revised advice of the same day
        return PersonUpdate(person, recorded=added)

    def absence_records(self, person_id: str, *, reader: str) -> tuple[AbsenceRecordView, ...]:
        """The person's absence records that ``reader`` may see, by day, each holding only
        the fields the access policy gives the reader's role; every read is written to the
        access log (absence records are health data).

        The role follows from the data
        (:func:`~gesprekscyclus.service.views.absence_reader_role`): the person reads their
        own records whole; their current manager, a case manager and HR only what an employer
        may record; the occupational physician also the functional capacities. Anyone else
        gets :class:`~gesprekscyclus.errors.AccessDeniedError`, whether or not there are
        records. The records themselves, every field, are read through
        :attr:`administration`.

        >>> from datetime import timezone
        >>> from gesprekscyclus.adapters.memory import MemoryStore
        >>> from gesprekscyclus.domain.absence_records import SickReportRecord
        >>> from gesprekscyclus.ports.clock import FixedClock
        >>> service = ConversationService(
        ...     MemoryStore(), FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)))
        >>> _ = service.upsert_person(Person(id="m", name="Mia", hire_date=date(2020, 1, 1)))
        >>> _ = service.upsert_person(
        ...     Person(id="e", name="Eva", hire_date=date(2022, 1, 1), manager_id="m"))
        >>> service.record_absence(SickReportRecord(person_id="e",
        ...     first_sick_day=date(2026, 3, 2), expected_duration="weeks")).recorded
        True
        >>> view, = service.absence_records("e", reader="m")
        >>> view.reader_role.value, view.kind, view.data["expected_duration"].value
        ('manager', 'sick_report', 'weeks')
        >>> service.absence_records("e", reader="x")
        Traceback (most recent call last):
        ...
        gesprekscyclus.errors.AccessDeniedError: access matrix: no role, \
absence_employer_fields, health_related: 'x' may not read the absence records of 'e'
        """
        check_reader(reader)
        with self.store.unit_of_work() as uow:
            person = uow.people.find(person_id)
            role = absence_reader_role(
                person_id,
                reader,
                manager_id=None if person is None else person.manager_id,
                hr_office=self.hr_office,
                conversations=self._health_related(uow, person_id),
            )
            if not audiences_for(role):
                who = "no role" if role is None else role.value
                raise AccessDeniedError(
                    f"access matrix: {who}, {Content.ABSENCE_EMPLOYER_FIELDS.value},"
                    f" {Sensitivity.HEALTH_RELATED.value}",
                    reader,
                    f"may not read the absence records of {person_id!r}",
                )
            assert role is not None  # a role that reads some field
            records = uow.absence_records.for_person(person_id)
            if records:
                at = self._now()
                uow.access_log.append(
                    absence_log_entry(record, reader=reader, at=at) for record in records
                )
        return tuple(absence_record_view(record, reader, role) for record in records)

    def _health_related(self, uow: UnitOfWork, person_id: str) -> Iterator[Conversation]:
        """The person's stored conversations of health-related types, read when first
        asked for."""
        for talk in uow.conversations.by_employee(person_id):
            kind = self._kind(talk.type_key)
            if kind is not None and kind.sensitivity is Sensitivity.HEALTH_RELATED:
                yield talk

    def record_recovery(
        self, person_id: str, *, on: date, at: datetime | None = None
    ) -> PersonUpdate:
        """Record recovery, ``on`` being the first day fully back at work."""
        return self.record_event(LifeEvent(on=on, person_id=person_id, kind="recovery"), at=at)

    def record_leave(
        self,
        person_id: str,
        *,
        start: date,
        end: date | None = None,
        at: datetime | None = None,
    ) -> PersonUpdate:
        """Record long leave from ``start`` and, when known, the first day back ``end``."""
        began = self.record_event(
            LifeEvent(on=start, person_id=person_id, kind="leave_started"), at=at
        )
        if end is None:
            return began
        ended = self.record_event(LifeEvent(on=end, person_id=person_id, kind="leave_ended"), at=at)
        return PersonUpdate(ended.person, recorded=began.recorded or ended.recorded)

    def change_manager(
        self, person_id: str, new_manager_id: str, *, on: date, at: datetime | None = None
    ) -> ManagerChange:
        """Give ``person_id`` a new manager from ``on``.

        The change takes effect on its date, whenever it is recorded (ahead of time or after
        the fact): an open (planned or scheduled) conversation on a day before ``on`` stays
        with the manager of that day, one on or after it moves to the new manager, who is told
        about the scheduled ones. Held, reported, closed, cancelled and missed conversations
        keep their manager, so history stays as it was; an open conversation on which its
        manager wrote notes keeps that manager too (listed in ``kept``). The employee's open
        action items move to the new pair once the change is in force: at once when ``on`` is
        today or earlier, else on the first :func:`tick` (or :meth:`apply_manager_changes`) on
        or after it.

        The change is kept as a ``manager_change`` event naming the previous manager, and
        ``Person.manager_id`` names the most recently appointed one; :meth:`manager_on` tells
        who leads on any day. Recording the same change again changes nothing; a different
        change on the same day raises :class:`~gesprekscyclus.errors.ConflictError`.
        """
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            person = uow.people.get(person_id)
            uow.people.get(new_manager_id)
            if new_manager_id == person_id:
                raise InvalidValueError(
                    "new_manager_id", f"{person_id!r} cannot become their own manager"
                )
            events = uow.events.for_person(person_id)
            previous = manager_on(person, events, on - timedelta(days=1))
            same_day = [e for e in manager_changes(events) if e.on == on]
            if same_day and same_day[0].detail != new_manager_id:
                raise ConflictError(
                    f"LifeEvent.detail: {person_id!r} changes manager to "
                    f"{same_day[0].detail!r} on {on} already; record a later date instead"
                )
            if not same_day:
                change = LifeEvent(
                    on=on,
                    person_id=person_id,
                    kind=LifeEventKind.MANAGER_CHANGE,
                    detail=new_manager_id,
                    previous=previous,
                )
                uow.events.append(change)
                events = [*events, change]
            latest = manager_on(person, events, date.max)
            if person.manager_id != latest:
                before, person = person, _evolve_person(person, manager_id=latest)
                uow.people.upsert(person)
                self.state_changes.person(uow, before, person, at)
            moved: list[str] = []
            kept: list[str] = []
            for talk in uow.conversations.by_employee(person_id):
                wanted = manager_on(person, events, conversation_day(talk))
                if talk.status not in _OPEN or talk.manager_id == wanted:
                    continue
                if Role.MANAGER not in participant_roles(self.catalog, talk.type_key):
                    continue  # the manager takes no part in this type (an exit interview)
                try:
                    changed = with_manager(talk, wanted)
                except InvalidValueError:
                    kept.append(talk.id)
                    continue
                uow.conversations.update(changed, expected_version=version_of(talk))
                self.state_changes.conversation(uow, talk, changed, at)
                moved.append(talk.id)
                if talk.manager_id is not None:
                    uow.outbox.withdraw(
                        Withdrawal(
                            conversation_id=talk.id,
                            recipient_id=talk.manager_id,
                            kinds=_LED_REMINDERS,
                            reason=f"{talk.id!r} moved to manager {wanted!r}",
                        )
                    )
                if changed.status is ConversationStatus.SCHEDULED and wanted is not None:
                    self._notify(uow, changed, ReminderKind.SCHEDULED, at, only=[wanted])
            _hand_over_items(uow, person, events, _local_today(at, person), at, self.state_changes)
        return ManagerChange(
            person_id, previous, new_manager_id, tuple(moved), tuple(kept), not same_day
        )

    def apply_manager_changes(self, at: datetime | None = None) -> int:
        """Move the open action items of everyone whose manager change is in force at ``at``
        (by default now; their local date) to the new employee–manager pair; returns how many
        moved.

        :func:`tick` runs this; running it again moves nothing twice.
        """
        now = self._at(at)
        moved = 0
        with self.store.unit_of_work() as uow:
            by_person: dict[str, list[LifeEvent]] = {}
            for event in uow.events.all():
                by_person.setdefault(event.person_id, []).append(event)
            for person_id, events in sorted(by_person.items()):
                if not manager_changes(events):
                    continue
                person = uow.people.find(person_id)
                if person is not None:
                    moved += _hand_over_items(
                        uow, person, events, _local_today(now, person), now, self.state_changes
                    )
        return moved

    def manager_on(self, person_id: str, day: date) -> str | None:
        """Who leads ``person_id`` on ``day``, by their manager changes (see
        :mod:`gesprekscyclus.domain.manager_history`)."""
        with self.store.unit_of_work() as uow:
            person = uow.people.get(person_id)
            return manager_on(person, uow.events.for_person(person_id), day)

    # --- privacy ------------------------------------------------------------------------

    def erase_person(
        self, person_id: str, *, reason: str, at: datetime | None = None
    ) -> privacy.ErasureReport:
        """Erase everything stored about ``person_id`` (AVG art. 17) and compact the store so
        the data is gone from its files too; see :mod:`gesprekscyclus.service.privacy`.

        Raises :class:`~gesprekscyclus.errors.ErasureRefusedError` while the law obliges the
        employer to keep the records, :class:`~gesprekscyclus.errors.ConflictError` while
        someone still has the person as their manager. When compacting fails (another
        process kept reading) the report says so in ``compact_problem``; :meth:`compact`
        finishes the job later.
        """
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            report = privacy.erase_person(
                uow, person_id, reason=reason, at=at, changes=self.state_changes
            )
        try:
            self.store.compact()
        except StoreError as error:  # the erasure itself is committed; say what is left
            return attrs.evolve(report, compacted=False, compact_problem=str(error))
        return attrs.evolve(report, compacted=True)

    def export_person(self, person_id: str, *, at: datetime | None = None) -> dict[str, Any]:
        """Everything stored about ``person_id`` as a JSON-compatible document (AVG art. 15);
        the layout is described in docs/privacy.md."""
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            return privacy.export_person(uow, person_id, at=at)

    def compact(self) -> None:
        """Make deleted data unrecoverable from the store's files (see
        :meth:`~gesprekscyclus.ports.store.Store.compact`)."""
        self.store.compact()

    def purge(self, at: datetime | None = None, *, dry_run: bool = False) -> privacy.PurgeReport:
        """Remove what the design's retention periods no longer allow to keep at ``at`` (by
        default now), then compact the store when anything went (a failed compaction is
        reported in ``compact_problem``, not raised); ``dry_run`` only counts."""
        now = self._at(at)
        report = privacy.purge(
            self.store.unit_of_work,
            self.design,
            self.catalog,
            now,
            dry_run=dry_run,
            changes=self.state_changes,
        )
        if dry_run or not report.removed.total:
            return report
        try:
            self.store.compact()
        except StoreError as error:  # what was purged stays purged; say what is left
            return attrs.evolve(report, compact_problem=str(error))
        return attrs.evolve(report, compacted=True)

    # --- planning -----------------------------------------------------------------------

    def materialise(
        self, start: date, end: date, *, at: datetime | None = None
    ) -> MaterialiseReport:
        """Plan ``[start, end]`` with the stored people, events and conversations and apply
        the plan by id (see :mod:`gesprekscyclus.service.materialise` for the horizon rule:
        conversations whose window is still open on ``start`` are created too, absence
        obligations even when overdue). Running it twice with the same state changes
        nothing the second time."""
        if end < start:
            raise InvalidValueError("end", f"{end} lies before start {start}")
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            uow.lock(PLANNER_LOCK)  # one planner at a time, reading what the last one stored
            self._refresh(uow)
            if self._given is None and self._loaded is None and self._unreadable is None:
                raise NoDesignError("materialise")
            return self._materialise(
                uow,
                self.design,
                self._version,
                self.catalog,
                self.hr_contact_id,
                start=start,
                end=end,
                at=at,
            )

    def _materialise(
        self,
        uow: UnitOfWork,
        design: CycleDesign,
        version: DesignVersion | None,
        catalog: Catalog,
        hr_contact_id: str | None,
        *,
        start: date,
        end: date,
        at: datetime,
    ) -> MaterialiseReport:
        uow.lock(PLANNER_LOCK)  # re-entrant; every caller of the planner takes it
        with paused():  # bulk work: millions of objects without cycles
            # In a function of its own, so that the plan is freed before the collector is on.
            return _apply_horizon(
                uow,
                design,
                version,
                catalog,
                hr_contact_id,
                start=start,
                end=end,
                at=at,
                changes=self.state_changes,
            )

    # --- conversations ------------------------------------------------------------------

    def schedule(
        self, conversation_id: str, starts_at: datetime, *, at: datetime | None = None
    ) -> ConversationView:
        """Fix the time of a planned conversation and tell every participant."""
        return self._change(
            conversation_id,
            lambda talk, at: talk.schedule(starts_at, at=at),
            ReminderKind.SCHEDULED,
            at=at,
        )

    def reschedule(
        self, conversation_id: str, starts_at: datetime, *, reason: str, at: datetime | None = None
    ) -> ConversationView:
        """Move a scheduled conversation; every participant gets the new time."""
        return self._change(
            conversation_id,
            lambda talk, at: talk.reschedule(starts_at, reason=reason, at=at),
            ReminderKind.SCHEDULED,
            at=at,
        )

    def cancel(
        self, conversation_id: str, *, reason: str, at: datetime | None = None
    ) -> ConversationView:
        """Call a conversation off; participants of a scheduled one are told."""
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            current = uow.conversations.get(conversation_id)
            changed = current.cancel(reason=reason, at=at)
            uow.conversations.update(changed, expected_version=version_of(current))
            self.state_changes.conversation(uow, current, changed, at)
            _withdraw_stale(uow, current, changed)
            if current.status is ConversationStatus.SCHEDULED:
                self._notify(uow, changed, ReminderKind.CANCELLED, at)
        return metadata_view(changed, kind=self._kind(changed.type_key))

    def mark_missed(
        self, conversation_id: str, *, reason: str, at: datetime | None = None
    ) -> ConversationView:
        """Record that a conversation did not take place; it stays on file."""
        return self._change(
            conversation_id, lambda talk, at: talk.mark_missed(reason=reason, at=at), at=at
        )

    def record_held(self, conversation_id: str, *, at: datetime | None = None) -> ConversationView:
        """Record that the scheduled conversation took place ``at`` (by default now).

        ``at`` is the real time it was held: not in the future, not before the conversation
        was scheduled (:class:`~gesprekscyclus.errors.InvalidValueError` otherwise). It is kept
        as :attr:`Conversation.held_at`; follow-ups and rhythms anchored on the held date
        count from it. Where the type asks for it, the employee's check on how it went is
        enqueued in the same unit of work (once per conversation; see :meth:`record_voice`).
        """
        held_at = None if at is None else aware_utc(at, "at")
        return self._change(
            conversation_id,
            lambda talk, now: talk.hold(at=now, held_at=held_at),
            ReminderKind.VOICE_CHECK,
        )

    # --- the employee's voice ----------------------------------------------------------

    def record_voice(
        self,
        conversation_id: str,
        employee_id: str,
        *,
        heard: int | None = None,
        useful: int | None = None,
        clear_agreements: int | None = None,
        remark: str | None = None,
    ) -> VoiceAnswer:
        """Record the employee's check after a held conversation: scores 1–5, each optional,
        and an optional remark (see :mod:`gesprekscyclus.domain.voice`).

        Only the conversation's employee answers (:class:`AccessDeniedError` otherwise),
        once (:class:`~gesprekscyclus.errors.ConflictError` the second time), after the
        conversation was held and where its type asks for the check
        (:class:`~gesprekscyclus.errors.InvalidValueError` otherwise). A check message not
        yet sent is withdrawn.
        """
        at = self._now()
        with self.store.unit_of_work() as uow:
            talk = uow.conversations.get(conversation_id)
            kind = self._kind(talk.type_key)
            require(
                reader_role(talk, employee_id, hr_office=self.hr_office),
                Content.VOICE_ANSWER,
                Sensitivity.NORMAL if kind is None else kind.sensitivity,
                reader=employee_id,
                write=True,
                kind=kind,
            )
            if talk.held_on_instant is None:
                raise InvalidValueError(
                    "Conversation.status",
                    f"{conversation_id!r} is {talk.status.value}; the check follows a held "
                    "conversation",
                    allowed=("held", "reported", "closed"),
                )
            if not asks_voice(self.design, self.catalog, talk.type_key):
                raise InvalidValueError(
                    "ConversationType.voice_check",
                    f"conversations of type {talk.type_key!r} are not followed by a check",
                )
            person = uow.people.find(employee_id)
            answer = VoiceAnswer(
                conversation_id=talk.id,
                employee_id=employee_id,
                manager_id=talk.manager_id,
                team=None if person is None else person.team,
                type_key=talk.type_key,
                at=at,
                heard=heard,
                useful=useful,
                clear_agreements=clear_agreements,
                remark=remark,
            )
            uow.voice_answers.add(answer)
            uow.outbox.withdraw(
                Withdrawal(
                    conversation_id=talk.id,
                    kinds=[ReminderKind.VOICE_CHECK],
                    reason="the employee answered the check",
                )
            )
            return answer

    def voice_answer(self, conversation_id: str, *, reader: str) -> VoiceAnswer | None:
        """The check given after ``conversation_id``, for the employee who gave it only;
        anyone else (their manager included) is refused with :class:`AccessDeniedError`."""
        with self.store.unit_of_work() as uow:
            talk = uow.conversations.get(conversation_id)
            answer = uow.voice_answers.find(conversation_id)
        kind = self._kind(talk.type_key)
        require(
            reader_role(talk, reader, hr_office=self.hr_office),
            Content.VOICE_ANSWER,
            Sensitivity.NORMAL if kind is None else kind.sensitivity,
            reader=reader,
            write=False,
            kind=kind,
            own=answer is None or answer.employee_id == reader,
        )
        return answer

    def voice_summary(
        self,
        *,
        by: Literal["manager", "team"],
        reader: str,
        min_group_size: int = MIN_GROUP_SIZE,
    ) -> tuple[VoiceGroup, ...]:
        """The checks in aggregate per manager or team, for the organisation's HR contact:
        groups of fewer than ``min_group_size`` distinct employees are left out, and no
        remark or single answer is ever part of it (see
        :func:`~gesprekscyclus.domain.voice.voice_summary`)."""
        if reader not in self.hr_office:
            raise AccessDeniedError(
                "voice summary", reader, "only the organisation's HR contact reads it"
            )
        with self.store.unit_of_work() as uow:
            answers = uow.voice_answers.all()
        return voice_summary(answers, by=by, min_group_size=min_group_size)

    def close(self, conversation_id: str, *, at: datetime | None = None) -> ConversationView:
        """Close a held conversation whose type keeps no report (or a reported one)."""
        return self._change(conversation_id, lambda talk, at: talk.close(at=at), at=at)

    @checks_own("answers")  # checked against each question, naming the choices
    def record_answers(
        self,
        conversation_id: str,
        author_id: str,
        answers: Mapping[str, AnswerValue],
        *,
        at: datetime | None = None,
    ) -> ConversationView:
        """Record ``author_id``'s answers, checked against the conversation's question set:
        the version already pinned by earlier answers, else the one the design pins, else
        the latest. Only the audience of a question answers it, and only where the access
        policy lets the author write; returns the author's view."""
        check_argument("answers", answers, Mapping[str, object])  # the values per question

        def step(talk: Conversation, at: datetime) -> Conversation:
            question_set = pinned_question_set(talk, self.design, self.catalog)
            if question_set is None:
                raise InvalidValueError(
                    "Conversation.type_key",
                    f"type {talk.type_key!r} of {talk.id!r} has no question set to answer",
                )
            return talk.record_answers(
                question_set, author_id, answers, at=at, kind=self._kind(talk.type_key)
            )

        return self._change(conversation_id, step, reader=author_id, at=at)

    def add_note(
        self,
        conversation_id: str,
        author_id: str,
        text: str,
        *,
        private: bool = False,
        at: datetime | None = None,
    ) -> ConversationView:
        """Add a shared note, or a ``private`` one only its author reads (where the type
        allows private notes); returns the author's view."""
        return self._change(
            conversation_id,
            lambda talk, at: talk.add_note(
                author_id, text, private=private, at=at, kind=self._kind(talk.type_key)
            ),
            reader=author_id,
            at=at,
        )

    def share_preparation(
        self, conversation_id: str, author_id: str, *, at: datetime | None = None
    ) -> ConversationView:
        """Let the other side read ``author_id``'s preparation answers before the
        conversation is held; returns the author's view."""
        return self._change(
            conversation_id,
            lambda talk, at: talk.share_preparation(author_id, at=at),
            reader=author_id,
            at=at,
        )

    # --- reports ------------------------------------------------------------------------

    def create_report(
        self,
        conversation_id: str,
        summary: str,
        *,
        author_id: str,
        agreements: Iterable[str] = (),
        at: datetime | None = None,
    ) -> ReportView:
        """Start the draft report of a held conversation, written by ``author_id`` (a
        participant whom the access policy lets write reports; the draft is theirs alone
        until shared). Whether it needs sign-off comes from the conversation type
        (``required``). Returns the author's view.
        """
        at = self._at(at)
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
            report = Report.draft_for(
                talk,
                author_id=author_id,
                summary=summary,
                agreements=tuple(agreements),
                requires_sign_off=needs_sign_off,
                kind=self._kind(talk.type_key),
                hr_office=self.hr_office,
            )
            uow.reports.add(report)
            self.state_changes.report(uow, None, report, at, conversation=talk)
            return self._report_view(uow, report, talk, author_id, at)

    def revise_report(
        self,
        conversation_id: str,
        *,
        summary: str | None = None,
        agreements: Iterable[str] | None = None,
        at: datetime | None = None,
    ) -> ReportView:
        """Change the summary and/or agreements of a draft or shared report; returns the
        author's view."""
        terms = None if agreements is None else tuple(agreements)
        if terms is not None:
            with self.store.unit_of_work() as uow:
                linked = [
                    item.agreement
                    for item in uow.action_items.from_conversations([conversation_id])
                    if item.agreement is not None
                ]
            if linked and max(linked) >= len(terms):
                raise ConflictError(
                    f"Report {conversation_id!r}: agreement [{max(linked)}] has an action item; "
                    f"revised agreements must keep it (got {len(terms)} agreements)"
                )
        return self._change_report(
            conversation_id,
            lambda report, _talk, at: report.revise(summary=summary, agreements=terms, at=at),
            at=at,
        )

    def share_report(
        self, conversation_id: str, *, comment_until: date, at: datetime | None = None
    ) -> ReportView:
        """Share the draft with the employee; the conversation counts as reported. Returns
        the author's view."""

        def follow(talk: Conversation, at: datetime) -> Conversation | None:
            if talk.status is ConversationStatus.HELD:
                return talk.mark_reported(at=at)
            return None

        return self._change_report(
            conversation_id,
            lambda report, _talk, at: report.share(comment_until=comment_until, at=at),
            follow,
            at=at,
        )

    def comment_on_report(
        self, conversation_id: str, author_id: str, text: str, *, at: datetime | None = None
    ) -> ReportView:
        """Comment on a shared report inside its comment window; only participants may.
        Returns the commenter's view."""
        return self._change_report(
            conversation_id,
            lambda report, talk, at: report.comment(
                author_id, text, at=at, conversation=talk, kind=self._kind(talk.type_key)
            ),
            reader=author_id,
            at=at,
        )

    def sign_report(
        self,
        conversation_id: str,
        employee_id: str,
        *,
        kind: SignOffKind | str,
        at: datetime | None = None,
    ) -> ReportView:
        """The employee signs the shared report as agreed or as seen."""
        return self._change_report(
            conversation_id,
            lambda report, _talk, at: report.sign(employee_id, kind=kind, at=at),
            reader=employee_id,
            at=at,
        )

    def refuse_sign_off(
        self, conversation_id: str, employee_id: str, *, reason: str, at: datetime | None = None
    ) -> ReportView:
        """The employee declines to sign, saying why; filing stays possible."""
        return self._change_report(
            conversation_id,
            lambda report, _talk, at: report.refuse_sign_off(employee_id, reason=reason, at=at),
            reader=employee_id,
            at=at,
        )

    def add_written_view(
        self, conversation_id: str, employee_id: str, text: str, *, at: datetime | None = None
    ) -> ReportView:
        """Attach the employee's own written view to the report, once and for good, where
        the conversation type allows one (``employee_written_view``)."""
        return self._change_report(
            conversation_id,
            lambda report, talk, at: report.add_written_view(
                employee_id, text, at=at, kind=self._kind(talk.type_key)
            ),
            reader=employee_id,
            at=at,
        )

    def file_report(self, conversation_id: str, *, at: datetime | None = None) -> ReportView:
        """File the report; a reported conversation is closed with it.

        Where the type has ``agreements_required_concrete``, every agreement of the report
        must first be an action item owned by a participant with a due date or a reason for
        having none; :class:`~gesprekscyclus.errors.AgreementNotConcreteError` names the first
        that is not, and nothing changes.
        """

        def follow(talk: Conversation, at: datetime) -> Conversation | None:
            if talk.status is ConversationStatus.REPORTED:
                return talk.close(at=at)
            return None

        with self.store.unit_of_work() as uow:
            talk = uow.conversations.get(conversation_id)
            kind = self._kind(talk.type_key)
            if kind is not None and kind.agreements_required_concrete:
                require_concrete(
                    uow.reports.get(conversation_id),
                    uow.action_items.from_conversations([conversation_id]),
                    participants=talk.participant_ids,
                )
        return self._change_report(
            conversation_id, lambda report, _talk, at: report.file(at=at), follow, at=at
        )

    # --- action items -------------------------------------------------------------------

    def create_action_item(
        self,
        conversation_id: str,
        title: str,
        *,
        owner_id: str,
        due: date | None = None,
        item_id: str | None = None,
        agreement: int | None = None,
        no_due_reason: str | None = None,
        at: datetime | None = None,
    ) -> ActionItemView:
        """Record an action item agreed in a conversation, between its employee and manager.

        The owner must take part in the conversation or be the HR contact
        (:class:`~gesprekscyclus.errors.AccessDeniedError` otherwise). Without ``item_id``
        the id is derived from the conversation, title, owner and due date, so recording the
        same item twice raises a conflict instead of duplicating it. ``agreement`` links the
        item to an agreement of the conversation's report (its index, which must exist);
        ``no_due_reason`` says why an item has no due date. Returns the owner's view.
        """
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            talk = uow.conversations.get(conversation_id)
            if agreement is not None:
                report = uow.reports.find(conversation_id)
                count = 0 if report is None else len(report.agreements)
                if isinstance(agreement, bool) or agreement not in range(count):
                    raise InvalidValueError(
                        "ActionItem.agreement",
                        f"{agreement!r} is not an agreement of the report of {conversation_id!r}",
                        allowed=range(count),
                    )
            item = ActionItem.agreed_in(
                talk,
                id=item_id or _item_id(talk.id, title, owner_id, due),
                title=title,
                owner_id=owner_id,
                due=due,
                hr_office=self.hr_office,
                kind=self._kind(talk.type_key),
                agreement=agreement,
                no_due_reason=no_due_reason,
            )
            uow.action_items.add_many([item])
            self.state_changes.item(uow, None, item, at)
            return self._item_view(uow, item, at)

    def record_agreement(
        self,
        conversation_id: str,
        agreement: str,
        *,
        owner_id: str,
        due: date | None = None,
        no_due_reason: str | None = None,
        at: datetime | None = None,
    ) -> ReportView:
        """Add ``agreement`` to the conversation's draft or shared report and record it as an
        action item owned by ``owner_id`` in the same unit of work, so the agreement is
        concrete from the start (give ``due`` or ``no_due_reason``). The owner must take part
        (or be the HR contact); without a date or a reason
        :class:`~gesprekscyclus.errors.InvalidValueError` is raised and nothing changes.
        Returns the report's author's view.
        """
        if due is None and no_due_reason is None:
            raise InvalidValueError(
                "record_agreement.due",
                "a concrete agreement has a due date or a reason for having none",
                allowed=("due", "no_due_reason"),
            )
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            talk = uow.conversations.get(conversation_id)
            current = uow.reports.get(conversation_id)
            changed = current.revise(agreements=(*current.agreements, agreement), at=at)
            item = ActionItem.agreed_in(
                talk,
                id=_item_id(talk.id, agreement, owner_id, due),
                title=agreement,
                owner_id=owner_id,
                due=due,
                hr_office=self.hr_office,
                kind=self._kind(talk.type_key),
                agreement=len(current.agreements),
                no_due_reason=no_due_reason,
            )
            uow.reports.update(changed, expected_version=version_of(current))
            uow.action_items.add_many([item])
            self.state_changes.report(uow, current, changed, at, conversation=talk)
            self.state_changes.item(uow, None, item, at)
            return self._report_view(uow, changed, talk, changed.author_id, at)

    def complete_action_item(self, item_id: str, *, at: datetime | None = None) -> ActionItemView:
        """Mark an item done."""
        return self._change_item(item_id, lambda item, at: item.complete(at=at), at=at)

    def drop_action_item(
        self, item_id: str, *, reason: str, at: datetime | None = None
    ) -> ActionItemView:
        """Give an item up, saying why."""
        return self._change_item(item_id, lambda item, at: item.drop(reason=reason, at=at), at=at)

    def rescope_action_item(
        self,
        item_id: str,
        *,
        title: str | None = None,
        due: date | None = None,
        at: datetime | None = None,
    ) -> ActionItemView:
        """New terms for an item; its carry count starts again."""
        return self._change_item(
            item_id, lambda item, at: item.rescope(title=title, due=due, at=at), at=at
        )

    def escalate_action_item(
        self, item_id: str, *, to_id: str, reason: str, at: datetime | None = None
    ) -> ActionItemView:
        """Bring an item to ``to_id``'s attention; its carry count starts again."""
        return self._change_item(
            item_id, lambda item, at: item.escalate(to_id=to_id, reason=reason, at=at), at=at
        )

    def carry_over(
        self, from_conversation_id: str, *, at: datetime | None = None
    ) -> CarryOverResult:
        """Carry the open items of a conversation's employee and manager onto their next
        open conversation on the same track (the earliest by target date, other than this
        one).

        Items travel only between conversations whose types share an action-item track
        (:meth:`~gesprekscyclus.planning.design.CycleDesign.track_of`): by default what is
        agreed in a check-in never lands on an absence or exit conversation, and only the items
        that came from a conversation on the source's track are carried. Items that reached
        the design's ``carry_over_limit`` are not carried but returned in ``needs_decision``.
        Calling this again for the same pair counts nothing twice.
        """
        at = self._at(at)
        with self.store.unit_of_work() as uow:
            source = uow.conversations.get(from_conversation_id)
            track = self._track(source.type_key)
            upcoming = [
                talk
                for talk in uow.conversations.by_employee(source.employee_id)
                if talk.status in _OPEN
                and talk.id != source.id
                and talk.manager_id == source.manager_id
                and talk.window.target >= source.window.target
                and self._track(talk.type_key) == track
            ]
            if not upcoming:
                return CarryOverResult(source.id, None)
            target = min(upcoming, key=lambda talk: (talk.window.target, talk.id))
            tracks = _item_tracks(
                uow,
                uow.action_items.open_between(source.employee_id, source.manager_id),
                self._track,
            )
            items = [item for item, on in tracks if on == track]
            before = {item.id: item for item in items}
            outcome = carry_over(
                items, next_conversation=target, limit=self.design.carry_over_limit, at=at
            )
            for item in outcome.carried:
                if item != before[item.id]:
                    uow.action_items.update(item, expected_version=version_of(before[item.id]))
                    self.state_changes.item(uow, before[item.id], item, at)
        return CarryOverResult(source.id, target.id, outcome.carried, outcome.needs_decision)

    # --- reminders ----------------------------------------------------------------------

    def enqueue_due_reminders(self, at: datetime | None = None) -> ReminderReport:
        """Put every reminder due at ``at`` (by default now) in the outbox; keys that are
        there already are skipped, so calling this again enqueues nothing new (see
        :mod:`gesprekscyclus.service.reminders`)."""
        now = self._at(at)
        with self.store.unit_of_work() as uow:
            self._refresh(uow)
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

    def find_person(self, person_id: str) -> Person | None:
        """One stored person, or ``None`` when there is none with this id."""
        with self.store.unit_of_work() as uow:
            return uow.people.find(person_id)

    @checks_own("records")  # read like a people file, each problem with its line
    def sync_people(
        self,
        records: Iterable[Person | Mapping[str, str | None]],
        *,
        on: date,
        last_day: date | None = None,
    ) -> SyncReport:
        """Make the stored people the ``records`` (the complete current staff) as of
        ``on``, each difference applied as its life event in one unit of work; see
        :mod:`gesprekscyclus.service.sync`."""
        from gesprekscyclus.service.sync import sync_people  # noqa: PLC0415 - it uses this module

        return sync_people(self, records, on=on, last_day=last_day)

    def conversation(self, conversation_id: str, *, reader: str) -> ConversationView:
        """What ``reader`` may see of one conversation; :class:`AccessDeniedError` when they
        may not know it exists.

        >>> from datetime import timezone
        >>> from gesprekscyclus.adapters.memory import MemoryStore
        >>> from gesprekscyclus.domain.conversations import Conversation, Participant, Window
        >>> from gesprekscyclus.planning.design import CycleDesign
        >>> from gesprekscyclus.ports.clock import FixedClock
        >>> service = ConversationService(
        ...     MemoryStore(), FixedClock(datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)),
        ...     design=CycleDesign(name="d", cycle_start=date(2026, 1, 1)), hr_contact_id="hr")
        >>> talk = Conversation.plan(id="x-1", type_key="exit_interview", employee_id="e",
        ...     manager_id="m", participants=[Participant("hr", "hr")], roles=("employee", "hr"),
        ...     window=Window(date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 20)))
        >>> with service.store.unit_of_work() as uow:
        ...     uow.conversations.add_many([talk])
        1
        >>> service.add_note("x-1", "hr", "Werkdruk was te hoog").notes[0].text
        'Werkdruk was te hoog'
        >>> service.conversation("x-1", reader="m")
        Traceback (most recent call last):
        ...
        gesprekscyclus.errors.AccessDeniedError: access matrix: conversation: 'm' may not see \
'x-1'
        >>> [(e.reader_id, e.record_id) for e in service.administration.access_log_about("e")]
        [('hr', 'x-1')]
        """
        with self._reading(reader) as (uow, read):
            view = read.conversation(uow.conversations.get(conversation_id))
        if view is None:
            raise AccessDeniedError(
                "access matrix: conversation", reader, f"may not see {conversation_id!r}"
            )
        return view

    def questions_for(
        self, conversation_id: str, reader: str, locale: Locale | str = Locale.NL
    ) -> QuestionsView:
        """The questions ``reader`` prepares or answers in one conversation, by their part
        in it, in ``locale``, each with the current answers the access policy lets them
        read; see :mod:`gesprekscyclus.service.questions`.
        :class:`AccessDeniedError` when they may not see the conversation.

        >>> from datetime import timezone
        >>> from gesprekscyclus.adapters.memory import MemoryStore
        >>> from gesprekscyclus.domain.conversations import Conversation, Window
        >>> from gesprekscyclus.planning.design import CycleDesign
        >>> from gesprekscyclus.ports.clock import FixedClock
        >>> service = ConversationService(
        ...     MemoryStore(), FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)),
        ...     design=CycleDesign(name="d", cycle_start=date(2026, 1, 1)))
        >>> talk = Conversation.plan(id="g-1", type_key="growth_review", employee_id="e",
        ...     manager_id="m", window=Window(date(2026, 3, 1), date(2026, 3, 9),
        ...     date(2026, 3, 31)))
        >>> with service.store.unit_of_work() as uow:
        ...     uow.conversations.add_many([talk])
        1
        >>> first = service.questions_for("g-1", "e", locale="en").questions[0]
        >>> _ = service.record_answers("g-1", "e", {first.key: first.options[-1].value})
        >>> mine = service.questions_for("g-1", "e").questions[0]
        >>> mine.answer == first.options[-1].value, mine.may_answer
        (True, True)
        >>> [q.answer for q in service.questions_for("g-1", "m").questions if q.key == first.key]
        []
        """
        language = Locale(locale)
        with self._reading(reader) as (uow, read):
            talk = uow.conversations.get(conversation_id)
            view = read.conversation(talk)
        if view is None:
            raise AccessDeniedError(
                "access matrix: conversation", reader, f"may not see {conversation_id!r}"
            )
        question_set = pinned_question_set(talk, self.design, self.catalog)
        return questions_view(talk, view, question_set=question_set, locale=language)

    def guide_for(
        self, conversation_id: str, *, reader: str, locale: Locale | str | None = None
    ) -> tuple[GuideSection, ...]:
        """The guide of the conversation's type, in ``locale`` (by default the reader's own
        language), for the person who leads it; empty when the type has no guide.

        Anyone else is refused with :class:`AccessDeniedError`: the employee, since the guide
        would read to them as a script of how they are to be handled, and other participants,
        who do not lead it. Someone who may not see the conversation learns nothing more
        than :meth:`conversation` tells them.
        """
        with self.store.unit_of_work() as uow:
            talk = uow.conversations.get(conversation_id)
        role = reader_role(talk, reader, hr_office=self.hr_office)
        if role is None or role is ReaderRole.HR_OFFICE:
            raise AccessDeniedError(
                "access matrix: conversation", reader, f"may not see {conversation_id!r}"
            )
        kind = self._kind(talk.type_key)
        led_by = kind.led_by if kind is not None else Role.MANAGER
        leads = any(p.person_id == reader and p.role is led_by for p in talk.participants)
        if not leads or led_by is Role.EMPLOYEE:
            raise AccessDeniedError(
                "guide", reader, f"only the person leading {conversation_id!r} receives its guide"
            )
        guide = self.catalog.guide_for(talk.type_key)
        if guide is None:
            return ()
        return guide.sections(self.person(reader).locale if locale is None else locale)

    def report(self, conversation_id: str, *, reader: str) -> ReportView:
        """What ``reader`` may see of the report of one conversation (a draft only its
        author); :class:`AccessDeniedError` when they may not read it."""
        with self._reading(reader) as (uow, read):
            report = uow.reports.get(conversation_id)
            items = uow.action_items.from_conversations([conversation_id])
            view = read.report(report, uow.conversations.get(conversation_id), items)
        if view is None:
            content = "draft_report" if report.is_draft else "shared_report"
            raise AccessDeniedError(
                f"access matrix: {content}",
                reader,
                f"may not read the report of {conversation_id!r}",
            )
        return view

    def action_item(self, item_id: str, *, reader: str) -> ActionItemView:
        """What ``reader`` may see of one action item; :class:`AccessDeniedError` when they
        may not see it."""
        with self._reading(reader) as (uow, read):
            item = uow.action_items.get(item_id)
            origin = uow.conversations.by_ids([item.origin_conversation_id])
            view = read.item(item, origin[0] if origin else None)
        if view is None:
            raise AccessDeniedError(
                "access matrix: action_item", reader, f"may not see {item_id!r}"
            )
        return view

    def conversations_of(self, employee_id: str, *, reader: str) -> tuple[ConversationView, ...]:
        """The conversations of one employee that ``reader`` may see, by target date."""
        with self._reading(reader) as (uow, read):
            return _visible(read, uow.conversations.by_employee(employee_id))

    def agenda(
        self,
        person_id: str,
        *,
        reader: str,
        start: date | None = None,
        end: date | None = None,
        role: Role | str | None = None,
    ) -> tuple[AgendaEntry, ...]:
        """The upcoming conversations ``person_id`` takes part in, in any role (employee,
        manager, HR, case manager, occupational physician, neutral interviewer) or only in
        ``role``: open, window not yet past on ``start`` (by default today), target up to
        ``end``; by target,
        then id. Each comes with the open action items on its agenda, as ``reader`` sees
        them (usually the person themselves); what the reader may not see is left out.

        A manager's agenda never holds a conversation he takes no part in (an exit
        interview of his employee): taking part means being a participant.

        >>> from datetime import timezone
        >>> from gesprekscyclus.adapters.memory import MemoryStore
        >>> from gesprekscyclus.domain.conversations import Conversation, Participant, Window
        >>> from gesprekscyclus.planning.design import CycleDesign
        >>> from gesprekscyclus.ports.clock import FixedClock
        >>> service = ConversationService(
        ...     MemoryStore(), FixedClock(datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)),
        ...     design=CycleDesign(name="d", cycle_start=date(2026, 1, 1)), hr_contact_id="hr")
        >>> window = Window(date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 20))
        >>> with service.store.unit_of_work() as uow:
        ...     uow.conversations.add_many([
        ...         Conversation.plan(id="c-1", type_key="check_in", employee_id="e",
        ...             manager_id="m", window=window),
        ...         Conversation.plan(id="x-1", type_key="exit_interview", employee_id="e",
        ...             manager_id="m", participants=[Participant("hr", "hr")],
        ...             roles=("employee", "hr"), window=window)])
        2
        >>> [e.conversation.id for e in service.agenda("m", reader="m", start=date(2026, 5, 4))]
        ['c-1']
        >>> [e.conversation.id for e in service.agenda("hr", reader="hr", start=date(2026, 5, 4))]
        ['x-1']
        >>> [e.conversation.id for e in service.agenda("e", reader="e", start=date(2026, 5, 4))]
        ['c-1', 'x-1']
        """
        wanted = None if role is None else Role(role)
        if start is None:
            start = self._on(None)
        elif not isinstance(start, date) or isinstance(start, datetime):
            raise InvalidValueError("start", f"must be a date, got {shown(start)}")
        if end is not None and end < start:
            raise InvalidValueError("end", f"{end} lies before start {start}")
        query = ConversationQuery(participant_id=person_id, statuses=_OPEN, end=end)
        with self._reading(reader) as (uow, read):
            talks: list[Conversation] = []
            after: tuple[date, str] | None = None
            while True:
                page = uow.conversations.page(query, after=after, limit=MAX_PAGE)
                talks.extend(
                    talk for talk in page if wanted is None or talk.role_of(person_id) is wanted
                )
                if len(page) < MAX_PAGE:
                    break
                after = (page[-1].window.target, page[-1].id)
            return _agenda(uow, read, talks, start, end, self._track)

    def list_conversations(
        self,
        *,
        reader: str,
        employee_id: str | None = None,
        manager_id: str | None = None,
        participant_id: str | None = None,
        type_key: str | Iterable[str] = (),
        status: ConversationStatus | str | Iterable[ConversationStatus | str] = (),
        start: date | None = None,
        end: date | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[ConversationView]:
        """One page of the conversations that match every filter given (see
        :class:`~gesprekscyclus.ports.queries.ConversationQuery`; ``start``/``end`` bound
        the target day), by target day, then id, as ``reader`` sees them; pass the page's
        ``next_cursor`` for the next one (see :mod:`gesprekscyclus.service.paging`).

        >>> from datetime import timezone
        >>> from gesprekscyclus.adapters.memory import MemoryStore
        >>> from gesprekscyclus.domain.conversations import Conversation, Window
        >>> from gesprekscyclus.planning.design import CycleDesign
        >>> from gesprekscyclus.ports.clock import FixedClock
        >>> service = ConversationService(
        ...     MemoryStore(), FixedClock(datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)),
        ...     design=CycleDesign(name="d", cycle_start=date(2026, 1, 1)))
        >>> with service.store.unit_of_work() as uow:
        ...     uow.conversations.add_many(
        ...         Conversation.plan(id=f"c-{day}", type_key="check_in", employee_id="e",
        ...             manager_id="m", window=Window(date(2026, 5, day), date(2026, 5, day),
        ...             date(2026, 5, day))) for day in (3, 1, 2))
        3
        >>> page = service.list_conversations(reader="m", manager_id="m", limit=2)
        >>> [view.id for view in page.items]
        ['c-1', 'c-2']
        >>> rest = service.list_conversations(reader="m", manager_id="m", limit=2,
        ...                                   cursor=page.next_cursor)
        >>> [view.id for view in rest.items], rest.next_cursor
        (['c-3'], None)
        """
        query = ConversationQuery(
            employee_id=employee_id,
            manager_id=manager_id,
            participant_id=participant_id,
            type_keys=type_key,
            statuses=status,
            start=start,
            end=end,
        )
        with self._reading(reader) as (uow, read):
            return conversation_page(uow, read, query, cursor=cursor, limit=limit)

    def list_action_items(
        self,
        *,
        reader: str,
        employee_id: str | None = None,
        manager_id: str | None = None,
        owner_id: str | None = None,
        status: ActionItemStatus | str | Iterable[ActionItemStatus | str] = (),
        start: date | None = None,
        end: date | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[ActionItemView]:
        """One page of the action items that match every filter given (see
        :class:`~gesprekscyclus.ports.queries.ActionItemQuery`; ``start``/``end`` bound the
        due date), by id, as ``reader`` sees them."""
        query = ActionItemQuery(
            employee_id=employee_id,
            manager_id=manager_id,
            owner_id=owner_id,
            statuses=status,
            start=start,
            end=end,
        )
        with self._reading(reader) as (uow, read):
            return action_item_page(uow, read, query, cursor=cursor, limit=limit)

    def list_reports(
        self,
        *,
        reader: str,
        employee_id: str | None = None,
        manager_id: str | None = None,
        type_key: str | Iterable[str] = (),
        status: ReportStatus | str | Iterable[ReportStatus | str] = (),
        start: date | None = None,
        end: date | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Page[ReportView]:
        """One page of the reports that match every filter given (see
        :class:`~gesprekscyclus.ports.queries.ReportQuery`; ``manager_id``, ``type_key``
        and ``start``/``end`` are those of the report's conversation), by conversation id,
        as ``reader`` may read them."""
        query = ReportQuery(
            employee_id=employee_id,
            manager_id=manager_id,
            type_keys=type_key,
            statuses=status,
            start=start,
            end=end,
        )
        with self._reading(reader) as (uow, read):
            return report_page(uow, read, query, cursor=cursor, limit=limit)

    def due_conversations(
        self, on: date | None = None, *, reader: str
    ) -> tuple[ConversationView, ...]:
        """Open conversations whose target day has come on ``on`` (by default today) and
        whose window is still open, those ``reader`` may see."""
        today = self._on(on)
        with self._reading(reader) as (uow, read):
            return _visible(
                read, (c for c in uow.conversations.due(today) if not c.is_overdue(today))
            )

    def overdue_conversations(
        self, on: date | None = None, *, reader: str
    ) -> tuple[ConversationView, ...]:
        """Open conversations whose latest date lies before ``on`` (by default today), those
        ``reader`` may see."""
        today = self._on(on)
        with self._reading(reader) as (uow, read):
            return _visible(read, uow.conversations.overdue(today))

    def overdue_action_items(
        self, on: date | None = None, *, reader: str
    ) -> tuple[ActionItemView, ...]:
        """Open action items past their due date on ``on`` (by default today), owned by
        stored people, by due date; those ``reader`` may see."""
        today = self._on(on)
        with self._reading(reader) as (uow, read):
            items = uow.action_items.open_due_before(today)
            owners = {person.id for person in uow.people.by_ids({i.owner_id for i in items})}
            origins = {
                talk.id: talk
                for talk in uow.conversations.by_ids({i.origin_conversation_id for i in items})
            }
            views = (
                read.item(item, origins.get(item.origin_conversation_id))
                for item in items
                if item.owner_id in owners
            )
            return tuple(view for view in views if view is not None)

    def pending_sign_offs(self, *, reader: str) -> tuple[ReportView, ...]:
        """Shared reports that still wait for the employee's sign-off, of stored people, that
        ``reader`` may read; by employee, then conversation."""
        with self._reading(reader) as (uow, read):
            reports = uow.reports.pending_sign_off()
            known = {person.id for person in uow.people.by_ids({r.employee_id for r in reports})}
            talks = {
                talk.id: talk
                for talk in uow.conversations.by_ids({r.conversation_id for r in reports})
            }
            views = (
                read.report(report, talks[report.conversation_id])
                for report in sorted(reports, key=lambda r: (r.employee_id, r.conversation_id))
                if report.employee_id in known and report.conversation_id in talks
            )
            return tuple(view for view in views if view is not None)


def _visible(read: Reading, talks: Iterable[Conversation]) -> tuple[ConversationView, ...]:
    views = (read.conversation(talk) for talk in talks)
    return tuple(view for view in views if view is not None)


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


def _readable(version: DesignVersion) -> CycleDesign | None:
    """The design of a stored version, or ``None`` when it no longer reads (then a change
    is compared with an empty plan)."""
    try:
        return design_from_version(version)
    except DesignError:
        return None


def _apply_horizon(
    uow: UnitOfWork,
    design: CycleDesign,
    version: DesignVersion | None,
    catalog: Catalog,
    hr_contact_id: str | None,
    *,
    start: date,
    end: date,
    at: datetime,
    changes: StateChanges,
) -> MaterialiseReport:
    """Plan ``[start, end]`` with what ``uow`` holds and apply the plan, reading whole
    conversations only where the planner reads them (held ones) or the plan changes them."""
    people = uow.people.all()
    rank = {person.id: index for index, person in enumerate(people)}
    result, rows = plan_horizon(
        design,
        people,
        uow.events.all(),
        start=start,
        end=end,
        existing=_stored_conversations(uow, people, _WAS_HELD).values(),
        catalog=catalog,
    )
    margin = timedelta(days=PLAN_MARGIN_DAYS)
    states = uow.conversations.states(start - margin, end, (row.id for row in rows))
    return apply_to_states(
        uow,
        result,
        start=start,
        end=end,
        states=states,
        load=lambda ids: {talk.id: talk for talk in uow.conversations.by_ids(ids)},
        people={person.id: person for person in people},
        at=at,
        catalog=catalog,
        hr_contact_id=hr_contact_id,
        design=version,
        rows=rows,
        changes=changes,
        rank=rank,
    )


#: The states of conversations that took place (the ones with a held date): all the
#: planner reads of stored conversations are their held dates and answers.
_WAS_HELD = (ConversationStatus.HELD, ConversationStatus.REPORTED, ConversationStatus.CLOSED)


def _stored_conversations(
    uow: UnitOfWork,
    people: Iterable[Person] | None = None,
    statuses: Iterable[ConversationStatus] = ConversationStatus,
) -> dict[str, Conversation]:
    """The stored conversations of ``people`` (everyone stored by default) in ``statuses``
    (all by default), by id: read in one query, ordered per person as ``people`` lists them,
    then by target and id."""
    staff = uow.people.all() if people is None else list(people)
    rank = {person.id: index for index, person in enumerate(staff)}
    talks = [talk for talk in uow.conversations.by_status(statuses) if talk.employee_id in rank]
    talks.sort(key=lambda talk: rank[talk.employee_id])  # stable: (target, id) stays inside
    return {talk.id: talk for talk in talks}


def _awaits_sign_off(report: Report) -> bool:
    return report.requires_sign_off and report.status is ReportStatus.SHARED


def _withdraw_stale(uow: UnitOfWork, before: Conversation, after: Conversation) -> None:
    """Withdraw the pending messages about ``after`` that its change made pointless: those
    its new status no longer needs, or a rescheduled one's older invitations and day-before
    reminders."""
    if after.status is not before.status:
        withdrawal = withdrawal_for(after)
        if withdrawal is not None:
            uow.outbox.withdraw(withdrawal)
    elif after.sequence != before.sequence:
        uow.outbox.withdraw(
            Withdrawal(
                conversation_id=after.id,
                kinds=[ReminderKind.DAY_BEFORE, ReminderKind.SCHEDULED],
                reason=f"{after.id!r} was rescheduled to {after.starts_at}",
            )
        )


def _local_today(at: datetime, person: Person) -> date:
    return at.astimezone(ZoneInfo(person.time_zone)).date()


def _hand_over_items(
    uow: UnitOfWork,
    person: Person,
    events: Iterable[LifeEvent],
    today: date,
    at: datetime,
    emit: StateChanges,
) -> int:
    """Move ``person``'s open action items with earlier managers to the manager in force on
    ``today``; returns how many moved (each written to ``emit``)."""
    changes = manager_changes(events)
    current = manager_on(person, changes, today)
    earlier = {c.detail for c in changes} | {c.previous for c in changes} | {person.manager_id}
    moved = 0
    for manager_id in sorted(m for m in earlier if m is not None and m != current):
        for item in uow.action_items.open_between(person.id, manager_id):
            handed = item.hand_over(current, at=at)
            uow.action_items.update(handed, expected_version=version_of(item))
            emit.item(uow, item, handed, at)
            moved += 1
    return moved


def _evolve_person(person: Person, **changes: Any) -> Person:
    return attrs.evolve(person, **changes)


def _item_tracks(
    uow: UnitOfWork, items: Iterable[ActionItem], track_of: Callable[[str], str]
) -> list[tuple[ActionItem, str]]:
    """Each item with the track of the conversation it came from (the default track when
    that conversation is not stored)."""
    listed = list(items)
    origins = {
        talk.id: talk.type_key
        for talk in uow.conversations.by_ids({item.origin_conversation_id for item in listed})
    }
    return [
        (item, track_of(origins[item.origin_conversation_id]))
        if item.origin_conversation_id in origins
        else (item, DEFAULT_TRACK)
        for item in listed
    ]


def _origin_track(origin: Conversation | None, track_of: Callable[[str], str]) -> str:
    """The track of the conversation an item came from (the default track when that
    conversation is not stored)."""
    return DEFAULT_TRACK if origin is None else track_of(origin.type_key)


def _agenda(
    uow: UnitOfWork,
    read: Reading,
    conversations: Iterable[Conversation],
    today: date,
    until: date | None,
    track_of: Callable[[str], str],
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
    # Open items show on the pair's first upcoming conversation on their track (and on the
    # ones they were carried to), never on a conversation of another track.
    open_items: dict[tuple[str, str | None], list[ActionItem]] = {}
    seen: set[tuple[str, str | None, str]] = set()
    origins: dict[str, Conversation | None] = {}
    entries: list[AgendaEntry] = []
    for talk in upcoming:
        view = read.conversation(talk)
        if view is None:
            continue
        pair = (talk.employee_id, talk.manager_id)
        if pair not in open_items:
            open_items[pair] = uow.action_items.open_between(*pair)
            wanted = {i.origin_conversation_id for i in open_items[pair]} - origins.keys()
            found = {c.id: c for c in uow.conversations.by_ids(wanted)}
            origins.update((key, found.get(key)) for key in wanted)
        track = track_of(talk.type_key)
        first = (*pair, track) not in seen
        seen.add((*pair, track))
        items = (
            read.item(item, origins.get(item.origin_conversation_id))
            for item in open_items[pair]
            if _origin_track(origins.get(item.origin_conversation_id), track_of) == track
            and item.status is ActionItemStatus.OPEN
            and item.origin_conversation_id != talk.id
            and (first or talk.id in item.carried_to)
        )
        entries.append(AgendaEntry(view, tuple(item for item in items if item is not None)))
    return tuple(entries)


@checked_arguments
def tick(
    service: ConversationService,
    dispatcher: Dispatcher,
    now: datetime,
    *,
    horizon_days: int = 365,
) -> TickReport:
    """One pass of the background work: materialise ``horizon_days`` from the day of
    ``now`` (UTC), move the action items of manager changes now in force
    (:meth:`ConversationService.apply_manager_changes`), enqueue the reminders due at
    ``now``, dispatch one batch, and purge what the design's retention periods no longer
    allow to keep."""
    now = aware_utc(now, "now")
    start = now.date()
    materialised = service.materialise(start, horizon_end(start, horizon_days))
    service.apply_manager_changes(now)
    reminders = service.enqueue_due_reminders(now)
    dispatched = dispatcher.run_once()
    purged = service.purge(now)
    return TickReport(materialised, reminders, dispatched, purged)
