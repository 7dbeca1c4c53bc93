"""State changes: the facts an embedding application mirrors in its own tables.

Every command that changes a conversation, report, action item, person or the cycle design
records one :class:`StateChange`. Each names its aggregate (``aggregate`` and
``aggregate_id``) and carries a ``sequence`` that counts that aggregate's changes from 1
without gaps, so a receiver can put them in order and recognise a repeat; ``id`` is stable
(a repeat delivery carries the same id).

A state change holds ids, kinds, statuses and dates only: never names, titles, notes,
answers, comments or reasons. A receiver that needs content reads it through the service's
views with a reader, so the access policy decides.

>>> from datetime import UTC, date, datetime
>>> change = StateChange.of(
...     "conversation.held", "c-1", sequence=3,
...     occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC), status="held",
...     employee_id="e-1", manager_id="m-1", type_key="check_in", on=date(2026, 3, 2))
>>> change.aggregate.value, change.sequence, change.id
('conversation', 3, 'sc-...')
>>> change.stream
'conversation/c-1'
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from attrs import field, frozen

from gesprekscyclus.domain._checks import ClosedSet, aware, non_blank, shown, typed_fields
from gesprekscyclus.errors import InvalidValueError

__all__ = [
    "SCHEMA",
    "Aggregate",
    "ChangeKind",
    "StateChange",
    "event_id",
    "json_schema",
    "read_json",
    "to_json",
]

#: The versioned name of the JSON form of a state change (:func:`to_json`).
SCHEMA = "gesprekscyclus.state-change/1"


class Aggregate(ClosedSet):
    """What a state change is about; each has its own sequence numbers."""

    CONVERSATION = "conversation"
    REPORT = "report"
    ACTION_ITEM = "action_item"
    PERSON = "person"
    DESIGN = "design"


class ChangeKind(ClosedSet):
    """What happened, as ``<aggregate>.<verb>``."""

    CONVERSATION_PLANNED = "conversation.planned"
    CONVERSATION_REPLANNED = "conversation.replanned"
    CONVERSATION_SCHEDULED = "conversation.scheduled"
    CONVERSATION_RESCHEDULED = "conversation.rescheduled"
    CONVERSATION_HELD = "conversation.held"
    CONVERSATION_REPORTED = "conversation.reported"
    CONVERSATION_CLOSED = "conversation.closed"
    CONVERSATION_CANCELLED = "conversation.cancelled"
    CONVERSATION_MISSED = "conversation.missed"
    CONVERSATION_UPDATED = "conversation.updated"
    REPORT_DRAFTED = "report.drafted"
    REPORT_REVISED = "report.revised"
    REPORT_SHARED = "report.shared"
    REPORT_COMMENTED = "report.commented"
    REPORT_SIGNED = "report.signed"
    REPORT_REFUSED = "report.refused"
    REPORT_WRITTEN_VIEW_ADDED = "report.written_view_added"
    REPORT_FILED = "report.filed"
    ACTION_ITEM_CREATED = "action_item.created"
    ACTION_ITEM_DONE = "action_item.done"
    ACTION_ITEM_DROPPED = "action_item.dropped"
    ACTION_ITEM_CARRIED = "action_item.carried"
    ACTION_ITEM_ESCALATED = "action_item.escalated"
    ACTION_ITEM_UPDATED = "action_item.updated"
    PERSON_HIRED = "person.hired"
    PERSON_CHANGED = "person.changed"
    PERSON_LEFT = "person.left"
    PERSON_ERASED = "person.erased"
    DESIGN_APPLIED = "design.applied"

    @property
    def aggregate(self) -> Aggregate:
        """The aggregate kind this change is about.

        >>> ChangeKind.REPORT_SIGNED.aggregate
        <Aggregate.REPORT: 'report'>
        """
        return Aggregate(self.value.partition(".")[0])


def event_id(
    kind: ChangeKind | str, aggregate_id: str, sequence: int, occurred_at: datetime
) -> str:
    """The stable id of the ``sequence``-th change of an aggregate: derived from what it
    is and when it happened, so the same change always has the same id (``sc-`` and 24 hex
    digits), and an id used again after an erasure starts new ones.

    >>> at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    >>> event_id("person.hired", "e-1", 1, at) == event_id("person.hired", "e-1", 1, at)
    True
    """
    kind = ChangeKind(kind)
    text = "\x1f".join(
        (
            kind.aggregate.value,
            aggregate_id,
            str(sequence),
            kind.value,
            occurred_at.astimezone(UTC).isoformat(),
        )
    )
    return "sc-" + hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _sequence(instance: object, attribute: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(
            "StateChange.sequence", f"must be a whole number of at least 1, got {shown(value)}"
        )


def _utc(value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidValueError("StateChange.occurred_at", "needs a time zone (an aware datetime)")
    return value.astimezone(UTC)


@frozen(field_transformer=typed_fields)
class StateChange:
    """One change of one aggregate; see the module docstring.

    ``status`` is the aggregate's status after the change; ``employee_id`` the person it is
    about (the person themselves for a person change); ``manager_id`` the leading manager;
    ``owner_id`` an action item's owner; ``conversation_id`` the conversation a report or
    action item belongs to; ``type_key`` the conversation type; ``on`` the day that matters
    (a conversation's target date, an item's due date, a person's hire or last day);
    ``starts_at`` a scheduled conversation's start; ``design_version`` the design version
    applied or planned with.
    """

    id: str = field(validator=non_blank)
    kind: ChangeKind = field(converter=ChangeKind)
    aggregate_id: str = field(validator=non_blank)
    sequence: int = field(validator=_sequence)
    occurred_at: datetime = field(converter=_utc)
    status: str | None = None
    employee_id: str | None = None
    manager_id: str | None = None
    owner_id: str | None = None
    conversation_id: str | None = None
    type_key: str | None = None
    on: date | None = None
    starts_at: datetime | None = field(default=None, validator=aware)
    design_version: int | None = None

    def __attrs_post_init__(self) -> None:
        expected = event_id(self.kind, self.aggregate_id, self.sequence, self.occurred_at)
        if self.id != expected:
            raise InvalidValueError(
                "StateChange.id", f"{self.id!r} is not the id of this change ({expected!r})"
            )

    @classmethod
    def of(
        cls,
        kind: ChangeKind | str,
        aggregate_id: str,
        *,
        sequence: int,
        occurred_at: datetime,
        **facts: object,
    ) -> StateChange:
        """A change with its id derived (see :func:`event_id`)."""
        return cls(
            event_id(kind, aggregate_id, sequence, occurred_at),
            ChangeKind(kind),
            aggregate_id,
            sequence,
            occurred_at,
            **facts,  # type: ignore[arg-type]
        )

    @property
    def aggregate(self) -> Aggregate:
        """The kind of aggregate this change is about."""
        return self.kind.aggregate

    @property
    def stream(self) -> str:
        """``<aggregate>/<id>``: the aggregate whose sequence numbers this change counts in."""
        return f"{self.aggregate.value}/{self.aggregate_id}"


#: The facts every change of an aggregate kind states (never ``null``), besides the common
#: ``schema``, ``id``, ``kind``, ``aggregate``, ``aggregate_id``, ``sequence``, ``occurred_at``
#: and ``status``.
REQUIRED_FACTS: Mapping[Aggregate, tuple[str, ...]] = {
    Aggregate.CONVERSATION: ("employee_id", "type_key", "on"),
    Aggregate.REPORT: ("employee_id", "conversation_id"),
    Aggregate.ACTION_ITEM: ("employee_id", "owner_id", "conversation_id"),
    Aggregate.PERSON: ("employee_id",),
    Aggregate.DESIGN: ("design_version", "on"),
}

#: The status a change of each kind leaves its aggregate in, where the kind decides it.
STATUS_OF: Mapping[ChangeKind, tuple[str, ...]] = {
    ChangeKind.CONVERSATION_PLANNED: ("planned",),
    ChangeKind.CONVERSATION_SCHEDULED: ("scheduled",),
    ChangeKind.CONVERSATION_RESCHEDULED: ("scheduled",),
    ChangeKind.CONVERSATION_HELD: ("held",),
    ChangeKind.CONVERSATION_REPORTED: ("reported",),
    ChangeKind.CONVERSATION_CLOSED: ("closed",),
    ChangeKind.CONVERSATION_CANCELLED: ("cancelled",),
    ChangeKind.CONVERSATION_MISSED: ("missed",),
    ChangeKind.REPORT_DRAFTED: ("draft",),
    ChangeKind.REPORT_SHARED: ("shared",),
    ChangeKind.REPORT_SIGNED: ("signed_agreed", "signed_seen"),
    ChangeKind.REPORT_REFUSED: ("sign_off_refused",),
    ChangeKind.REPORT_FILED: ("filed",),
    ChangeKind.ACTION_ITEM_CREATED: ("open",),
    ChangeKind.ACTION_ITEM_DONE: ("done",),
    ChangeKind.ACTION_ITEM_DROPPED: ("dropped",),
    ChangeKind.ACTION_ITEM_CARRIED: ("open",),
    ChangeKind.ACTION_ITEM_ESCALATED: ("open",),
    ChangeKind.PERSON_HIRED: ("employed",),
    ChangeKind.PERSON_CHANGED: ("employed",),
    ChangeKind.PERSON_LEFT: ("left",),
    ChangeKind.PERSON_ERASED: ("erased",),
    ChangeKind.DESIGN_APPLIED: ("applied",),
}

#: Every status a change of each aggregate kind may report.
_STATUSES: Mapping[Aggregate, tuple[str, ...]] = {
    Aggregate.CONVERSATION: (
        "planned",
        "scheduled",
        "held",
        "reported",
        "closed",
        "cancelled",
        "missed",
    ),
    Aggregate.REPORT: (
        "draft",
        "shared",
        "signed_agreed",
        "signed_seen",
        "sign_off_refused",
        "filed",
    ),
    Aggregate.ACTION_ITEM: ("open", "done", "dropped"),
    Aggregate.PERSON: ("employed", "left", "erased"),
    Aggregate.DESIGN: ("applied",),
}

_FACTS = (
    "employee_id",
    "manager_id",
    "owner_id",
    "conversation_id",
    "type_key",
    "on",
    "starts_at",
    "design_version",
)


def to_json(change: StateChange) -> dict[str, Any]:
    """The JSON object of ``change`` (:data:`SCHEMA`): every field, ``null`` when unknown.

    >>> at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    >>> data = to_json(StateChange.of("person.hired", "e-1", sequence=1, occurred_at=at,
    ...     status="employed", employee_id="e-1", on=date(2026, 1, 5)))
    >>> data["schema"], data["kind"], data["aggregate"], data["on"], data["starts_at"]
    ('gesprekscyclus.state-change/1', 'person.hired', 'person', '2026-01-05', None)
    """
    return {
        "schema": SCHEMA,
        "id": change.id,
        "kind": change.kind.value,
        "aggregate": change.aggregate.value,
        "aggregate_id": change.aggregate_id,
        "sequence": change.sequence,
        "occurred_at": change.occurred_at.isoformat(),
        "status": change.status,
        "employee_id": change.employee_id,
        "manager_id": change.manager_id,
        "owner_id": change.owner_id,
        "conversation_id": change.conversation_id,
        "type_key": change.type_key,
        "on": None if change.on is None else change.on.isoformat(),
        "starts_at": None if change.starts_at is None else change.starts_at.isoformat(),
        "design_version": change.design_version,
    }


def read_json(data: Mapping[str, Any]) -> StateChange:
    """The :class:`StateChange` of a :func:`to_json` object (its id checked).

    >>> at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    >>> change = StateChange.of("design.applied", "cycle", sequence=2, occurred_at=at)
    >>> read_json(to_json(change)) == change
    True
    """
    if not isinstance(data, Mapping):
        raise InvalidValueError("state change", f"expected a JSON object, got {shown(data)}")
    if data.get("schema") != SCHEMA:
        raise InvalidValueError("schema", f"expected {SCHEMA!r}, got {shown(data.get('schema'))}")
    try:
        return StateChange(
            id=data["id"],
            kind=data["kind"],
            aggregate_id=data["aggregate_id"],
            sequence=data["sequence"],
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            status=data["status"],
            employee_id=data["employee_id"],
            manager_id=data["manager_id"],
            owner_id=data["owner_id"],
            conversation_id=data["conversation_id"],
            type_key=data["type_key"],
            on=None if data["on"] is None else date.fromisoformat(data["on"]),
            starts_at=None
            if data["starts_at"] is None
            else datetime.fromisoformat(data["starts_at"]),
            design_version=data["design_version"],
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidValueError("state change", f"not a {SCHEMA} object: {error!r}") from None


def json_schema(kind: ChangeKind | str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the :func:`to_json` object of one change kind.

    >>> schema = json_schema("conversation.held")
    >>> schema["properties"]["status"], schema["properties"]["kind"]
    ({'const': 'held'}, {'const': 'conversation.held'})
    """
    kind = ChangeKind(kind)
    aggregate = kind.aggregate
    required = REQUIRED_FACTS[aggregate] if kind is not ChangeKind.PERSON_ERASED else ()
    text = {"type": "string", "minLength": 1}
    optional_text = {"type": ["string", "null"], "minLength": 1}
    day = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    instant = {"type": "string", "format": "date-time"}
    facts: dict[str, Any] = {
        "employee_id": text if "employee_id" in required else optional_text,
        "manager_id": optional_text,
        "owner_id": text if "owner_id" in required else optional_text,
        "conversation_id": text if "conversation_id" in required else optional_text,
        "type_key": text if "type_key" in required else optional_text,
        "on": day if "on" in required else {"anyOf": [day, {"type": "null"}]},
        "starts_at": instant
        if kind is ChangeKind.CONVERSATION_SCHEDULED or kind is ChangeKind.CONVERSATION_RESCHEDULED
        else {"anyOf": [instant, {"type": "null"}]},
        "design_version": {"type": "integer", "minimum": 1}
        if "design_version" in required
        else {"type": ["integer", "null"], "minimum": 1},
    }
    statuses = STATUS_OF.get(kind, _STATUSES[aggregate])
    status = {"const": statuses[0]} if len(statuses) == 1 else {"enum": list(statuses)}
    properties: dict[str, Any] = {
        "schema": {"const": SCHEMA},
        "id": {"type": "string", "pattern": "^sc-[0-9a-f]{24}$"},
        "kind": {"const": kind.value},
        "aggregate": {"const": aggregate.value},
        "aggregate_id": text,
        "sequence": {"type": "integer", "minimum": 1},
        "occurred_at": instant,
        "status": status,
        **facts,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:gesprekscyclus:state-change:1:{kind.value}",
        "title": f"{kind.value} ({SCHEMA})",
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }
