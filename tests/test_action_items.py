"""Action items: their lifecycle and carry-over to the next conversation, with its limit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.domain.action_items import (
    ALL_DECISIONS,
    ActionItem,
    ActionItemStatus,
    CarryOverOutcome,
    Decision,
    NeedsDecision,
    carry_over,
)
from gesprekscyclus.domain.conversations import Conversation, Window
from gesprekscyclus.errors import InvalidTransitionError, InvalidValueError
from gesprekscyclus.serialization import dumps, from_data, loads, to_data

from . import strategies as gs

EMPLOYEE, MANAGER = "e-1", "m-1"
AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
APRIL = Window(date(2026, 4, 1), date(2026, 4, 2), date(2026, 4, 9))


def item(id: str = "a-1", **changes: object) -> ActionItem:
    fields: dict[str, object] = {
        "id": id,
        "title": "Cursus kiezen",
        "owner_id": EMPLOYEE,
        "due": date(2026, 5, 1),
        "origin_conversation_id": "c-1",
        "employee_id": EMPLOYEE,
        "manager_id": MANAGER,
    }
    fields.update(changes)
    return ActionItem(**fields)  # type: ignore[arg-type]


def talk(id: str, *, employee: str = EMPLOYEE, manager: str | None = MANAGER) -> Conversation:
    return Conversation.plan(
        id=id, type_key="check_in", employee_id=employee, manager_id=manager, window=APRIL
    )


# --- round trips ----------------------------------------------------------------------------


@given(gs.action_items())
def test_action_item_round_trips(action_item: ActionItem) -> None:
    assert from_data(ActionItem, to_data(action_item)) == action_item
    assert loads(ActionItem, dumps(action_item)) == action_item


@given(st.lists(gs.action_items(), max_size=3), st.lists(gs.action_items(), max_size=2))
def test_carry_over_outcome_round_trips(
    carried: list[ActionItem], undecided: list[ActionItem]
) -> None:
    outcome = CarryOverOutcome(
        carried=tuple(carried), needs_decision=tuple(NeedsDecision(i) for i in undecided)
    )
    assert from_data(CarryOverOutcome, to_data(outcome)) == outcome


# --- lifecycle ------------------------------------------------------------------------------


def test_commands_add_one_history_entry_each() -> None:
    steps = (
        item()
        .rescope(due=date(2026, 6, 1), at=AT)
        .escalate(to_id="hr-1", reason="Budget", at=AT)
        .complete(at=AT)
    )
    assert [entry.action.value for entry in steps.history] == ["rescope", "escalate", "complete"]
    assert steps.status is ActionItemStatus.DONE
    assert steps.escalated_to == "hr-1"
    assert steps.history[0].detail == "due: 2026-06-01"


@pytest.mark.parametrize("status", ["done", "dropped"])
def test_closed_items_take_no_more_commands(status: str) -> None:
    closed = item(status=status)
    with pytest.raises(InvalidTransitionError, match="final state"):
        closed.complete(at=AT)
    with pytest.raises(InvalidTransitionError):
        closed.rescope(title="Nieuw", at=AT)
    with pytest.raises(InvalidTransitionError):
        closed.escalate(to_id="hr-1", reason="x", at=AT)


def test_drop_and_escalate_need_a_reason() -> None:
    with pytest.raises(InvalidValueError, match="reason"):
        item().drop(reason="", at=AT)
    with pytest.raises(InvalidValueError, match="reason"):
        item().escalate(to_id="hr-1", reason="  ", at=AT)
    assert item().drop(reason="Niet meer nodig", at=AT).status is ActionItemStatus.DROPPED


def test_rescope_needs_a_change_and_resets_the_count() -> None:
    carried = item(carry_count=2, carried_to=("c-2", "c-3"))
    with pytest.raises(InvalidValueError, match="rescope"):
        carried.rescope(at=AT)
    rescoped = carried.rescope(title="Kleinere cursus", at=AT)
    assert (rescoped.title, rescoped.carry_count, rescoped.carried_to) == (
        "Kleinere cursus",
        0,
        ("c-2", "c-3"),
    )


def test_overdue_only_while_open() -> None:
    day_after = date(2026, 5, 2)
    assert item().is_overdue(day_after)
    assert not item().is_overdue(date(2026, 5, 1))
    assert not item(due=None).is_overdue(day_after)
    assert not item().complete(at=AT).is_overdue(day_after)


def test_stored_counts_are_checked() -> None:
    with pytest.raises(InvalidValueError, match=r"ActionItem\.carry_count"):
        item(carry_count=2, carried_to=("c-2",))
    with pytest.raises(InvalidValueError, match=r"ActionItem\.carried_to"):
        item(carry_count=1, carried_to=("c-2", "c-2"))


# --- carry-over -----------------------------------------------------------------------------


def test_open_items_of_the_same_pair_are_carried() -> None:
    items = [
        item("a-1"),
        item("a-2", status="done"),
        item("a-3", manager_id="m-2"),
        item("a-4", employee_id="e-2"),
        item("a-5", origin_conversation_id="c-2"),
    ]
    outcome = carry_over(items, next_conversation=talk("c-2"), limit=3, at=AT)
    assert [i.id for i in outcome.carried] == ["a-1"]
    assert outcome.needs_decision == ()
    carried = outcome.carried[0]
    assert (carried.carry_count, carried.carried_to) == (1, ("c-2",))
    assert carried.history[-1].detail == "c-2"


def test_carrying_twice_to_the_same_conversation_counts_once() -> None:
    first = carry_over([item()], next_conversation=talk("c-2"), limit=3, at=AT)
    again = carry_over(first.carried, next_conversation=talk("c-2"), limit=3, at=AT)
    assert again == first
    assert again.carried[0].carry_count == 1


def test_the_limit_asks_for_a_decision() -> None:
    items = [item()]
    for conversation_id in ("c-2", "c-3"):
        items = list(
            carry_over(items, next_conversation=talk(conversation_id), limit=2, at=AT).carried
        )
    assert items[0].carry_count == 2
    outcome = carry_over(items, next_conversation=talk("c-4"), limit=2, at=AT)
    assert outcome.carried == ()
    (decision,) = outcome.needs_decision
    assert decision.item == items[0]  # unchanged: not carried silently
    assert decision.options == (Decision.RESCOPE, Decision.CLOSE, Decision.ESCALATE)
    rescoped = decision.item.rescope(due=date(2026, 7, 1), at=AT)
    after = carry_over([rescoped], next_conversation=talk("c-4"), limit=2, at=AT)
    assert after.carried[0].carry_count == 1
    escalated = decision.item.escalate(to_id="hr-1", reason="Blijft liggen", at=AT)
    assert carry_over([escalated], next_conversation=talk("c-4"), limit=2, at=AT).carried


def test_limit_zero_never_carries_silently() -> None:
    outcome = carry_over([item()], next_conversation=talk("c-2"), limit=0, at=AT)
    assert outcome.carried == ()
    assert outcome.needs_decision == (NeedsDecision(item(), ALL_DECISIONS),)


def test_bad_limits_and_final_conversations_are_refused() -> None:
    with pytest.raises(InvalidValueError, match="limit"):
        carry_over([item()], next_conversation=talk("c-2"), limit=-1, at=AT)
    cancelled = talk("c-2").cancel(reason="Vakantie", at=AT)
    with pytest.raises(InvalidValueError, match=r"next_conversation\.status.*allowed: planned"):
        carry_over([item()], next_conversation=cancelled, limit=2, at=AT)


def test_items_without_a_manager_travel_between_manager_less_conversations() -> None:
    solo = item(manager_id=None)
    assert carry_over([solo], next_conversation=talk("c-2", manager=None), limit=1, at=AT).carried
    assert not carry_over([solo], next_conversation=talk("c-2"), limit=1, at=AT).carried


@given(
    st.lists(gs.action_items(), max_size=6, unique_by=lambda i: i.id),
    st.integers(0, 4),
    st.booleans(),
)
def test_carry_over_sorts_every_eligible_item_once_and_is_idempotent(
    items: list[ActionItem], limit: int, same_pair: bool
) -> None:
    if same_pair:
        items = [attrs.evolve(i, employee_id=EMPLOYEE, manager_id=MANAGER) for i in items]
    conversation = talk("c-next")
    outcome = carry_over(items, next_conversation=conversation, limit=limit, at=AT)
    eligible = [
        i.id
        for i in items
        if i.status is ActionItemStatus.OPEN
        and (i.employee_id, i.manager_id) == (EMPLOYEE, MANAGER)
        and i.origin_conversation_id != "c-next"
    ]
    sorted_ids = [i.id for i in outcome.carried] + [d.item.id for d in outcome.needs_decision]
    assert sorted(sorted_ids) == sorted(eligible)
    for carried in outcome.carried:
        assert carried.carry_count <= limit
        assert "c-next" in carried.carried_to
    for decision in outcome.needs_decision:
        assert decision.item in items
    rerun = carry_over(
        [*outcome.carried, *(d.item for d in outcome.needs_decision)],
        next_conversation=conversation,
        limit=limit,
        at=AT + timedelta(days=1),
    )
    assert set(rerun.carried) == set(outcome.carried)
    assert set(rerun.needs_decision) == set(outcome.needs_decision)
