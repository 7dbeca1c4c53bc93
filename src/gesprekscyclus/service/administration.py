"""The administrative path: the stored aggregates themselves, for exports, migrations and
storage work.

Everything a person is shown goes through the reader-bound queries of
:class:`~gesprekscyclus.service.app.ConversationService`, which return views. This path is
the one exception, reached only as ``service.administration``: it hands out the raw
:class:`~gesprekscyclus.domain.conversations.Conversation`,
:class:`~gesprekscyclus.domain.reports.Report`,
:class:`~gesprekscyclus.domain.action_items.ActionItem` and absence records
(:mod:`gesprekscyclus.domain.absence_records`), private notes and every field included (read
them with ``notes_for``/``answers_for`` or a view). Reads of confidential and health-related
records through it are written to the access log with the reader ``"administration"`` and
``via`` ``"administration"``, and the access log itself is read here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from gesprekscyclus.domain.absence_records import AbsenceRecord
from gesprekscyclus.domain.action_items import ActionItem
from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.conversations import Conversation
from gesprekscyclus.domain.reports import Report
from gesprekscyclus.ports.clock import Clock
from gesprekscyclus.ports.store import AccessLogEntry, Store, UnitOfWork, aware_utc
from gesprekscyclus.service.reading import ADMINISTRATION, absence_log_entry, kind_of, logged

__all__ = ["Administration"]


class Administration:
    """Raw reads of one store; see the module docstring. Made by
    ``ConversationService.administration``."""

    def __init__(self, store: Store, clock: Clock, catalog: Catalog):
        self._store = store
        self._clock = clock
        self._catalog = catalog

    def _log(self, uow: UnitOfWork, records: Iterable[tuple[str, str, str, str]]) -> None:
        """Log ``(type_key, subject, record id, record kind)`` reads that need logging."""
        at: datetime | None = None
        entries: list[AccessLogEntry] = []
        for type_key, subject, record_id, record_kind in records:
            kind = kind_of(self._catalog, type_key)
            if kind is None or not logged(kind):
                continue
            at = at or aware_utc(self._clock.now(), "clock.now()").astimezone(UTC)
            entries.append(
                AccessLogEntry(
                    at=at,
                    reader_id=ADMINISTRATION,
                    subject_id=subject,
                    record_kind=record_kind,
                    record_id=record_id,
                    sensitivity=kind.sensitivity.value,
                    via=ADMINISTRATION,
                )
            )
        if entries:
            uow.access_log.append(entries)

    def conversation(self, conversation_id: str) -> Conversation:
        """One stored conversation, whole."""
        with self._store.unit_of_work() as uow:
            talk = uow.conversations.get(conversation_id)
            self._log(uow, [(talk.type_key, talk.employee_id, talk.id, "conversation")])
        return talk

    def conversations_of(self, employee_id: str) -> list[Conversation]:
        """Every stored conversation of one employee, whole, by target date."""
        with self._store.unit_of_work() as uow:
            talks = uow.conversations.by_employee(employee_id)
            self._log(uow, [(t.type_key, t.employee_id, t.id, "conversation") for t in talks])
        return talks

    def report(self, conversation_id: str) -> Report:
        """The stored report of one conversation, whole."""
        with self._store.unit_of_work() as uow:
            report = uow.reports.get(conversation_id)
            talk = uow.conversations.get(conversation_id)
            self._log(uow, [(talk.type_key, report.employee_id, talk.id, "report")])
        return report

    def reports_of(self, employee_id: str) -> list[Report]:
        """Every stored report of one employee, whole, by conversation id."""
        with self._store.unit_of_work() as uow:
            reports = uow.reports.for_employee(employee_id)
            talks = {t.id: t for t in uow.conversations.by_ids(r.conversation_id for r in reports)}
            self._log(
                uow,
                [
                    (talks[r.conversation_id].type_key, employee_id, r.conversation_id, "report")
                    for r in reports
                    if r.conversation_id in talks
                ],
            )
        return reports

    def action_items_of(self, employee_id: str) -> list[ActionItem]:
        """Every stored action item agreed in one employee's conversations, whole, by id."""
        with self._store.unit_of_work() as uow:
            talks = {t.id: t for t in uow.conversations.by_employee(employee_id)}
            items = uow.action_items.from_conversations(talks)
            self._log(
                uow,
                [
                    (talks[i.origin_conversation_id].type_key, employee_id, i.id, "action_item")
                    for i in items
                ],
            )
        return items

    def action_item(self, item_id: str) -> ActionItem:
        """One stored action item, whole."""
        with self._store.unit_of_work() as uow:
            item = uow.action_items.get(item_id)
            origin = uow.conversations.by_ids([item.origin_conversation_id])
            if origin:
                self._log(uow, [(origin[0].type_key, item.employee_id, item.id, "action_item")])
        return item

    def absence_records(self, person_id: str) -> list[AbsenceRecord]:
        """Every stored absence record of one person, whole (every field), by day; each read
        is logged."""
        with self._store.unit_of_work() as uow:
            records = uow.absence_records.for_person(person_id)
            if records:
                at = aware_utc(self._clock.now(), "clock.now()").astimezone(UTC)
                uow.access_log.append(
                    absence_log_entry(record, reader=ADMINISTRATION, at=at, via=ADMINISTRATION)
                    for record in records
                )
        return records

    def access_log_about(self, person_id: str) -> list[AccessLogEntry]:
        """Who read ``person_id``'s confidential and health-related records, oldest first."""
        with self._store.unit_of_work() as uow:
            return uow.access_log.about(person_id)

    def access_log_by_reader(self, reader_id: str) -> list[AccessLogEntry]:
        """What ``reader_id`` read of confidential and health-related records, oldest first."""
        with self._store.unit_of_work() as uow:
            return uow.access_log.by_reader(reader_id)
