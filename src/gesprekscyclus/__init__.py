"""gesprekscyclus: an embeddable engine for employee conversation cycles.

The public names are re-exported here. The package is layered, each layer importing only
the ones before it: ``domain`` (value objects and pure rules), ``planning`` (cycle designs and
the planner), ``service`` (commands and queries in a unit of work), ``ports`` (the contracts
for stores, notifiers and the clock) with their ``adapters``, and ``cli``.

>>> from datetime import date
>>> import gesprekscyclus as gc
>>> catalog = gc.built_in_catalog()
>>> catalog.type("growth_review").label.in_("nl")
'Groeigesprek'
"""

from gesprekscyclus.bootstrap import build_service, open_store
from gesprekscyclus.domain.absence import (
    AbsenceCase,
    LegalBasis,
    Milestone,
    Prognosis,
    SickPeriod,
    absence_cases,
    absence_timeline,
    bradford_factor,
    frequent_absence_signals,
    periods_from_events,
)
from gesprekscyclus.domain.absence_records import (
    OccupationalHealthAdvice,
    RecordAudience,
    SickReportRecord,
)
from gesprekscyclus.domain.access import ACCESS, Content, Grant, ReaderRole
from gesprekscyclus.domain.action_items import (
    ActionItem,
    ActionItemStatus,
    CarryOverOutcome,
    Decision,
    NeedsDecision,
    carry_over,
)
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
    Occurrence,
    RRuleCadence,
    Threshold,
    expand,
)
from gesprekscyclus.domain.calendar import (
    BusinessDayConvention,
    Closure,
    DutchDayOffPolicy,
    LiberationDayPolicy,
    WorkingCalendar,
    dutch_statutory_holidays,
    localize,
    statutory_deadline,
)
from gesprekscyclus.domain.catalog import (
    BUILT_IN_TYPE_KEYS,
    Catalog,
    built_in_catalog,
)
from gesprekscyclus.domain.conversation_types import (
    ConversationType,
    Sensitivity,
    SignOffRequirement,
)
from gesprekscyclus.domain.conversations import (
    Answer,
    Conversation,
    ConversationAction,
    ConversationStatus,
    Note,
    Participant,
    Transition,
    Window,
)
from gesprekscyclus.domain.events import (
    LifeEvent,
    LifeEventKind,
)
from gesprekscyclus.domain.people import (
    LeapDayPolicy,
    Person,
    Role,
    WorkingPattern,
)
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
from gesprekscyclus.domain.reminders import (
    ReminderKind,
    ReminderPolicy,
)
from gesprekscyclus.domain.reports import (
    Comment,
    Report,
    ReportStatus,
    SignOffKind,
    WrittenView,
)
from gesprekscyclus.domain.text import (
    Locale,
    LocalizedText,
)
from gesprekscyclus.errors import (
    AccessDeniedError,
    ConflictError,
    DesignError,
    DesignMismatchError,
    ErasureRefusedError,
    ExpansionLimitError,
    GesprekscyclusError,
    HealthDataError,
    InvalidTransitionError,
    InvalidValueError,
    MissingExtraError,
    NoDesignError,
    NotFoundError,
    NoWorkingDayError,
    Problem,
    SerializationError,
    SignatureError,
    StoreError,
)
from gesprekscyclus.planning.design import (
    Capacity,
    CatalogChanges,
    CycleDesign,
    DropNear,
    Population,
    Retention,
    RetentionPolicy,
    TypeRule,
)
from gesprekscyclus.planning.design_file import (
    dump_design,
    load_design,
    parse_design,
    validate_design,
)
from gesprekscyclus.planning.diff import PlanDiff, diff_plans
from gesprekscyclus.planning.people_file import read_events, read_people
from gesprekscyclus.planning.planner import (
    CapacityConflict,
    Obligation,
    Plan,
    PlannedConversation,
    Skipped,
    plan,
)
from gesprekscyclus.planning.simulation import Comparison, Simulation, compare, simulate
from gesprekscyclus.ports.clock import (
    Clock,
    FixedClock,
    SystemClock,
)
from gesprekscyclus.ports.notifier import (
    Notification,
    Notifier,
    PermanentNotificationError,
    Recipient,
    TransientNotificationError,
)
from gesprekscyclus.ports.store import DesignVersion
from gesprekscyclus.service.app import AgendaEntry, ConversationService, tick
from gesprekscyclus.service.design import DesignChange, design_fingerprint
from gesprekscyclus.service.views import ActionItemView, ConversationView, ReportView

__version__ = "0.1.0.dev0"

#: The analyst's toolkit (the optional ``notebook`` extra), imported on first use only, so
#: ``import gesprekscyclus`` never needs pandas; not in ``__all__`` for the same reason.
_ANALYSIS = frozenset(
    {
        "answer_trends",
        "busiest_weeks",
        "compare_per_employee",
        "compare_per_manager",
        "compare_summary",
        "coverage_per_person",
        "coverage_per_type",
        "cycle_health",
        "early_signals",
        "events_from_frame",
        "everyone_full_time",
        "follow_through",
        "load_per_manager",
        "load_per_type",
        "missed_conversations",
        "people_from_frame",
        "plan_frame",
        "plot_busiest_weeks",
        "plot_coverage_gaps",
        "plot_health_over_time",
        "plot_load_heatmap",
        "plot_signal_trends",
        "plot_types_per_month",
        "poortwachter_health",
        "poortwachter_milestones",
        "resimulate",
        "sign_off_health",
        "skipped_frame",
        "split_team",
        "with_capacity",
        "without_holidays",
    }
)


def __getattr__(name: str) -> object:
    if name in _ANALYSIS:
        from gesprekscyclus import analysis  # noqa: PLC0415 - pandas only when asked for

        return getattr(analysis, name)
    raise AttributeError(f"module 'gesprekscyclus' has no attribute {name!r}")


__all__ = [
    "ACCESS",
    "BUILT_IN_TYPE_KEYS",
    "AbsenceCase",
    "AccessDeniedError",
    "ActionItem",
    "ActionItemStatus",
    "ActionItemView",
    "AgendaEntry",
    "AnchorKind",
    "AnchorTo",
    "Anniversary",
    "Answer",
    "AnswerOperator",
    "AnswerTrigger",
    "AnswerValue",
    "Audience",
    "BusinessDayConvention",
    "Cadence",
    "Capacity",
    "CapacityConflict",
    "CarryOverOutcome",
    "Catalog",
    "CatalogChanges",
    "Choice",
    "Clock",
    "Closure",
    "Comment",
    "Comparison",
    "ConflictError",
    "Content",
    "Conversation",
    "ConversationAction",
    "ConversationService",
    "ConversationStatus",
    "ConversationType",
    "ConversationView",
    "CycleDesign",
    "Decision",
    "DesignChange",
    "DesignError",
    "DesignMismatchError",
    "DesignVersion",
    "DropNear",
    "DutchDayOffPolicy",
    "ErasureRefusedError",
    "ExpansionLimitError",
    "FixedClock",
    "GesprekscyclusError",
    "Grant",
    "HealthDataError",
    "Interval",
    "IntervalUnit",
    "InvalidTransitionError",
    "InvalidValueError",
    "LeapDayPolicy",
    "LegalBasis",
    "LiberationDayPolicy",
    "LifeEvent",
    "LifeEventKind",
    "LifecycleOffset",
    "Locale",
    "LocalizedText",
    "Milestone",
    "MissingExtraError",
    "NeedsDecision",
    "NoDesignError",
    "NoWorkingDayError",
    "NotFoundError",
    "Note",
    "Notification",
    "Notifier",
    "Obligation",
    "OccupationalHealthAdvice",
    "Occurrence",
    "Participant",
    "PermanentNotificationError",
    "Person",
    "Plan",
    "PlanDiff",
    "PlannedConversation",
    "Population",
    "Problem",
    "Prognosis",
    "Question",
    "QuestionKind",
    "QuestionSet",
    "QuestionSetLibrary",
    "QuestionSetRef",
    "RRuleCadence",
    "ReaderRole",
    "Recipient",
    "RecordAudience",
    "ReminderKind",
    "ReminderPolicy",
    "Report",
    "ReportStatus",
    "ReportView",
    "Retention",
    "RetentionPolicy",
    "Role",
    "ScalePoint",
    "Sensitivity",
    "SerializationError",
    "SickPeriod",
    "SickReportRecord",
    "SignOffKind",
    "SignOffRequirement",
    "SignatureError",
    "Simulation",
    "Skipped",
    "StoreError",
    "SystemClock",
    "Threshold",
    "TransientNotificationError",
    "Transition",
    "TypeRule",
    "Window",
    "WorkingCalendar",
    "WorkingPattern",
    "WrittenView",
    "absence_cases",
    "absence_timeline",
    "bradford_factor",
    "build_service",
    "built_in_catalog",
    "carry_over",
    "compare",
    "design_fingerprint",
    "diff_plans",
    "dump_design",
    "dutch_statutory_holidays",
    "expand",
    "frequent_absence_signals",
    "load_design",
    "localize",
    "open_store",
    "parse_design",
    "periods_from_events",
    "plan",
    "read_events",
    "read_people",
    "simulate",
    "statutory_deadline",
    "tick",
    "validate_design",
]
