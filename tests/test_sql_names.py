"""The statement rewriting behind schemas and table prefixes (``adapters/_sql/names.py``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters._sql.names import Renamer, check_prefix, created_names
from gesprekscyclus.adapters.postgres.schema import MIGRATIONS as POSTGRES
from gesprekscyclus.adapters.sqlite.schema import MIGRATIONS as SQLITE
from gesprekscyclus.errors import InvalidValueError

TABLES = ("people", "outbox", "conversations")
RENAME = Renamer.qualified("hr", TABLES)

_WORDS = st.sampled_from(
    ["SELECT", "FROM", "WHERE", "id", "=", "%s", ",", "(", ")", "outbox_pending", "x.people_id"]
)
_TABLE = st.sampled_from(TABLES)
_LITERAL = st.lists(st.sampled_from([*TABLES, "it''s", " ", "a"]), max_size=4).map(
    lambda parts: "'" + "".join(parts) + "'"
)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["word", "table", "quoted", "literal"]), _WORDS, _TABLE, _LITERAL
        ),
        max_size=12,
    )
)
def test_only_table_names_outside_literals_change(
    tokens: list[tuple[str, str, str, str]],
) -> None:
    given_parts, expected_parts = [], []
    for kind, word, table, literal in tokens:
        if kind == "word":
            given_parts.append(word)
            expected_parts.append(word)
        elif kind == "table":
            given_parts.append(table)
            expected_parts.append(f'"hr"."{table}"')
        elif kind == "quoted":
            given_parts.append(f'"{table}"')
            expected_parts.append(f'"hr"."{table}"')
        else:
            given_parts.append(literal)
            expected_parts.append(literal)
    assert RENAME(" ".join(given_parts)) == " ".join(expected_parts)


def test_every_table_and_index_of_both_stores_is_found() -> None:
    sqlite = created_names(SQLITE, indexes=True)
    assert {"people", "outbox", "outbox_pending", "schema_version", "outbox_before_8"} <= set(
        sqlite
    )
    postgres = created_names(POSTGRES, indexes=False)
    assert "outbox_pending" not in postgres  # indexes follow their table's schema
    assert set(postgres) == {name for name in sqlite if name in postgres}


def test_no_schema_and_no_prefix_change_nothing() -> None:
    query = "SELECT data FROM people"
    assert Renamer.qualified(None, TABLES)(query) is query
    assert Renamer.prefixed("", TABLES)(query) is query


@pytest.mark.parametrize("prefix", ["", "1x", "a-b", "a b", "x" * 41, 'a"; DROP TABLE people;--'])
def test_a_prefix_must_be_a_plain_identifier(prefix: str) -> None:
    with pytest.raises(InvalidValueError, match="table_prefix"):
        check_prefix(prefix)
