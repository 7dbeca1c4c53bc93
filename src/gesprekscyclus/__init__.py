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

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0.dev0"

# The public names load on first use, so that ``import gesprekscyclus`` stays cheap and an
# application pays only for the layers (and optional packages) it touches. The imports below
# tell type checkers and IDEs what each name is; ``_EXPORTS`` tells ``__getattr__`` where to
# find it at run time (a test keeps the two in step).
if TYPE_CHECKING:
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
        DependencyError,
        DesignError,
        ExpansionLimitError,
        GesprekscyclusError,
        InvalidTransitionError,
        InvalidValueError,
        NotFoundError,
        NoWorkingDayError,
        Problem,
        SerializationError,
        SignatureError,
        StoreError,
    )
    from gesprekscyclus.planning.design import (
        Capacity,
        CycleDesign,
        DropNear,
        Population,
        TypeRule,
    )
    from gesprekscyclus.planning.design_file import (
        dump_design,
        load_design,
        parse_design,
        validate_design,
    )
    from gesprekscyclus.planning.people_file import read_events, read_people
    from gesprekscyclus.planning.planner import (
        CapacityConflict,
        Obligation,
        Plan,
        PlannedConversation,
        Skipped,
        plan,
    )
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
    from gesprekscyclus.service.app import AgendaEntry, ConversationService, tick

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "build_service": "gesprekscyclus.bootstrap",
    "open_store": "gesprekscyclus.bootstrap",
    "AbsenceCase": "gesprekscyclus.domain.absence",
    "LegalBasis": "gesprekscyclus.domain.absence",
    "Milestone": "gesprekscyclus.domain.absence",
    "Prognosis": "gesprekscyclus.domain.absence",
    "SickPeriod": "gesprekscyclus.domain.absence",
    "absence_cases": "gesprekscyclus.domain.absence",
    "absence_timeline": "gesprekscyclus.domain.absence",
    "bradford_factor": "gesprekscyclus.domain.absence",
    "frequent_absence_signals": "gesprekscyclus.domain.absence",
    "periods_from_events": "gesprekscyclus.domain.absence",
    "ActionItem": "gesprekscyclus.domain.action_items",
    "ActionItemStatus": "gesprekscyclus.domain.action_items",
    "CarryOverOutcome": "gesprekscyclus.domain.action_items",
    "Decision": "gesprekscyclus.domain.action_items",
    "NeedsDecision": "gesprekscyclus.domain.action_items",
    "carry_over": "gesprekscyclus.domain.action_items",
    "AnchorKind": "gesprekscyclus.domain.cadence",
    "AnchorTo": "gesprekscyclus.domain.cadence",
    "Anniversary": "gesprekscyclus.domain.cadence",
    "AnswerOperator": "gesprekscyclus.domain.cadence",
    "AnswerTrigger": "gesprekscyclus.domain.cadence",
    "Cadence": "gesprekscyclus.domain.cadence",
    "Interval": "gesprekscyclus.domain.cadence",
    "IntervalUnit": "gesprekscyclus.domain.cadence",
    "LifecycleOffset": "gesprekscyclus.domain.cadence",
    "Occurrence": "gesprekscyclus.domain.cadence",
    "RRuleCadence": "gesprekscyclus.domain.cadence",
    "Threshold": "gesprekscyclus.domain.cadence",
    "expand": "gesprekscyclus.domain.cadence",
    "BusinessDayConvention": "gesprekscyclus.domain.calendar",
    "Closure": "gesprekscyclus.domain.calendar",
    "DutchDayOffPolicy": "gesprekscyclus.domain.calendar",
    "LiberationDayPolicy": "gesprekscyclus.domain.calendar",
    "WorkingCalendar": "gesprekscyclus.domain.calendar",
    "dutch_statutory_holidays": "gesprekscyclus.domain.calendar",
    "localize": "gesprekscyclus.domain.calendar",
    "statutory_deadline": "gesprekscyclus.domain.calendar",
    "BUILT_IN_TYPE_KEYS": "gesprekscyclus.domain.catalog",
    "Catalog": "gesprekscyclus.domain.catalog",
    "built_in_catalog": "gesprekscyclus.domain.catalog",
    "ConversationType": "gesprekscyclus.domain.conversation_types",
    "Sensitivity": "gesprekscyclus.domain.conversation_types",
    "SignOffRequirement": "gesprekscyclus.domain.conversation_types",
    "Answer": "gesprekscyclus.domain.conversations",
    "Conversation": "gesprekscyclus.domain.conversations",
    "ConversationAction": "gesprekscyclus.domain.conversations",
    "ConversationStatus": "gesprekscyclus.domain.conversations",
    "Note": "gesprekscyclus.domain.conversations",
    "Participant": "gesprekscyclus.domain.conversations",
    "Transition": "gesprekscyclus.domain.conversations",
    "Window": "gesprekscyclus.domain.conversations",
    "LifeEvent": "gesprekscyclus.domain.events",
    "LifeEventKind": "gesprekscyclus.domain.events",
    "LeapDayPolicy": "gesprekscyclus.domain.people",
    "Person": "gesprekscyclus.domain.people",
    "Role": "gesprekscyclus.domain.people",
    "WorkingPattern": "gesprekscyclus.domain.people",
    "AnswerValue": "gesprekscyclus.domain.questions",
    "Audience": "gesprekscyclus.domain.questions",
    "Choice": "gesprekscyclus.domain.questions",
    "Question": "gesprekscyclus.domain.questions",
    "QuestionKind": "gesprekscyclus.domain.questions",
    "QuestionSet": "gesprekscyclus.domain.questions",
    "QuestionSetLibrary": "gesprekscyclus.domain.questions",
    "QuestionSetRef": "gesprekscyclus.domain.questions",
    "ScalePoint": "gesprekscyclus.domain.questions",
    "ReminderKind": "gesprekscyclus.domain.reminders",
    "ReminderPolicy": "gesprekscyclus.domain.reminders",
    "Comment": "gesprekscyclus.domain.reports",
    "Report": "gesprekscyclus.domain.reports",
    "ReportStatus": "gesprekscyclus.domain.reports",
    "SignOffKind": "gesprekscyclus.domain.reports",
    "WrittenView": "gesprekscyclus.domain.reports",
    "Locale": "gesprekscyclus.domain.text",
    "LocalizedText": "gesprekscyclus.domain.text",
    "AccessDeniedError": "gesprekscyclus.errors",
    "ConflictError": "gesprekscyclus.errors",
    "DependencyError": "gesprekscyclus.errors",
    "DesignError": "gesprekscyclus.errors",
    "ExpansionLimitError": "gesprekscyclus.errors",
    "GesprekscyclusError": "gesprekscyclus.errors",
    "InvalidTransitionError": "gesprekscyclus.errors",
    "InvalidValueError": "gesprekscyclus.errors",
    "NotFoundError": "gesprekscyclus.errors",
    "NoWorkingDayError": "gesprekscyclus.errors",
    "Problem": "gesprekscyclus.errors",
    "SerializationError": "gesprekscyclus.errors",
    "SignatureError": "gesprekscyclus.errors",
    "StoreError": "gesprekscyclus.errors",
    "Capacity": "gesprekscyclus.planning.design",
    "CycleDesign": "gesprekscyclus.planning.design",
    "DropNear": "gesprekscyclus.planning.design",
    "Population": "gesprekscyclus.planning.design",
    "TypeRule": "gesprekscyclus.planning.design",
    "dump_design": "gesprekscyclus.planning.design_file",
    "load_design": "gesprekscyclus.planning.design_file",
    "parse_design": "gesprekscyclus.planning.design_file",
    "validate_design": "gesprekscyclus.planning.design_file",
    "read_events": "gesprekscyclus.planning.people_file",
    "read_people": "gesprekscyclus.planning.people_file",
    "CapacityConflict": "gesprekscyclus.planning.planner",
    "Obligation": "gesprekscyclus.planning.planner",
    "Plan": "gesprekscyclus.planning.planner",
    "PlannedConversation": "gesprekscyclus.planning.planner",
    "Skipped": "gesprekscyclus.planning.planner",
    "plan": "gesprekscyclus.planning.planner",
    "Clock": "gesprekscyclus.ports.clock",
    "FixedClock": "gesprekscyclus.ports.clock",
    "SystemClock": "gesprekscyclus.ports.clock",
    "Notification": "gesprekscyclus.ports.notifier",
    "Notifier": "gesprekscyclus.ports.notifier",
    "PermanentNotificationError": "gesprekscyclus.ports.notifier",
    "Recipient": "gesprekscyclus.ports.notifier",
    "TransientNotificationError": "gesprekscyclus.ports.notifier",
    "AgendaEntry": "gesprekscyclus.service.app",
    "ConversationService": "gesprekscyclus.service.app",
    "tick": "gesprekscyclus.service.app",
}

__all__ = [
    "BUILT_IN_TYPE_KEYS",
    "AbsenceCase",
    "AccessDeniedError",
    "ActionItem",
    "ActionItemStatus",
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
    "Choice",
    "Clock",
    "Closure",
    "Comment",
    "ConflictError",
    "Conversation",
    "ConversationAction",
    "ConversationService",
    "ConversationStatus",
    "ConversationType",
    "CycleDesign",
    "Decision",
    "DependencyError",
    "DesignError",
    "DropNear",
    "DutchDayOffPolicy",
    "ExpansionLimitError",
    "FixedClock",
    "GesprekscyclusError",
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
    "NeedsDecision",
    "NoWorkingDayError",
    "NotFoundError",
    "Note",
    "Notification",
    "Notifier",
    "Obligation",
    "Occurrence",
    "Participant",
    "PermanentNotificationError",
    "Person",
    "Plan",
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
    "Recipient",
    "ReminderKind",
    "ReminderPolicy",
    "Report",
    "ReportStatus",
    "Role",
    "ScalePoint",
    "Sensitivity",
    "SerializationError",
    "SickPeriod",
    "SignOffKind",
    "SignOffRequirement",
    "SignatureError",
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
    "statutory_deadline",
    "tick",
    "validate_design",
]


def __getattr__(name: str) -> object:
    """Import a public name on first use and keep it for the next lookup."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
