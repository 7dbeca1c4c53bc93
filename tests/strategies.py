"""Hypothesis strategies for every domain type, shared by all tests.

Each section belongs to one area of the domain; keep a section's strategies together.
"""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, time, timedelta, timezone

import attrs
from hypothesis import strategies as st

from gesprekscyclus.adapters.notifiers.templates import Template, TemplateOverride, Templates
from gesprekscyclus.domain.absence import (
    AbsenceCase,
    LegalBasis,
    Milestone,
    Prognosis,
    SickPeriod,
)
from gesprekscyclus.domain.absence_records import (
    AbsenceRecord,
    AccidentInvolvement,
    CapacityLevel,
    ExpectedDuration,
    FunctionalArea,
    FunctionalCapacity,
    OccupationalHealthAdvice,
    SickReportRecord,
    WorkAbility,
)
from gesprekscyclus.domain.action_items import ActionItem, ActionItemStatus, NeedsDecision
from gesprekscyclus.domain.cadence import (
    AnchorKind,
    AnchorTo,
    Anniversary,
    AnswerOperator,
    AnswerTrigger,
    Cadence,
    Interval,
    IntervalUnit,
    LifecycleOffset,
    RRuleCadence,
    Threshold,
)
from gesprekscyclus.domain.calendar import (
    BusinessDayConvention,
    Closure,
    DutchDayOffPolicy,
    LiberationDayPolicy,
    WorkingCalendar,
)
from gesprekscyclus.domain.catalog import BUILT_IN_TYPE_KEYS, Catalog
from gesprekscyclus.domain.conversation_types import (
    ConversationType,
    Sensitivity,
    SignOffRequirement,
)
from gesprekscyclus.domain.conversations import (
    Conversation,
    ConversationAction,
    ConversationStatus,
    Participant,
    Window,
)
from gesprekscyclus.domain.events import PROGNOSIS_DETAILS, LifeEvent, LifeEventKind
from gesprekscyclus.domain.people import LeapDayPolicy, Person, Role, WorkingPattern
from gesprekscyclus.domain.questions import (
    AnswerValue,
    Audience,
    Choice,
    Question,
    QuestionKind,
    QuestionSet,
    QuestionSetLibrary,
    QuestionSetRef,
    ScalePoint,
)
from gesprekscyclus.domain.reminders import REMINDER_KINDS, ReminderPolicy
from gesprekscyclus.domain.reports import Report, ReportAction, SignOffKind
from gesprekscyclus.domain.text import Locale, LocalizedText
from gesprekscyclus.planning.design import (
    Capacity,
    CycleDesign,
    DropNear,
    Population,
    TypeRule,
)
from gesprekscyclus.ports.notifier import (
    ActionItemInfo,
    ConversationInfo,
    Notification,
    Recipient,
)
from gesprekscyclus.ports.store import OutboxMessage, OutboxStats, OutboxStatus
from gesprekscyclus.service.app import AgendaEntry, CarryOverResult, ManagerChange, TickReport
from gesprekscyclus.service.dispatch import Backoff, DispatchReport
from gesprekscyclus.service.materialise import MaterialiseReport
from gesprekscyclus.service.reminders import ReminderReport
from gesprekscyclus.service.views import (
    ActionItemView,
    ConversationView,
    action_item_view,
    conversation_view,
)
from gesprekscyclus.testing.contract import make_notification

# --- basics ---------------------------------------------------------------------------------

ids = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=12)
#: Any non-blank text without NUL, including quotes, semicolons and non-Latin scripts.
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
).filter(lambda text: bool(text.strip()))
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
locales = st.sampled_from(Locale)
roles = st.sampled_from(Role)

localized_texts = st.one_of(
    st.builds(LocalizedText, nl=texts, en=texts),
    st.builds(LocalizedText, nl=texts),
    st.builds(LocalizedText, en=texts),
)

# --- people and events ----------------------------------------------------------------------

working_patterns = st.builds(
    WorkingPattern, st.frozensets(st.integers(1, 7), min_size=1, max_size=7)
)
time_zones = st.sampled_from(["Europe/Amsterdam", "Europe/Brussels", "UTC", "America/New_York"])


@st.composite
def people(draw: st.DrawFn, *, id: str | None = None, manager_id: str | None = None) -> Person:
    hire = draw(dates)
    end = draw(st.none() | st.dates(min_value=hire, max_value=date(2060, 12, 31)))
    person_id = id if id is not None else draw(ids)
    return Person(
        id=person_id,
        name=draw(texts),
        hire_date=hire,
        end_date=end,
        manager_id=manager_id
        if manager_id is not None
        else draw(st.none() | ids.filter(lambda i: i != person_id)),
        team=draw(st.none() | texts),
        locale=draw(locales),
        time_zone=draw(time_zones),
        working_pattern=draw(working_patterns),
        contract=draw(st.none() | texts),
        location=draw(st.none() | texts),
        leap_day_policy=draw(st.sampled_from(LeapDayPolicy)),
    )


@st.composite
def life_events(draw: st.DrawFn) -> LifeEvent:
    kind = draw(st.sampled_from(LifeEventKind))
    if kind is LifeEventKind.PROGNOSIS:
        detail: str | None = draw(st.sampled_from(PROGNOSIS_DETAILS))
    elif kind is LifeEventKind.MANAGER_CHANGE:
        detail = draw(ids)
    else:
        detail = None
    return LifeEvent(on=draw(dates), person_id=draw(ids), kind=kind, detail=detail)


# --- calendar -------------------------------------------------------------------------------

#: Days within the range the Dutch holiday rules support, around the years planning uses.
calendar_days = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))


@st.composite
def closures(draw: st.DrawFn) -> Closure:
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
    length = draw(st.integers(min_value=0, max_value=21))
    return Closure(start, date.fromordinal(start.toordinal() + length), draw(texts))


dutch_day_off_policies = st.builds(
    DutchDayOffPolicy,
    good_friday=st.booleans(),
    liberation_day=st.sampled_from(LiberationDayPolicy),
)

working_calendars = st.builds(
    WorkingCalendar,
    dutch_policy=dutch_day_off_policies,
    closures=st.lists(closures(), max_size=3).map(tuple),
    extra_days_off=st.frozensets(calendar_days, max_size=5),
)


# --- questions and catalog ------------------------------------------------------------------

identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
audiences = st.sampled_from(Audience)


@st.composite
def questions(
    draw: st.DrawFn, *, key: str | None = None, kind: QuestionKind | None = None
) -> Question:
    kind = kind if kind is not None else draw(st.sampled_from(QuestionKind))
    scale: tuple[ScalePoint, ...] = ()
    choices: tuple[Choice, ...] = ()
    if kind is QuestionKind.SCALE:
        values = draw(st.lists(st.integers(-10, 10), min_size=2, max_size=6, unique=True))
        scale = tuple(ScalePoint(value, draw(localized_texts)) for value in sorted(values))
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        keys = draw(st.lists(identifiers, min_size=2, max_size=5, unique=True))
        choices = tuple(Choice(choice_key, draw(localized_texts)) for choice_key in keys)
    return Question(
        key=key if key is not None else draw(identifiers),
        kind=kind,
        text=draw(localized_texts),
        audience=draw(audiences),
        required=draw(st.booleans()),
        scale=scale,
        choices=choices,
        help=draw(st.none() | localized_texts),
    )


@st.composite
def question_sets(
    draw: st.DrawFn, *, key: str | None = None, version: int | None = None
) -> QuestionSet:
    keys = draw(st.lists(identifiers, min_size=1, max_size=5, unique=True))
    return QuestionSet(
        key=key if key is not None else draw(identifiers),
        version=version if version is not None else draw(st.integers(1, 5)),
        title=draw(localized_texts),
        questions=tuple(draw(questions(key=question_key)) for question_key in keys),
    )


question_set_refs = st.builds(QuestionSetRef, identifiers, st.integers(1, 1000))


@st.composite
def question_set_libraries(draw: st.DrawFn) -> QuestionSetLibrary:
    sets = draw(st.lists(question_sets(), max_size=4, unique_by=lambda qs: qs.ref))
    used = draw(st.lists(st.sampled_from(sets), max_size=3)) if sets else []
    return QuestionSetLibrary(sets=tuple(sets), used=tuple(qs.ref for qs in used))


def answer_values(question: Question) -> st.SearchStrategy[AnswerValue]:
    """Answers that fit ``question``."""
    if question.kind is QuestionKind.SCALE:
        return st.sampled_from(question.scale_values)
    if question.kind is QuestionKind.SINGLE_CHOICE:
        return st.sampled_from(question.choice_keys)
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        return st.lists(st.sampled_from(question.choice_keys), unique=True).map(tuple)
    if question.kind is QuestionKind.YES_NO:
        return st.booleans()
    return texts


@st.composite
def answers_for(
    draw: st.DrawFn, question_set: QuestionSet, *, complete: bool = False
) -> dict[str, AnswerValue]:
    """Valid answers to some questions of ``question_set`` (every required one if complete)."""
    answers: dict[str, AnswerValue] = {}
    for question in question_set.questions:
        must = complete and question.required
        if must or draw(st.booleans()):
            value = draw(answer_values(question))
            if must and question.kind is QuestionKind.MULTIPLE_CHOICE and not value:
                value = question.choice_keys[:1]
            answers[question.key] = value
    return answers


@st.composite
def conversation_types(
    draw: st.DrawFn, *, key: str | None = None, question_set_keys: tuple[str, ...] = ()
) -> ConversationType:
    participants = draw(st.lists(roles, min_size=1, max_size=4, unique=True))
    report = draw(st.booleans())
    set_keys = st.sampled_from(question_set_keys) if question_set_keys else identifiers
    return ConversationType(
        key=key if key is not None else draw(identifiers),
        label=draw(localized_texts),
        purpose=draw(localized_texts),
        participants=tuple(participants),
        led_by=draw(st.sampled_from(participants)),
        duration_minutes=draw(st.integers(1, 240)),
        sensitivity=draw(st.sampled_from(Sensitivity)),
        sign_off=draw(st.sampled_from(SignOffRequirement)) if report else SignOffRequirement.NONE,
        question_set=draw(st.none() | set_keys),
        report=report,
        private_notes=draw(st.booleans()),
        employee_written_view=draw(st.booleans()) if report else False,
    )


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    """Valid catalogs: every type's question set is in the library."""
    library = draw(question_set_libraries())
    keys = draw(st.lists(identifiers, max_size=4, unique=True))
    types = tuple(
        draw(conversation_types(key=key, question_set_keys=library.keys())) for key in keys
    )
    if not library.keys():
        types = tuple(attrs.evolve(t, question_set=None) for t in types)
    return Catalog(types=types, question_sets=library)


# --- notifications --------------------------------------------------------------------------

#: Any text at all, including blanks, markup, braces, dollars and line breaks.
wild_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
) | st.sampled_from(["<b>x</b>", "${date}", "$$", "{0}", "%s", "a\r\nBcc: x@y", "&amp;"])
emails = st.none() | st.builds(lambda a, b: f"{a}@{b}.example", ids, ids)
recipients = st.builds(Recipient, id=ids, name=texts, role=roles, locale=locales, email=emails)
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2050, 12, 31), timezones=st.just(UTC)
)


@st.composite
def conversation_infos(draw: st.DrawFn) -> ConversationInfo:
    starts = draw(st.none() | instants)
    return ConversationInfo(
        id=draw(ids),
        type_key=draw(ids),
        type_label=draw(localized_texts),
        employee_id=draw(ids),
        employee_name=draw(texts),
        manager_id=draw(st.none() | ids),
        manager_name=draw(st.none() | texts),
        on=starts.date() if starts is not None else draw(dates),
        time_zone=draw(time_zones),
        starts_at=starts,
        duration_minutes=draw(st.integers(5, 240)),
        sequence=draw(st.integers(0, 50)),
        cancelled=draw(st.booleans()),
        participants=tuple(draw(st.lists(recipients, max_size=3))),
    )


action_item_infos = st.builds(
    ActionItemInfo, id=ids, title=texts, owner_id=ids, due=st.none() | dates
)
notifications = st.builds(
    Notification,
    key=ids,
    kind=st.sampled_from(sorted(REMINDER_KINDS)),
    recipient=recipients,
    conversation=st.none() | conversation_infos(),
    action_item=st.none() | action_item_infos,
    questions=st.lists(texts, max_size=4).map(tuple),
)
_template_text = st.lists(
    st.sampled_from(["Hi ", "${recipient_name}", "${type_label}", " $$ ", "{x}", "<i>", "$when "]),
    max_size=6,
).map("".join)
templates = st.builds(Template, subject=_template_text, text=_template_text, html=_template_text)
template_sets = st.lists(
    st.builds(
        TemplateOverride,
        kind=st.sampled_from(sorted(REMINDER_KINDS)),
        locale=locales,
        template=templates,
        type_key=st.none() | ids,
    ),
    max_size=4,
    unique_by=lambda override: override.slot,
).map(lambda overrides: Templates(tuple(overrides)))


# --- conversations, reports and action items ------------------------------------------------

#: Aware instants with fixed offsets (zone-aware ones can compare unequal across folds).
aware_datetimes = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2060, 12, 31),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
    ),
)


@st.composite
def windows(draw: st.DrawFn) -> Window:
    earliest, target, latest = sorted(draw(st.lists(dates, min_size=3, max_size=3)))
    return Window(earliest, target, latest)


@st.composite
def planned_conversations(draw: st.DrawFn) -> Conversation:
    employee = draw(ids)
    manager = draw(st.none() | ids.filter(lambda i: i != employee))
    others = draw(
        st.lists(
            st.builds(
                Participant,
                ids.filter(lambda i: i not in (employee, manager)),
                st.sampled_from([Role.HR, Role.CASE_MANAGER, Role.NEUTRAL_INTERVIEWER]),
            ),
            max_size=2,
            unique_by=lambda p: p.person_id,
        )
    )
    return Conversation.plan(
        id=draw(ids),
        type_key=draw(identifiers),
        employee_id=employee,
        manager_id=manager,
        participants=others,
        window=draw(windows()),
        duration_minutes=draw(st.integers(1, 240)),
        time_zone=draw(time_zones),
        requires_report=draw(st.booleans()),
        design_version=draw(st.none() | st.integers(1, 10_000)),
        known_late=draw(st.booleans()),
    )


def apply_conversation_action(
    draw: st.DrawFn,
    conversation: Conversation,
    action: ConversationAction,
    question_set: QuestionSet,
) -> Conversation:
    """Run ``action`` with drawn arguments (it must be allowed; answers may be skipped)."""
    at = draw(aware_datetimes)
    who = draw(st.sampled_from(sorted(conversation.participant_ids)))
    if action is ConversationAction.SCHEDULE:
        return conversation.schedule(draw(aware_datetimes), at=at)
    if action is ConversationAction.RESCHEDULE:
        starts_at = draw(aware_datetimes.filter(lambda t: t != conversation.starts_at))
        return conversation.reschedule(starts_at, reason=draw(texts), at=at)
    if action is ConversationAction.CANCEL:
        return conversation.cancel(reason=draw(texts), at=at)
    if action is ConversationAction.MARK_MISSED:
        return conversation.mark_missed(reason=draw(texts), at=at)
    if action is ConversationAction.RECORD_ANSWERS:
        employee_side = conversation.role_of(who) is Role.EMPLOYEE
        answerable = {
            q.key
            for q in question_set.questions
            if q.audience is Audience.JOINT
            or (q.audience is Audience.EMPLOYEE_PREPARATION) == employee_side
        }
        answers = {
            key: value
            for key, value in draw(answers_for(question_set)).items()
            if key in answerable
        }
        if not answers:
            return conversation
        return conversation.record_answers(question_set, who, answers, at=at)
    if action is ConversationAction.ADD_NOTE:
        return conversation.add_note(who, draw(texts), private=draw(st.booleans()), at=at)
    if action is ConversationAction.HOLD:
        # Held some time between its scheduled start and being recorded as held.
        scheduled = conversation.starts_at
        assert scheduled is not None
        at = max(at, scheduled)
        spread = int((at - scheduled).total_seconds())
        held_at = draw(
            st.none() | st.integers(0, spread).map(lambda seconds: at - timedelta(seconds=seconds))
        )
        return conversation.hold(at=at, held_at=held_at)
    if action is ConversationAction.SHARE_PREPARATION:
        if who in conversation.preparation_shared_by:
            return conversation
        return conversation.share_preparation(who, at=at)
    command = getattr(conversation, action.value)
    result: Conversation = command(at=at)
    return result


@st.composite
def answered_conversations(
    draw: st.DrawFn, *, max_steps: int = 8
) -> tuple[Conversation, QuestionSet]:
    """Conversations in any reachable state, built through their own commands, with the
    question set their answers follow."""
    conversation = draw(planned_conversations())
    question_set = draw(question_sets())
    for _ in range(draw(st.integers(0, max_steps))):
        allowed = conversation.allowed_actions()
        if conversation.status is ConversationStatus.CANCELLED and draw(st.booleans()):
            conversation = conversation.reinstate(
                reason=draw(texts),
                at=draw(aware_datetimes),
                design_version=draw(st.none() | st.integers(1, 10_000)),
            )
            continue
        if not allowed:
            break
        action = draw(st.sampled_from(allowed))
        conversation = apply_conversation_action(draw, conversation, action, question_set)
    return conversation, question_set


def conversations(*, max_steps: int = 8) -> st.SearchStrategy[Conversation]:
    """Conversations in any reachable state, built through their own commands."""
    return answered_conversations(max_steps=max_steps).map(lambda pair: pair[0])


#: The id the view strategies use for the organisation's HR contact.
HR_OFFICE = "hr-office"


@st.composite
def conversation_views(draw: st.DrawFn) -> ConversationView:
    """A view of any reachable conversation, of any type, for a participant or HR."""
    talk, question_set = draw(answered_conversations())
    kind = draw(st.none() | conversation_types())
    reader = draw(st.sampled_from([*sorted(talk.participant_ids), HR_OFFICE]))
    view = conversation_view(
        talk, reader, kind=kind, question_set=question_set, hr_office=(HR_OFFICE,)
    )
    assert view is not None  # participants and HR always know the conversation exists
    return view


@st.composite
def action_item_views(draw: st.DrawFn) -> ActionItemView:
    """An action item as its owner sees it."""
    item = draw(action_items(max_steps=2))
    view = action_item_view(item, None, item.owner_id)
    assert view is not None
    return view


@st.composite
def draft_reports(draw: st.DrawFn) -> Report:
    return Report(
        conversation_id=draw(ids),
        employee_id=draw(ids),
        summary=draw(texts),
        agreements=tuple(draw(st.lists(texts, max_size=3))),
        requires_sign_off=draw(st.booleans()),
    )


def apply_report_action(
    draw: st.DrawFn, report: Report, action: ReportAction, at: datetime
) -> Report:
    """Run ``action`` at ``at`` with drawn arguments (it must be allowed on ``at``'s date)."""
    employee = report.employee_id
    if action is ReportAction.REVISE:
        return report.revise(summary=draw(texts), at=at)
    if action is ReportAction.SHARE:
        until = draw(st.dates(min_value=at.date(), max_value=at.date() + timedelta(days=30)))
        return report.share(comment_until=until, at=at)
    if action is ReportAction.COMMENT:
        return report.comment(draw(ids), draw(texts), at=at)
    if action is ReportAction.SIGN_AGREED:
        return report.sign(employee, kind=SignOffKind.AGREED, at=at)
    if action is ReportAction.SIGN_SEEN:
        return report.sign(employee, kind=SignOffKind.SEEN, at=at)
    if action is ReportAction.REFUSE_SIGN_OFF:
        return report.refuse_sign_off(employee, reason=draw(texts), at=at)
    if action is ReportAction.ADD_WRITTEN_VIEW:
        return report.add_written_view(employee, draw(texts), at=at)
    return report.file(at=at)


@st.composite
def reports(draw: st.DrawFn, *, max_steps: int = 8) -> Report:
    """Reports in any reachable state, built through their own commands."""
    report = draw(draft_reports())
    for _ in range(draw(st.integers(0, max_steps))):
        at = draw(aware_datetimes)
        allowed = [
            action
            for action in report.allowed_actions(at.date())
            if not (action is ReportAction.ADD_WRITTEN_VIEW and report.written_view is not None)
        ]
        if not allowed:
            break
        report = apply_report_action(draw, report, draw(st.sampled_from(allowed)), at)
    return report


@st.composite
def action_items(draw: st.DrawFn, *, max_steps: int = 3) -> ActionItem:
    """Action items with some carry-over behind them and a few commands applied."""
    carried_to = draw(st.lists(ids, max_size=4, unique=True))
    employee = draw(ids)
    item = ActionItem(
        id=draw(ids),
        title=draw(texts),
        owner_id=draw(ids),
        due=draw(st.none() | dates),
        origin_conversation_id=draw(ids),
        employee_id=employee,
        manager_id=draw(st.none() | ids.filter(lambda i: i != employee)),
        carry_count=draw(st.integers(0, len(carried_to))),
        carried_to=tuple(carried_to),
    )
    for _ in range(draw(st.integers(0, max_steps))):
        if item.status is not ActionItemStatus.OPEN:
            break
        at = draw(aware_datetimes)
        step = draw(st.sampled_from(["complete", "drop", "rescope", "escalate"]))
        if step == "complete":
            item = item.complete(at=at)
        elif step == "drop":
            item = item.drop(reason=draw(texts), at=at)
        elif step == "rescope":
            item = item.rescope(title=draw(texts), due=draw(st.none() | dates), at=at)
        else:
            item = item.escalate(to_id=draw(ids), reason=draw(texts), at=at)
    return item


# --- absence --------------------------------------------------------------------------------

absence_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2050, 12, 31))


@st.composite
def sick_periods(draw: st.DrawFn, *, closed: bool | None = None) -> SickPeriod:
    """A sick period; ``closed`` forces a recovery (True) or an open period (False)."""
    first = draw(absence_dates)
    is_closed = draw(st.booleans()) if closed is None else closed
    if not is_closed:
        return SickPeriod(first)
    return SickPeriod(first, recovered_on=first + timedelta(days=draw(st.integers(1, 400))))


@st.composite
def sick_histories(
    draw: st.DrawFn,
    *,
    max_periods: int = 5,
    max_gap: int = 60,
    open_end: bool | None = None,
) -> list[SickPeriod]:
    """Consecutive, non-overlapping sick periods of one person, oldest first.

    Gaps run from 0 to ``max_gap`` days, so both sides of the 28-day samentelling line
    come up; ``open_end`` decides whether the last period is still open.
    """
    day = draw(absence_dates)
    periods: list[SickPeriod] = []
    count = draw(st.integers(1, max_periods))
    for index in range(count):
        last = index == count - 1
        still_open = last and (draw(st.booleans()) if open_end is None else open_end)
        if still_open:
            periods.append(SickPeriod(day))
            break
        recovered = day + timedelta(days=draw(st.integers(1, 120)))
        periods.append(SickPeriod(day, recovered_on=recovered))
        day = recovered + timedelta(days=draw(st.integers(0, max_gap)))
    return periods


@st.composite
def absence_cases(draw: st.DrawFn, *, open_end: bool | None = None) -> AbsenceCase:
    """One case: periods joined by interruptions of less than four weeks."""
    history = draw(sick_histories(max_gap=27, open_end=open_end))
    return AbsenceCase(tuple(history))


prognoses = st.builds(Prognosis, recorded_on=absence_dates, long_term_expected=st.booleans())

milestones = st.builds(
    Milestone,
    key=ids,
    title=localized_texts,
    due=absence_dates,
    earliest=st.none(),
    basis=st.sampled_from(LegalBasis),
    who=st.lists(roles, max_size=3).map(tuple),
    conversation_type=st.none() | ids,
    source=texts,
    conditional=st.booleans(),
    done_on=st.none() | absence_dates,
    note=st.none() | localized_texts,
).flatmap(
    lambda milestone: st.builds(
        attrs.evolve,
        st.just(milestone),
        earliest=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=milestone.due),
    )
)


# --- cadences -------------------------------------------------------------------------------

intervals = st.one_of(
    st.builds(
        Interval,
        every=st.integers(1, 10),
        unit=st.sampled_from(IntervalUnit),
        anchor=st.sampled_from([AnchorKind.HIRE_DATE, AnchorKind.CYCLE_START]),
        anchor_to=st.sampled_from(AnchorTo),
    ),
    st.builds(
        Interval,
        every=st.integers(1, 10),
        unit=st.sampled_from(IntervalUnit),
        anchor=st.just(AnchorKind.FIXED_MONTH),
        month=st.integers(1, 12),
        day=st.integers(1, 31),
        anchor_to=st.sampled_from(AnchorTo),
    ),
)

_RULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _signed(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high) | st.integers(-high, -low)


def _listed(values: st.SearchStrategy[int], max_size: int = 3) -> st.SearchStrategy[str]:
    return st.lists(values, min_size=1, max_size=max_size, unique=True).map(
        lambda items: ",".join(str(item) for item in items)
    )


@st.composite
def rrule_texts(draw: st.DrawFn) -> str:
    """Valid date-valued RRULE texts of every frequency; some never match (that is allowed)."""
    freq = draw(st.sampled_from(["YEARLY", "MONTHLY", "WEEKLY", "DAILY"]))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 5))}")
    ending = draw(st.sampled_from(["none", "none", "count", "until"]))
    if ending == "count":
        parts.append(f"COUNT={draw(st.integers(1, 40))}")
    elif ending == "until":
        parts.append("UNTIL=" + draw(dates).strftime("%Y%m%d"))
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(_RULE_DAYS))}")
    has_month = draw(st.booleans())
    if has_month:
        parts.append("BYMONTH=" + draw(_listed(st.integers(1, 12))))
    has_weekno = freq == "YEARLY" and draw(st.booleans())
    if has_weekno:
        parts.append("BYWEEKNO=" + draw(_listed(_signed(1, 53))))
    if freq == "YEARLY" and draw(st.booleans()):
        parts.append("BYYEARDAY=" + draw(_listed(_signed(1, 366))))
    if freq != "WEEKLY" and draw(st.booleans()):
        parts.append("BYMONTHDAY=" + draw(_listed(_signed(1, 31))))
    if draw(st.booleans()):
        ordinals = freq in ("MONTHLY", "YEARLY") and not has_weekno and draw(st.booleans())
        highest = 5 if freq == "MONTHLY" or has_month else 53
        day_names = draw(st.lists(st.sampled_from(_RULE_DAYS), min_size=1, max_size=4, unique=True))
        items = [
            f"{draw(_signed(1, highest))}{name}" if ordinals and draw(st.booleans()) else name
            for name in day_names
        ]
        parts.append("BYDAY=" + ",".join(items))
    if len(parts) > 1 and any(part.startswith("BY") for part in parts) and draw(st.booleans()):
        parts.append("BYSETPOS=" + draw(_listed(_signed(1, 5), max_size=2)))
    return ";".join(draw(st.permutations(parts)))


rrule_cadences = st.builds(
    RRuleCadence,
    rule=rrule_texts(),
    anchor=st.sampled_from([AnchorKind.HIRE_DATE, AnchorKind.CYCLE_START]),
)
anniversaries = st.builds(
    Anniversary, of=st.sampled_from([AnchorKind.HIRE_DATE, AnchorKind.CYCLE_START])
)
lifecycle_offsets = st.builds(
    LifecycleOffset,
    event=st.sampled_from(LifeEventKind),
    offset_days=st.integers(-400, 400),
    working_days=st.booleans(),
    label=st.none() | texts,
    offset_months=st.integers(-24, 24),
)
thresholds = st.builds(
    Threshold,
    event=st.sampled_from(LifeEventKind),
    count=st.integers(1, 6),
    window_days=st.integers(1, 800),
    after=st.none() | st.sampled_from(LifeEventKind),
    offset_days=st.integers(0, 60),
)
cadences: st.SearchStrategy[Cadence] = st.one_of(
    intervals, rrule_cadences, anniversaries, lifecycle_offsets, thresholds
)
answer_triggers = st.one_of(
    st.builds(
        AnswerTrigger,
        type_key=ids,
        question_key=ids,
        operator=st.just(AnswerOperator.EQUALS),
        value=st.booleans() | st.integers(-5, 10) | texts,
        schedule_type=ids,
        within_days=st.integers(1, 60),
    ),
    st.builds(
        AnswerTrigger,
        type_key=ids,
        question_key=ids,
        operator=st.sampled_from([AnswerOperator.AT_MOST, AnswerOperator.AT_LEAST]),
        value=st.integers(-5, 10),
        schedule_type=ids,
        within_days=st.integers(1, 60),
    ),
)

# --- store and outbox -----------------------------------------------------------------------

outbox_instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
)


@st.composite
def outbox_messages(draw: st.DrawFn) -> OutboxMessage:
    notification = make_notification(draw(ids), name=draw(texts))
    leased = draw(st.booleans())
    return OutboxMessage(
        id=draw(st.integers(1, 2**40)),
        key=notification.key,
        notification=notification,
        attempts=draw(st.integers(0, 20)),
        due_at=draw(outbox_instants),
        status=draw(st.sampled_from(OutboxStatus)),
        last_error=draw(st.none() | texts),
        lease_owner=draw(ids) if leased else None,
        lease_until=draw(outbox_instants) if leased else None,
    )


outbox_stats = st.builds(OutboxStats, *(st.integers(0, 10**6) for _ in range(4)))
dispatch_reports = st.builds(DispatchReport, *(st.integers(0, 10**6) for _ in range(4)))
backoffs = st.builds(
    Backoff,
    base_seconds=st.floats(0, 3600),
    factor=st.floats(0, 10),
    max_seconds=st.floats(0, 86400),
    jitter=st.floats(0, 1),
)


# --- planning -------------------------------------------------------------------------------


@st.composite
def populations(draw: st.DrawFn) -> Population:
    low = draw(st.none() | st.integers(0, 24))
    high = draw(st.none() | st.integers(0, 24).map(lambda extra: (low or 0) + extra))
    return Population(
        teams=draw(st.frozensets(texts, max_size=2)),
        contracts=draw(st.frozensets(texts, max_size=2)),
        locations=draw(st.frozensets(texts, max_size=2)),
        min_tenure_months=low,
        max_tenure_months=high,
    )


reminder_policies = st.builds(
    ReminderPolicy,
    enabled=st.frozensets(st.sampled_from(sorted(REMINDER_KINDS))),
    preparation_days=st.integers(0, 30),
    report_due_days=st.integers(0, 30),
    sign_off_days=st.integers(0, 30),
    escalate_after_days=st.integers(0, 30),
    action_item_due_days=st.integers(0, 30),
)
wall_times = st.builds(time, st.integers(7, 18), st.sampled_from([0, 15, 30, 45]))


@st.composite
def type_rules(draw: st.DrawFn, type_key: str) -> TypeRule:
    return TypeRule(
        type=type_key,
        cadence=tuple(draw(st.lists(cadences, max_size=2, unique=True))),
        population=draw(st.just(Population()) | populations()),
        convention=draw(st.sampled_from(BusinessDayConvention)),
        window_before=draw(st.integers(0, 60)),
        window_after=draw(st.integers(0, 60)),
        time=draw(st.none() | wall_times),
        question_set_version=draw(st.none() | st.just(1)),
        pause_during_absence=draw(st.booleans()),
        reminders=draw(st.just(ReminderPolicy()) | reminder_policies),
    )


@st.composite
def cycle_designs(draw: st.DrawFn) -> CycleDesign:
    """Designs that are valid against the built-in catalog (so they pass validation)."""
    keys = draw(st.lists(st.sampled_from(BUILT_IN_TYPE_KEYS), min_size=1, max_size=5, unique=True))
    rules = [draw(type_rules(key)) for key in keys]
    if "check_in" in keys and "stay_interview" in keys and draw(st.booleans()):
        leaving = AnswerTrigger(
            "check_in", "considering_leaving", "equals", True, "stay_interview", 14
        )
        index = keys.index("check_in")
        rules[index] = attrs.evolve(rules[index], follow_ups=(leaving,))
    interactions: tuple[DropNear, ...] = ()
    if len(keys) >= 2 and draw(st.booleans()):
        drop, near = draw(st.permutations(keys))[:2]
        interactions = (DropNear(drop=drop, near=near, within_days=draw(st.integers(0, 30))),)
    per_day = draw(st.integers(1, 5))
    cycle_start = draw(dates)

    def plans_something(cadence: Cadence) -> bool:
        # Validation refuses a rule that never produces a date (see design_problems).
        if not isinstance(cadence, RRuleCadence):
            return True
        late = date(cycle_start.year, 1, 31)
        anchors = [cycle_start, late] if cadence.anchor is AnchorKind.HIRE_DATE else [cycle_start]
        return all(cadence.produces_from(anchor) for anchor in anchors)

    rules = [
        attrs.evolve(rule, cadence=tuple(filter(plans_something, rule.cadence))) for rule in rules
    ]
    return CycleDesign(
        name=draw(texts),
        cycle_start=cycle_start,
        types=tuple(rules),
        version=draw(st.integers(1, 20)),
        calendar=draw(st.just(WorkingCalendar()) | working_calendars),
        capacity=draw(
            st.none() | st.builds(Capacity, st.just(per_day), st.integers(per_day, 5 * per_day))
        ),
        interactions=interactions,
        after_notice=draw(st.frozensets(st.sampled_from(BUILT_IN_TYPE_KEYS), max_size=3)),
        default_time=draw(st.none() | wall_times),
        carry_over_limit=draw(st.integers(1, 6)),
    )


# --- service --------------------------------------------------------------------------------

_counts = st.integers(0, 500)


@st.composite
def materialise_reports(draw: st.DrawFn) -> MaterialiseReport:
    start = draw(dates)
    return MaterialiseReport(
        start=start,
        end=draw(st.dates(min_value=start, max_value=date(2060, 12, 31))),
        added=draw(_counts),
        moved=draw(_counts),
        cancelled=draw(_counts),
        unchanged=draw(_counts),
        skipped=draw(_counts),
        conflicts=draw(_counts),
        reinstated=draw(_counts),
        late=draw(_counts),
        overdue=draw(_counts),
    )


reminder_reports = st.builds(
    ReminderReport, due=_counts, enqueued=_counts, skipped=st.lists(texts, max_size=3)
)
agenda_entries = st.builds(
    AgendaEntry,
    conversation=conversation_views(),
    action_items=st.lists(action_item_views(), max_size=2).map(tuple),
)
carry_over_results = st.builds(
    CarryOverResult,
    from_conversation_id=ids,
    next_conversation_id=st.none() | ids,
    carried=st.lists(action_items(max_steps=1), max_size=2).map(tuple),
    needs_decision=st.lists(st.builds(NeedsDecision, action_items(max_steps=0)), max_size=2).map(
        tuple
    ),
)
manager_changes = st.builds(
    ManagerChange,
    person_id=ids,
    old_manager_id=st.none() | ids,
    new_manager_id=ids,
    moved=st.lists(ids, max_size=3).map(tuple),
    kept=st.lists(ids, max_size=3).map(tuple),
)
tick_reports = st.builds(
    TickReport,
    materialised=materialise_reports(),
    reminders=reminder_reports,
    dispatched=dispatch_reports,
)


# --- people and events files ----------------------------------------------------------------

#: Text as a CSV cell keeps it: one line (no control characters or line separators), no
#: surrounding whitespace (cells are stripped on reading).
csv_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=40,
).filter(lambda text: bool(text.strip()) and text == text.strip())


@st.composite
def staff(draw: st.DrawFn, *, max_size: int = 8) -> tuple[Person, ...]:
    """People with unique ids whose managers come earlier in the list (so no cycles) and
    share at least one working day with them: what a valid people file holds."""
    count = draw(st.integers(1, max_size))
    person_ids = draw(st.lists(ids, min_size=count, max_size=count, unique=True))
    result: list[Person] = []
    for index, person_id in enumerate(person_ids):
        manager = draw(st.none() | st.sampled_from(result)) if result else None
        pattern = draw(working_patterns)
        if manager is not None and not pattern.weekdays & manager.working_pattern.weekdays:
            shared = draw(st.sampled_from(sorted(manager.working_pattern.weekdays)))
            pattern = WorkingPattern(pattern.weekdays | {shared})
        hire = draw(dates)
        result.append(
            Person(
                id=person_id,
                name=draw(csv_texts),
                hire_date=hire,
                end_date=draw(st.none() | st.dates(min_value=hire, max_value=date(2060, 12, 31))),
                manager_id=None if manager is None else manager.id,
                team=draw(st.none() | csv_texts),
                locale=draw(locales),
                time_zone=draw(time_zones),
                working_pattern=pattern,
                contract=draw(st.none() | csv_texts),
                location=draw(st.none() | csv_texts),
                email=draw(st.none() | st.just(f"p{index}@example.org")),
                leap_day_policy=draw(st.sampled_from(LeapDayPolicy)),
            )
        )
    return tuple(result)


@st.composite
def staff_events(draw: st.DrawFn, people: tuple[Person, ...]) -> tuple[LifeEvent, ...]:
    """Events about ``people`` that a valid events file can hold: on or after the hire date,
    sick reports and recoveries alternating, manager changes naming another known person."""
    result: list[LifeEvent] = []
    for person in people:
        offsets = draw(st.lists(st.integers(0, 3000), max_size=4, unique=True))
        days = sorted(person.hire_date + timedelta(days=offset) for offset in offsets)
        for index, day in enumerate(days):
            kind = LifeEventKind.SICK_REPORT if index % 2 == 0 else LifeEventKind.RECOVERY
            result.append(LifeEvent(on=day, person_id=person.id, kind=kind))
        others = [other.id for other in people if other.id != person.id]
        if others and draw(st.booleans()):
            on = person.hire_date + timedelta(days=draw(st.integers(0, 3000)))
            new_manager = draw(st.sampled_from(others))
            result.append(
                LifeEvent(on=on, person_id=person.id, kind="manager_change", detail=new_manager)
            )
        if draw(st.booleans()):
            on = person.hire_date + timedelta(days=draw(st.integers(0, 3000)))
            kind = draw(st.sampled_from([LifeEventKind.NOTICE_GIVEN, LifeEventKind.LAST_DAY]))
            result.append(LifeEvent(on=on, person_id=person.id, kind=kind))
    return tuple(draw(st.permutations(result)))


# --- absence records ------------------------------------------------------------------------

#: Short practical texts that pass the health-data screening of absence records.
record_texts = st.sampled_from(
    [
        "Call on Thursdays",
        "Hand the Leiden project to Sam",
        "Keizersgracht 12, Amsterdam",
        "+31 6 1234 5678",
        "Four hours a day",
        "No customer visits for now",
    ]
)


@st.composite
def sick_report_records(draw: st.DrawFn, *, person_id: str = "e-1") -> SickReportRecord:
    """A sick report with any of its fields known or not."""
    first = draw(absence_dates)
    return SickReportRecord(
        person_id=person_id,
        first_sick_day=first,
        contact_phone=draw(st.none() | record_texts),
        care_address=draw(st.none() | record_texts),
        expected_duration=draw(st.sampled_from(list(ExpectedDuration))),
        expected_return=draw(st.none() | st.integers(0, 400).map(lambda n: first + timedelta(n))),
        appointments=tuple(draw(st.lists(record_texts, max_size=3))),
        safety_net=draw(st.none() | st.booleans()),
        accident=draw(st.none() | st.sampled_from(list(AccidentInvolvement))),
    )


@st.composite
def health_advices(draw: st.DrawFn, *, person_id: str = "e-1") -> OccupationalHealthAdvice:
    """An occupational physician's advice, with capacities for some areas."""
    on = draw(absence_dates)
    areas = draw(st.lists(st.sampled_from(list(FunctionalArea)), unique=True, max_size=6))
    return OccupationalHealthAdvice(
        person_id=person_id,
        on=on,
        work_ability=draw(st.sampled_from(list(WorkAbility))),
        expected_duration=draw(st.sampled_from(list(ExpectedDuration))),
        expected_return=draw(st.none() | st.integers(0, 400).map(lambda n: on + timedelta(n))),
        adjustments=tuple(draw(st.lists(record_texts, max_size=3))),
        capacities=tuple(
            FunctionalCapacity(
                area=area,
                level=draw(st.sampled_from(list(CapacityLevel))),
                remark=draw(st.none() | record_texts),
            )
            for area in areas
        ),
    )


def absence_records(*, person_id: str = "e-1") -> st.SearchStrategy[AbsenceRecord]:
    """Either kind of absence record of ``person_id``."""
    return sick_report_records(person_id=person_id) | health_advices(person_id=person_id)
