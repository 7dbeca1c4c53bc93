"""The compiled reader of outbox payloads against the strict converter.

``decode_notification`` reads every claimed outbox row through the reader compiled for
``Notification`` (``serialization.loads_compiled``). It must give what the strict path
(``serialization.loads``) gives: an equal notification for every valid payload, and a
refusal, with the strict path's reason, for every payload the strict path refuses.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gesprekscyclus.adapters._sql.outbox import decode_notification
from gesprekscyclus.domain.guides import GuideSection
from gesprekscyclus.domain.state_changes import ChangeKind, StateChange, event_id
from gesprekscyclus.errors import GesprekscyclusError
from gesprekscyclus.ports.notifier import ActionItemInfo, Notification, state_change_notification
from gesprekscyclus.serialization import (
    SCHEMA_VERSION,
    _compiled,
    dumps,
    from_data,
    loads,
    loads_compiled,
    to_data,
)
from gesprekscyclus.testing.contract import make_notification

from .strategies import dates, ids, instants, notifications, texts

READ_ERRORS = (GesprekscyclusError, ValueError, TypeError, RecursionError)


@st.composite
def state_changes(draw: st.DrawFn) -> StateChange:
    kind = draw(st.sampled_from(ChangeKind))
    aggregate = draw(ids)
    sequence = draw(st.integers(1, 10**6))
    at = draw(instants)
    try:
        return StateChange(
            id=event_id(kind, aggregate, sequence, at),
            kind=kind,
            aggregate_id=aggregate,
            sequence=sequence,
            occurred_at=at,
            status=draw(st.none() | ids),
            employee_id=draw(st.none() | ids),
            manager_id=draw(st.none() | ids),
            owner_id=draw(st.none() | ids),
            conversation_id=draw(st.none() | ids),
            type_key=draw(st.none() | ids),
            on=draw(st.none() | dates),
            starts_at=draw(st.none() | instants),
            design_version=draw(st.none() | st.integers(1, 100)),
        )
    except GesprekscyclusError:
        assume(False)
        raise


guide_sections = st.builds(
    GuideSection, heading=texts, text=texts | st.just(""), items=st.lists(texts).map(tuple)
)


@st.composite
def any_notifications(draw: st.DrawFn) -> Notification:
    """Reminders (with guides and expiries) and state changes."""
    if draw(st.booleans()):
        return state_change_notification(draw(state_changes()))
    base = draw(notifications)
    return Notification(
        key=base.key,
        kind=base.kind,
        recipient=base.recipient,
        conversation=base.conversation,
        action_item=base.action_item,
        questions=base.questions,
        expires_at=draw(st.none() | instants),
        guide=tuple(draw(st.lists(guide_sections, max_size=3))),
        guide_ref=draw(st.none() | ids),
    )


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.sampled_from(["", " ", "x", "2026-02-03", "2026-02-30", "2026-02-03T09:30:00+00:00",
                       "2026-02-03T09:30:00", "employee", "preparation", "nl", "EN", "\x00",
                       "normal", "health_related", "k-1", "Europe/Amsterdam", "0", "1", "true"])
    | st.text(max_size=8)
)  # fmt: skip
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _containers(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths of every dict and list in ``data``."""
    found = []
    if isinstance(data, dict):
        found.append(path)
        for key, value in data.items():
            found += _containers(value, (*path, key))
    elif isinstance(data, list):
        found.append(path)
        for index, value in enumerate(data):
            found += _containers(value, (*path, index))
    return found


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


@st.composite
def mutated(draw: st.DrawFn, data: Any) -> Any:
    """``data`` with one to three changes somewhere: a value replaced (wrong type, bad
    date, blank text, another enumeration value), a key removed or added, a container
    emptied, turned into the other kind, or wrapped."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = _containers(data)
        path = draw(st.sampled_from(paths))
        box = _at(data, path)
        action = draw(st.sampled_from(["replace", "remove", "add", "reshape"]))
        if isinstance(box, dict):
            keys = sorted(box)
            if action == "add" or not keys:
                name = draw(
                    st.sampled_from(["extra", "kind", "id", "nickname"]) | st.text(max_size=5)
                )
                box[name] = draw(json_values)
                continue
            key = draw(st.sampled_from(keys))
            if action == "remove":
                del box[key]
            elif action == "reshape":
                value = box[key]
                box[key] = draw(st.sampled_from([[value], {"v": value}, json.dumps(value), None]))
            else:
                box[key] = draw(json_values)
        elif box:
            index = draw(st.integers(0, len(box) - 1))
            if action == "remove":
                del box[index]
            elif action == "add":
                box.append(draw(json_values))
            else:
                box[index] = draw(json_values)
    return data


def _strict(data: Any) -> tuple[Notification | None, str | None]:
    try:
        return from_data(Notification, data), None
    except READ_ERRORS as error:
        return None, str(error)


def _fast(data: Any) -> Notification | None:
    try:
        return _compiled(Notification)(data)
    except Exception:  # any refusal counts
        return None


def _envelope(data: Any) -> str:
    return json.dumps({"schema_version": SCHEMA_VERSION, "type": "Notification", "data": data})


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(any_notifications())
def test_valid_notifications_read_equal_through_both_readers(notification: Notification) -> None:
    data = to_data(notification)
    assert _compiled(Notification)(data) == notification
    assert from_data(Notification, data) == notification
    payload = dumps(notification)
    assert loads_compiled(Notification, payload) == loads(Notification, payload) == notification
    assert decode_notification(notification.key, payload) == (notification, None)


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_compiled_reader_accepts_nothing_the_strict_one_refuses(data: st.DataObject) -> None:
    original = to_data(data.draw(any_notifications()))
    changed = data.draw(mutated(original))
    expected, reason = _strict(changed)
    got = _fast(changed)
    if expected is None:
        assert got is None, f"compiled reader accepted what the strict one refuses: {reason}"
    else:
        assert got is None or got == expected
    # the decoder the outbox uses: the strict path's result and reason, either way
    payload = _envelope(changed)
    key = original["key"]
    assert decode_notification(key, payload) == _decode_strictly(key, payload)


def _decode_strictly(key: str, payload: str) -> tuple[Notification | None, str | None]:
    try:
        notification = loads(Notification, payload)
    except READ_ERRORS as error:
        return None, f"undecodable payload: {error}"[:1000]
    if notification.key != key:
        return None, (
            f"undecodable payload: its notification has key {notification.key!r},"
            f" the row has {key!r}"
        )[:1000]
    return notification, None


@settings(max_examples=500)
@given(json_values)
def test_any_json_at_all_decodes_as_on_the_strict_path(value: Any) -> None:
    for payload in (json.dumps(value), _envelope(value)):
        assert decode_notification("k-1", payload) == _decode_strictly("k-1", payload)


HOSTILE = [
    "",
    "{not json",
    "[]",
    "null",
    '{"schema_version": 1, "type": "Notification"}',
    '{"schema_version": 2, "type": "Notification", "data": {}}',
    '{"schema_version": 1, "type": "Person", "data": {}}',
    _envelope({}),
    _envelope([]),
    _envelope("x" * 100_000),
    "[" * 100_000 + "]" * 100_000,
    _envelope({"key": "k-1", "kind": "preparation", "recipient": "[" * 50_000}),
]


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"nl": value}
    return value


@pytest.mark.parametrize("payload", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_payloads_are_refused_with_the_strict_reason(payload: str) -> None:
    assert decode_notification("k-1", payload) == _decode_strictly("k-1", payload)
    assert decode_notification("k-1", payload)[0] is None


def test_deeply_nested_and_huge_fields_are_refused_naming_the_field() -> None:
    good = to_data(make_notification("k-1"))
    cases = [
        {**good, "recipient": {**good["recipient"], "name": _nested(500)}},
        {**good, "questions": ["q"] * 50_000 + [1]},
        {**good, "conversation": {**good["conversation"], "on": "2026-02-30"}},
        {**good, "conversation": {**good["conversation"], "starts_at": "tomorrow"}},
        {**good, "kind": "unknown"},
        {**good, "recipient": {**good["recipient"], "role": ["employee"]}},
        {**good, "surprise": 1},
        {key: value for key, value in good.items() if key != "recipient"},
    ]
    for data in cases:
        payload = _envelope(data)
        notification, reason = decode_notification("k-1", payload)
        assert notification is None
        assert (notification, reason) == _decode_strictly("k-1", payload)
    assert "recipient.name" in str(decode_notification("k-1", _envelope(cases[0]))[1])
    deep = _envelope({**good, "guide": "DEEP"}).replace('"DEEP"', "[" * 100_000 + "]" * 100_000)
    assert decode_notification("k-1", deep) == _decode_strictly("k-1", deep)
    assert "$.conversation.on" in str(decode_notification("k-1", _envelope(cases[2]))[1])


def test_a_wrong_key_is_refused() -> None:
    payload = dumps(make_notification("k-1"))
    assert decode_notification("k-2", payload) == (
        None,
        "undecodable payload: its notification has key 'k-1', the row has 'k-2'",
    )


def test_equal_results_keep_the_strict_types() -> None:
    at = datetime(2026, 2, 3, 9, 30, tzinfo=UTC)
    note = make_notification("k-1")
    read = loads_compiled(Notification, dumps(note))
    assert read == note
    assert type(read.kind) is type(note.kind)
    assert read.conversation is not None
    assert read.conversation.starts_at == at
    assert isinstance(read.questions, tuple)
    assert isinstance(read.conversation.participants, tuple)


def test_a_class_the_writer_cannot_compile_is_read_by_the_strict_path() -> None:
    @attrs.frozen
    class Bag:
        items: list[str] = attrs.field(factory=list)

    text = json.dumps({"schema_version": SCHEMA_VERSION, "type": "Bag", "data": {"items": ["a"]}})
    assert loads_compiled(Bag, text) == loads(Bag, text) == Bag(["a"])
    assert loads_compiled(Bag, text) == Bag(["a"])  # the refusal is remembered, not retried


@given(st.lists(texts, max_size=4), st.none() | dates)
def test_other_classes_read_alike_through_both_paths(items: list[str], day: Any) -> None:
    section = GuideSection("Kop", items=tuple(items))
    payload = dumps(section)
    assert loads_compiled(GuideSection, payload) == loads(GuideSection, payload) == section
    item = ActionItemInfo(id="a-1", title="Doel", owner_id="e-1", due=day)
    payload = dumps(item)
    assert loads_compiled(ActionItemInfo, payload) == loads(ActionItemInfo, payload) == item
