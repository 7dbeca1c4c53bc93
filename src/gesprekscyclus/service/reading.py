"""Reading on behalf of one reader: views, and the access log entries the reads leave.

A :class:`Reading` turns stored aggregates into the views of
:mod:`gesprekscyclus.service.views` for one reader, looking up each conversation's type and
pinned question set, and collects an :class:`~gesprekscyclus.ports.store.AccessLogEntry`
for every confidential or health-related record it hands out. The service writes those
entries in the same unit of work as the read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from gesprekscyclus.domain._checks import shown
from gesprekscyclus.domain.absence_records import AbsenceRecord
from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.conversation_types import ConversationType, Sensitivity
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.reports import Report
from gesprekscyclus.errors import InvalidValueError
from gesprekscyclus.planning.design import CycleDesign
from gesprekscyclus.ports.store import AccessLogEntry
from gesprekscyclus.service.reminders import pinned_question_set
from gesprekscyclus.service.views import (
    ActionItemView,
    ConversationView,
    ReportView,
    action_item_view,
    conversation_view,
    report_view,
)

__all__ = [
    "ABSENCE_RECORD",
    "ADMINISTRATION",
    "Reading",
    "absence_log_entry",
    "check_reader",
    "kind_of",
    "logged",
]

#: The reader named in the access log for reads through the administrative path.
ADMINISTRATION = "administration"
#: The ``record_kind`` of the access log entry for a read of an absence record.
ABSENCE_RECORD = "absence_record"


def check_reader(reader: object) -> str:
    """``reader`` if it is a person id; :class:`InvalidValueError` otherwise."""
    if not isinstance(reader, str) or not reader.strip():
        raise InvalidValueError(
            "reader", f"must be the id of the person reading, got {shown(reader)}"
        )
    return reader


def kind_of(catalog: Catalog, type_key: str) -> ConversationType | None:
    """The catalog's type ``type_key``, or ``None`` when the catalog does not know it."""
    return catalog.type(type_key) if type_key in catalog else None


def logged(kind: ConversationType | None) -> bool:
    """Whether reads of records of ``kind`` go into the access log."""
    return kind is not None and kind.sensitivity is not Sensitivity.NORMAL


def absence_log_entry(
    record: AbsenceRecord, *, reader: str, at: datetime, via: str = "view"
) -> AccessLogEntry:
    """The access log entry for ``reader`` reading ``record`` at ``at``: absence records are
    health data, so every read of one is logged. The record is named by its kind and day
    (``sick_report/2026-03-02``), which is what identifies it for its person.
    """
    return AccessLogEntry(
        at=at,
        reader_id=reader,
        subject_id=record.person_id,
        record_kind=ABSENCE_RECORD,
        record_id=f"{record.KIND}/{record.on.isoformat()}",
        sensitivity=Sensitivity.HEALTH_RELATED.value,
        via=via,
    )


class Reading:
    """Views for ``reader`` at ``at``; see the module docstring."""

    def __init__(
        self,
        *,
        reader: str,
        at: datetime,
        catalog: Catalog,
        design: CycleDesign,
        hr_office: tuple[str, ...],
    ):
        self.reader: str = check_reader(reader)
        self.at = at
        self.catalog = catalog
        self.design = design
        self.hr_office = hr_office
        self.entries: list[AccessLogEntry] = []

    def _log(self, kind: ConversationType | None, subject: str, record: str, what: str) -> None:
        if kind is not None and logged(kind):
            self.entries.append(
                AccessLogEntry(
                    at=self.at,
                    reader_id=self.reader,
                    subject_id=subject,
                    record_kind=what,
                    record_id=record,
                    sensitivity=kind.sensitivity.value,
                )
            )

    def conversation(self, talk: Conversation) -> ConversationView | None:
        """The reader's view of ``talk``, or ``None``."""
        kind = kind_of(self.catalog, talk.type_key)
        view = conversation_view(
            talk,
            self.reader,
            kind=kind,
            question_set=pinned_question_set(talk, self.design, self.catalog),
            hr_office=self.hr_office,
        )
        if view is not None:
            self._log(kind, talk.employee_id, talk.id, "conversation")
        return view

    def report(
        self, report: Report, talk: Conversation, items: Iterable[ActionItem] = ()
    ) -> ReportView | None:
        """The reader's view of ``report`` (of ``talk``, whose action items are ``items``),
        or ``None``."""
        kind = kind_of(self.catalog, talk.type_key)
        view = report_view(
            report, talk, self.reader, kind=kind, hr_office=self.hr_office, items=items
        )
        if view is not None:
            self._log(kind, report.employee_id, report.conversation_id, "report")
        return view

    def item(self, item: ActionItem, origin: Conversation | None) -> ActionItemView | None:
        """The reader's view of ``item`` (agreed in ``origin``), or ``None``."""
        kind = None if origin is None else kind_of(self.catalog, origin.type_key)
        view = action_item_view(item, origin, self.reader, kind=kind, hr_office=self.hr_office)
        if view is not None:
            self._log(kind, item.employee_id, item.id, "action_item")
        return view
