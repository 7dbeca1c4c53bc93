"""The plan command's fast conversation encoders write what the generic ones write."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.cli.json_text import indented
from gesprekscyclus.cli.planning import (
    _CONVERSATION_FIELDS,
    _cells,
    _conversation_cells,
    _conversation_json,
)
from gesprekscyclus.domain.absence import LegalBasis
from gesprekscyclus.planning.planner import PlannedConversation
from gesprekscyclus.serialization import to_data

# Text a spreadsheet would run, quotes, separators, line breaks and non-ASCII among it.
_TEXT = st.text(alphabet=st.sampled_from("=+-@\t\r'\"a,;\n é€1:"), max_size=6) | st.text(max_size=6)
_DAYS = st.dates(date(1990, 1, 1), date(2100, 12, 31))
_MOMENTS = st.none() | st.builds(
    lambda day, minutes, offset: (
        datetime(day.year, day.month, day.day, tzinfo=offset) + timedelta(minutes=minutes)
    ),
    _DAYS,
    st.integers(0, 1439),
    st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))]),
)
_CONVERSATIONS = st.builds(
    PlannedConversation,
    id=_TEXT,
    type_key=_TEXT,
    employee_id=_TEXT,
    manager_id=st.none() | _TEXT,
    occurrence=_TEXT,
    nominal=_DAYS,
    earliest=_DAYS,
    target=_DAYS,
    latest=_DAYS,
    starts_at=_MOMENTS,
    origin=_TEXT,
    basis=st.none() | st.sampled_from(list(LegalBasis)),
    milestone=st.none() | _TEXT,
    moved_by=st.lists(_TEXT, max_size=3).map(tuple),
)


@given(st.lists(_CONVERSATIONS, max_size=8))
def test_conversation_cells_are_the_generic_cells(conversations: list[PlannedConversation]) -> None:
    generic = _cells([getattr(c, name) for name in _CONVERSATION_FIELDS] for c in conversations)
    assert list(_conversation_cells(conversations)) == list(generic)


@given(st.lists(_CONVERSATIONS, max_size=8))
def test_conversation_json_is_the_generic_json(conversations: list[PlannedConversation]) -> None:
    text = _conversation_json({})  # one memo for all, as the command uses it
    for conversation in conversations:
        assert text(conversation) == indented(to_data(conversation), "    ")
