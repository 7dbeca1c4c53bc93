"""``gesprekscyclus demo``: the library's main job, end to end, on an embedded SQLite file.

It loads the reference example organisation (:mod:`gesprekscyclus.examples`), moved by whole
years so that its cycle year is the current one (on any day the organisation is in the middle
of its year: conversations behind and ahead, sick leave, and a leaver whose last day is still
ahead), records its people and
life events, plans twelve months of conversations, shows the coming agenda and a
prepared conversation with its questions, sends the reminders due now to the console (once:
a second run sends nothing again), writes each manager's calendar feed, and shows the leaver's
exit interview, held with HR, which their manager cannot see.
"""

from __future__ import annotations

import argparse
import io
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
from dateutil.relativedelta import relativedelta

from gesprekscyclus._files import write_output
from gesprekscyclus.adapters.notifiers.console import ConsoleNotifier
from gesprekscyclus.bootstrap import build_service
from gesprekscyclus.domain.events import LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.questions import Audience
from gesprekscyclus.errors import AccessDeniedError, InvalidValueError
from gesprekscyclus.examples import load_reference
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.planning.planner import FIRST_PLAN_DAY, LAST_PLAN_DAY
from gesprekscyclus.ports.clock import Clock, FixedClock, SystemClock
from gesprekscyclus.ports.notifier import NEUTRAL_TITLE, Notification
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.dispatch import Dispatcher, DispatchReport
from gesprekscyclus.service.feeds import manager_feed_entries
from gesprekscyclus.service.materialise import PLAN_MARGIN_DAYS
from gesprekscyclus.service.views import AgendaEntry, ConversationView

__all__ = ["living_example", "register", "run_demo"]

DEFAULT_DB = "sqlite:///gesprekscyclus-demo.sqlite"
DEFAULT_OUT = "gesprekscyclus-demo"
_SHOWN_REMINDERS = 12
_AMSTERDAM = ZoneInfo("Europe/Amsterdam")

#: The HR adviser the demo adds to the example organisation: the HR contact, who holds the
#: exit interviews.
HR_ADVISER = Person(
    id="hr-01",
    name="Sanne Bakker",
    manager_id="d-01",
    hire_date=date(2019, 2, 1),
    team="hr",
    contract="vast",
    location="Utrecht",
    email="hr-01@voorbeeld.example",
)


_Example = tuple[CycleDesign, tuple[Person, ...], tuple[LifeEvent, ...]]


def living_example(today: date) -> _Example:
    """The reference example moved by whole years so that ``today`` lies in its cycle year.

    Every date moves together (cycle start, company closures and extra days off, hire and end
    dates, life events; 29 February becomes the 28th), so the organisation keeps its story.
    Only a leaver whose last day would be less than :data:`LEAVER_LEAD` ahead of ``today``
    leaves a year later (end date, notice and last day), so that there is always an exit
    interview ahead to show.

    >>> design, people, events = living_example(date(2031, 6, 15))
    >>> design.cycle_start, design.name
    (datetime.date(2031, 1, 1), 'Voorbeeld mkb: gesprekscyclus 2031')
    >>> min(event.on for event in events)
    datetime.date(2030, 5, 11)
    >>> sorted(p.end_date.isoformat() for p in people if p.end_date)
    ['2031-08-31']
    >>> sorted(e.on.isoformat() for e in events if e.kind is LifeEventKind.LAST_DAY)
    ['2032-06-30']
    """
    design, people, events = _moved_by_years(today)
    return design, *_leaving_ahead(people, events, today)


#: How far ahead of the demo's day an example leaver's last day lies at least.
LEAVER_LEAD = timedelta(days=28)
#: How far ahead the demo plans.
DEMO_HORIZON = timedelta(days=365)
_LEAVING = frozenset({LifeEventKind.NOTICE_GIVEN, LifeEventKind.LAST_DAY})


def _leaving_ahead(
    people: tuple[Person, ...], events: tuple[LifeEvent, ...], today: date
) -> tuple[tuple[Person, ...], tuple[LifeEvent, ...]]:
    """``people`` and ``events``, with each leaver too close to (or past) their last day
    leaving a year later."""
    last_days = {person.id: person.end_date for person in people if person.end_date}
    last_days.update(
        (event.person_id, event.on) for event in events if event.kind is LifeEventKind.LAST_DAY
    )
    later = {person_id for person_id, day in last_days.items() if day < today + LEAVER_LEAD}
    if not later:
        return people, events

    def year_on(day: date) -> date:
        return day + relativedelta(years=1)

    return (
        tuple(
            attrs.evolve(person, end_date=year_on(person.end_date))
            if person.id in later and person.end_date is not None
            else person
            for person in people
        ),
        tuple(
            attrs.evolve(event, on=year_on(event.on))
            if event.person_id in later and event.kind in _LEAVING
            else event
            for event in events
        ),
    )


def _moved_by_years(today: date) -> _Example:
    """The reference example, every date moved by the whole years that put ``today`` in its
    cycle year."""
    design, people, events = load_reference()
    years = today.year - design.cycle_start.year
    if today < design.cycle_start.replace(year=today.year):
        years -= 1
    if years == 0:
        return design, people, events

    def moved(day: date) -> date:
        return day + relativedelta(years=years)

    def retitled(text: str, day: date) -> str:
        return text.replace(str(day.year), str(moved(day).year))

    calendar = design.calendar
    calendar = attrs.evolve(
        calendar,
        closures=tuple(
            attrs.evolve(
                closure,
                start=moved(closure.start),
                end=moved(closure.end),
                label=retitled(closure.label, closure.start),
            )
            for closure in calendar.closures
        ),
        extra_days_off=frozenset(moved(day) for day in calendar.extra_days_off),
    )
    return (
        attrs.evolve(
            design,
            name=retitled(design.name, design.cycle_start),
            cycle_start=moved(design.cycle_start),
            calendar=calendar,
        ),
        tuple(
            attrs.evolve(
                person,
                hire_date=moved(person.hire_date),
                end_date=moved(person.end_date) if person.end_date else None,
            )
            for person in people
        ),
        tuple(attrs.evolve(event, on=moved(event.on)) for event in events),
    )


class _Console:
    """The console notifier, writing every line but showing only the first few."""

    def __init__(self, out: io.StringIO):
        self.lines: list[str] = []
        self._buffer = io.StringIO()
        self._notifier = ConsoleNotifier(self._buffer)
        self._out = out

    def send(self, notification: Notification) -> None:
        self._notifier.send(notification)
        line = self._buffer.getvalue().rstrip("\n").rsplit("\n", 1)[-1]
        self.lines.append(line)
        if len(self.lines) <= _SHOWN_REMINDERS:
            self._out.write(f"    {line}\n")


def _heading(out: io.StringIO, text: str) -> None:
    out.write(f"\n{text}\n{'-' * len(text)}\n")


def _name(people: dict[str, Person], person_id: str | None) -> str:
    person = people.get(person_id or "")
    return person.name if person is not None else str(person_id)


def _agenda_line(
    entry: AgendaEntry, people: dict[str, Person], service: ConversationService
) -> str:
    talk = entry.conversation
    kind = service.catalog.type(talk.type_key)
    # A screen may be seen by others: sensitive types show a neutral title.
    label = NEUTRAL_TITLE.in_("en") if kind.sensitivity != "normal" else kind.label.in_("en")
    when = (
        talk.starts_at.astimezone(ZoneInfo(talk.time_zone)).strftime("%Y-%m-%d %H:%M")
        if talk.starts_at
        else f"{talk.window.target.isoformat()}      "
    )
    items = f"  ({len(entry.action_items)} open action items)" if entry.action_items else ""
    return f"    {when}  {label:<22} with {_name(people, talk.employee_id)}{items}"


def _prepared(
    out: io.StringIO,
    service: ConversationService,
    talk: ConversationView,
    people: dict[str, Person],
) -> None:
    employee = people[talk.employee_id]
    kind = service.catalog.type(talk.type_key)
    question_set = service.catalog.question_set_for(talk.type_key)
    out.write(
        f"    {kind.label.in_(employee.locale)} — {employee.name}, "
        f"{talk.window.target.isoformat()} (window {talk.window.earliest} to "
        f"{talk.window.latest}), question set {question_set.ref}\n"
    )
    for audience, title in (
        (Audience.JOINT, "both prepare"),
        (Audience.EMPLOYEE_PREPARATION, "the employee also prepares"),
        (Audience.MANAGER_PREPARATION, "the manager also prepares"),
    ):
        questions = [q for q in question_set.questions if q.audience is audience]
        if not questions:
            continue
        out.write(f"    {title} ({employee.locale.value}, * = required):\n")
        for question in questions:
            required = " *" if question.required else ""
            out.write(f"      - {question.text.in_(employee.locale)}{required}\n")


def _dispatch_all(dispatcher: Dispatcher) -> DispatchReport:
    total = DispatchReport()
    for _ in range(10_000):  # bounded: each round handles one batch
        report = dispatcher.run_once()
        total += report
        if report.handled == 0:
            break
    return total


class _Demo:
    """The demo's shared state, one method per section of its story."""

    def __init__(
        self, out: io.StringIO, service: ConversationService, clock: Clock, example: _Example
    ):
        self.out = out
        self.service = service
        self.clock = clock
        self.now = clock.now()
        self.today = self.now.astimezone(_AMSTERDAM).date()
        _design, staff, self.events = example
        staff = (*staff, HR_ADVISER)
        self.staff = staff
        self.people = {person.id: person for person in staff}
        self.managers = sorted({p.manager_id for p in staff if p.manager_id})
        self.hr = HR_ADVISER.id

    def organisation(self) -> None:
        service, staff = self.service, self.staff
        _heading(self.out, "1. The organisation")
        for person in staff:
            service.upsert_person(person)
        recorded = sum(service.record_event(event).recorded for event in self.events)
        part_timers = sum(len(p.working_pattern.weekdays) < 5 for p in staff)
        self.out.write(
            f"    {len(staff)} people, {len(self.managers)} managers, {part_timers} part-timers, "
            f"HR: {HR_ADVISER.name}; "
            f"{len(self.events)} life events ({recorded} new)\n"
            f"    conversation types in the design: {', '.join(service.design.type_keys)}\n"
        )

    def twelve_months(self) -> None:
        _heading(self.out, "2. Twelve months of conversations")
        today, until = self.today, self.today + DEMO_HORIZON
        report = self.service.materialise(today, until)
        self.out.write(
            f"    {today} to {until}: {report.added} added, {report.moved} moved, "
            f"{report.cancelled} cancelled, {report.unchanged} unchanged; "
            f"{report.skipped} occurrences left out by the design's rules, "
            f"{report.conflicts} capacity conflicts\n"
        )
        per_type = Counter(
            c.type_key
            for person in self.staff
            for c in self.service.conversations_of(person.id, reader=self.hr)
            if today <= c.window.target <= until
        )
        for key, count in sorted(per_type.items(), key=lambda item: (-item[1], item[0])):
            label = self.service.catalog.type(key).label.in_("en")
            self.out.write(f"      {label:<24} {count:>5}\n")

    def agenda(self) -> AgendaEntry | None:
        _heading(self.out, "3. The coming two weeks of the two busiest managers")
        until = self.today + timedelta(days=14)
        agendas = {
            manager_id: self.service.agenda(
                manager_id, reader=manager_id, start=self.today, end=until, role="manager"
            )
            for manager_id in self.managers
        }
        busiest = sorted(
            self.managers, key=lambda manager_id: (-len(agendas[manager_id]), manager_id)
        )
        first: AgendaEntry | None = None
        for manager_id in busiest[:2]:
            agenda = agendas[manager_id]
            count = f"{len(agenda)} conversation" + ("" if len(agenda) == 1 else "s")
            self.out.write(f"  {_name(self.people, manager_id)} ({count})\n")
            for entry in agenda[:6]:
                self.out.write(_agenda_line(entry, self.people, self.service) + "\n")
                first = first or entry
            if len(agenda) > 6:
                self.out.write(f"    … and {len(agenda) - 6} more\n")
        return first

    def prepared(self, entry: AgendaEntry | None) -> None:
        _heading(self.out, "4. A prepared conversation")
        if entry is None:
            self.out.write("    nothing in the coming two weeks\n")
        else:
            _prepared(self.out, self.service, entry.conversation, self.people)

    def reminders(self) -> None:
        _heading(self.out, "5. Reminders due now (console notifier)")
        console = _Console(self.out)
        reminders = self.service.enqueue_due_reminders(self.now)
        dispatcher = Dispatcher(self.service.store, console, self.clock, owner="demo")
        dispatched = _dispatch_all(dispatcher)
        if len(console.lines) > _SHOWN_REMINDERS:
            self.out.write(f"    … and {len(console.lines) - _SHOWN_REMINDERS} more\n")
        repeat = reminders.enqueued < reminders.due
        self.out.write(
            f"    {reminders.due} reminders due, {reminders.enqueued} new; "
            f"{dispatched.sent} sent now"
            + ("; the others went out on an earlier run and are not sent twice" if repeat else "")
            + "\n"
        )

    def exit_interview(self) -> None:
        _heading(self.out, "7. An exit interview the manager cannot see")
        service, hr = self.service, self.hr
        leavers = [p for p in self.staff if p.end_date is not None and p.manager_id]
        talks = [
            talk
            for person in leavers
            for talk in service.conversations_of(person.id, reader=hr)
            if talk.type_key == "exit_interview"
        ]
        if not talks:
            self.out.write("    no exit interview in the plan\n")
            return
        talk = talks[0]
        leaver = self.people[talk.employee_id]
        manager_id = leaver.manager_id
        assert manager_id is not None  # chosen above
        if not talk.notes:
            service.add_note(talk.id, hr, "Wil graag meer doorgroeimogelijkheden zien.")
        view = service.conversation(talk.id, reader=hr)
        with_whom = ", ".join(
            f"{_name(self.people, p.person_id)} ({p.role.value})" for p in view.participants
        )
        self.out.write(
            f"    {service.catalog.type(talk.type_key).label.in_('en')} of {leaver.name}, "
            f"target {talk.window.target}: {with_whom}\n"
            f"    {HR_ADVISER.name} (HR) reads {len(view.notes)} shared note(s)\n"
        )
        try:
            service.conversation(talk.id, reader=manager_id)
        except AccessDeniedError as error:
            self.out.write(f"    {_name(self.people, manager_id)} (manager) is refused: {error}\n")
        agenda = service.agenda(manager_id, reader=manager_id, start=self.today)
        feed = manager_feed_entries(service, manager_id)
        seen = any(e.conversation.id == talk.id for e in agenda) or any(
            e.id == talk.id for e in feed
        )
        self.out.write(f"    in the manager's agenda or calendar feed: {'yes' if seen else 'no'}\n")
        reads = service.administration.access_log_about(leaver.id)
        readers = sorted({entry.reader_id for entry in reads})
        self.out.write(
            f"    access log: {len(reads)} read(s) of {leaver.name}'s confidential records, by "
            f"{', '.join(readers)}\n"
        )


def run_demo(out: io.StringIO, *, db: str, today: date | None, folder: Path) -> int:
    """Run the demo, writing its story to ``out``; see the module docstring."""
    clock: Clock = (
        FixedClock(datetime.combine(today, time(8, 0), _AMSTERDAM).astimezone(UTC))
        if today is not None
        else SystemClock()
    )
    example = living_example(clock.now().astimezone(_AMSTERDAM).date())
    design = example[0]
    service = build_service(db, design=design, clock=clock, hr_contact_id=HR_ADVISER.id)
    try:
        demo = _Demo(out, service, clock, example)
        out.write(f"gesprekscyclus demo: {design.name}\nstore: {db}   today: {demo.today}\n")
        demo.organisation()
        demo.twelve_months()
        demo.prepared(demo.agenda())
        demo.reminders()
        _heading(out, "6. Calendar feeds for the managers")
        _write_feeds(out, service, demo.managers, demo.people, folder, demo.now)
        demo.exit_interview()
    finally:
        service.store.close()
    out.write("\nRun the demo again: the plan stays the same and nothing is sent twice.\n")
    return 0


def _write_feeds(
    out: io.StringIO,
    service: ConversationService,
    managers: list[str],
    people: dict[str, Person],
    folder: Path,
    now: datetime,
) -> None:
    try:
        from gesprekscyclus.adapters.notifiers.ics import feed  # noqa: PLC0415

        feed([], name="check", stamp=now)
    except ImportError:
        out.write("    skipped: install the 'ics' extra (pip install gesprekscyclus[ics])\n")
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise InvalidValueError(
            "--out", f"cannot make the folder {str(folder)!r}: {reason}"
        ) from error
    for manager_id in managers:
        entries = manager_feed_entries(service, manager_id)
        manager = people[manager_id]
        path = folder / f"{manager_id}.ics"
        write_output(
            "--out",
            path,
            feed(entries, name=f"Gesprekken {manager.name}", stamp=now, locale=manager.locale),
        )
        out.write(f"    {path}  ({len(entries)} conversations)\n")
    out.write("    Subscribe to one of these files in a calendar client to see the plan.\n")


def _folder(text: str) -> Path:
    """The ``--out`` folder, refused before the demo stores anything when it cannot be one."""
    if "\x00" in text:
        raise InvalidValueError(
            "--out", f"contains a NUL character at position {text.index(chr(0))}"
        )
    folder = Path(text)
    try:
        existing = next((path for path in (folder, *folder.parents) if path.exists()), None)
    except OSError as error:  # such as a name too long for the file system
        reason = error.strerror or str(error)
        raise InvalidValueError("--out", f"{text!r} cannot be a folder: {reason}") from None
    if existing is not None and not existing.is_dir():
        raise InvalidValueError(
            "--out", f"{text!r} cannot be a folder: {str(existing)!r} is a file"
        )
    return folder


def _today(text: str) -> date:
    """The ``--today`` date: one whose twelve months the planner can cover, margins included."""
    from gesprekscyclus.cli.planning import parse_date  # noqa: PLC0415 - the shared reader

    day = parse_date(text, "--today")
    margin = timedelta(days=PLAN_MARGIN_DAYS)
    first, last = FIRST_PLAN_DAY + margin, LAST_PLAN_DAY - margin - DEMO_HORIZON
    if not first <= day <= last:
        raise InvalidValueError(
            "--today", f"{day} lies outside the days the demo can plan (from {first} to {last})"
        )
    return day


def _run(args: argparse.Namespace, out: io.StringIO) -> int:
    folder = _folder(args.out)
    today = _today(args.today) if args.today else None
    return run_demo(out, db=args.db, today=today, folder=folder)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``demo``."""
    parser = subparsers.add_parser(
        "demo", help="plan, remind and follow up the example organisation on SQLite"
    )
    parser.add_argument("--db", default=DEFAULT_DB, help=f"store URL (default {DEFAULT_DB})")
    parser.add_argument("--today", help="act as if today were this date (YYYY-MM-DD)")
    parser.add_argument(
        "--out", default=DEFAULT_OUT, help=f"folder for the calendar feeds (default {DEFAULT_OUT})"
    )
    parser.set_defaults(handler=_run)
