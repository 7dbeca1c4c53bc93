"""The SQL stores' paged queries list exactly what the query's own definition matches, in
order, whatever the page size (a real SQLite file; PostgreSQL runs the same SQL through the
contract suite)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.domain.conversations import Conversation, Participant, Window
from gesprekscyclus.ports.queries import ConversationQuery

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
PEOPLE = ["e-1", "e_1", "e-2", "m-1", "m-2", "hr-1"]
DAYS = [date(2026, 3, 1) + timedelta(days=n) for n in range(4)]


@st.composite
def _conversation(draw: st.DrawFn, number: int) -> Conversation:
    employee = draw(st.sampled_from(PEOPLE[:3]))
    manager = draw(st.sampled_from(["m-1", "m-2"]))
    day = draw(st.sampled_from(DAYS))
    window = Window(day - timedelta(days=2), day, day + timedelta(days=5))
    if draw(st.booleans()):
        talk = Conversation.plan(
            id=f"c-{number:02d}",
            type_key="check_in",
            employee_id=employee,
            manager_id=manager,
            window=window,
        )
    else:  # the manager is named but takes no part
        talk = Conversation.plan(
            id=f"x-{number:02d}",
            type_key="exit_interview",
            employee_id=employee,
            manager_id=manager,
            participants=[Participant("hr-1", "hr")],
            roles=("employee", "hr"),
            window=window,
        )
    change = draw(st.sampled_from(["planned", "cancelled", "scheduled"]))
    if change == "cancelled":
        talk = talk.cancel(reason="niet nodig", at=T0)
    elif change == "scheduled":
        talk = talk.schedule(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), at=T0)
    return talk


@st.composite
def _conversations(draw: st.DrawFn) -> list[Conversation]:
    count = draw(st.integers(0, 12))
    return [draw(_conversation(number)) for number in range(count)]


_QUERIES = st.builds(
    ConversationQuery,
    employee_id=st.none() | st.sampled_from(PEOPLE),
    manager_id=st.none() | st.sampled_from(PEOPLE),
    participant_id=st.none() | st.sampled_from(PEOPLE),
    type_keys=st.sets(st.sampled_from(["check_in", "exit_interview", "absence"]), max_size=2),
    statuses=st.sets(st.sampled_from(["planned", "scheduled", "cancelled", "held"]), max_size=2),
    start=st.none() | st.sampled_from(DAYS[:2]),
    end=st.none() | st.sampled_from(DAYS[2:]),
)


def test_paged_conversations_are_the_matches_in_order(tmp_path: Path) -> None:
    store = open_sqlite_store(tmp_path / "paging.db")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(talks=_conversations(), query=_QUERIES, limit=st.integers(1, 5))
    def check(talks: list[Conversation], query: ConversationQuery, limit: int) -> None:
        with store.unit_of_work() as uow:
            uow.conversations.delete(c.id for c in uow.conversations.page(
                ConversationQuery(), limit=500))  # fmt: skip
            uow.conversations.add_many(talks)
        wanted = [
            c.id for c in sorted(talks, key=lambda c: (c.window.target, c.id)) if query.matches(c)
        ]
        found: list[str] = []
        after: tuple[date, str] | None = None
        with store.unit_of_work() as uow:
            for _ in range(len(talks) + 2):
                page = uow.conversations.page(query, after=after, limit=limit)
                found.extend(c.id for c in page)
                if len(page) < limit:
                    break
                after = (page[-1].window.target, page[-1].id)
        assert found == wanted

    try:
        check()
    finally:
        store.close()
