"""Fuzz targets for the CSV readers and the webhook verifier.

Short by default (the loaded hypothesis profile decides, as for every property); longer on
demand: ``GESPREKSCYCLUS_FUZZ=long`` runs 20,000 examples per target and
``GESPREKSCYCLUS_FUZZ=<number>`` that many; ``--hypothesis-profile`` works as usual when the
variable is not set. Whatever the input, the readers return values or raise
:class:`~gesprekscyclus.errors.DesignError`, and the verifier passes or raises
:class:`~gesprekscyclus.errors.SignatureError`: no other exception, ever.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters.notifiers.webhook import (
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    is_valid_signature,
    signed_headers,
    verify_signature,
)
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import DesignError, SignatureError
from gesprekscyclus.planning.people_file import (
    EVENT_COLUMNS,
    PEOPLE_COLUMNS,
    parse_events,
    parse_people,
    people_to_csv,
    read_people,
)

from .fuzzing import fuzz

T = TypeVar("T")


#: Pieces that have broken readers before, mixed with any text.
_FRAGMENTS = st.sampled_from(
    [
        "",
        "e-1",
        "m-1",
        "2020-01-01",
        "2024-02-29",
        "9999-12-31",
        "0000-01-01",
        "٢٠٢٠-٠١-٠١",
        "Europe",
        "Europe/Amsterdam",
        "../../etc/passwd",
        "x" * 300,
        '=HYPERLINK("http://x")',
        "'=cmd|' /C calc'!A0",
        "@SUM(A1)",
        "\x00",
        "\r\n",
        "\n",
        "\u2028",
        '"',
        '""',
        ",",
        ";",
        "\ufeff",
        "\ud800",
        "ma di do",
        "sick_report",
        "recovery",
        "manager_change",
        "prognosis",
        "long_term",
        "a@b@c",
        "anna@example.org",
    ]
)
_CELLS = st.one_of(_FRAGMENTS, st.text(max_size=12), st.lists(_FRAGMENTS, max_size=3).map("".join))


@st.composite
def csv_texts(draw: st.DrawFn, columns: tuple[str, ...]) -> str:
    """CSV-shaped text: a header of known and unknown columns, then ragged hostile rows."""
    delimiter = draw(st.sampled_from([",", ";"]))
    header = draw(st.lists(st.sampled_from(columns) | st.text(max_size=6), min_size=1, max_size=8))
    rows = draw(
        st.lists(
            st.lists(_CELLS, min_size=max(0, len(header) - 1), max_size=len(header) + 1),
            max_size=6,
        )
    )
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return end.join(delimiter.join(row) for row in [header, *rows]) + draw(
        st.sampled_from(["", end])
    )


def _outcome(call: Callable[[], T]) -> T | DesignError:
    """What ``call`` returns, or the DesignError it raises (any other exception escapes)."""
    try:
        return call()
    except DesignError as error:
        return error


people_texts = st.one_of(csv_texts(PEOPLE_COLUMNS), st.text(max_size=200))
event_texts = st.one_of(csv_texts(EVENT_COLUMNS), st.text(max_size=200))


@fuzz
@given(people_texts)
def test_the_people_reader_returns_people_or_one_design_error(text: str) -> None:
    people = _outcome(lambda: parse_people(text, source="fuzz.csv"))
    if isinstance(people, DesignError):
        assert people.problems
        assert all(problem.file == "fuzz.csv" for problem in people.problems)
        return
    assert all(isinstance(person, Person) for person in people)
    assert parse_people(people_to_csv(people)) == people  # whatever it accepts, it writes back


@fuzz
@given(event_texts, st.booleans())
def test_the_events_reader_returns_events_or_one_design_error(text: str, known: bool) -> None:
    people = parse_people(
        "id,name,manager_id,hire_date\ne-1,Eva,m-1,2020-01-01\nm-1,Mo,,2019-01-01\n"
    )
    events = _outcome(
        lambda: parse_events(text, source="fuzz.csv", people=people if known else None)
    )
    if isinstance(events, DesignError):
        assert events.problems
        assert all(problem.file == "fuzz.csv" for problem in events.problems)
    else:
        assert all(event.person_id for event in events)


@fuzz
@given(
    st.binary(max_size=400) | people_texts.map(lambda text: text.encode("utf-8", "surrogatepass"))
)
def test_reading_any_bytes_from_a_file_gives_people_or_one_design_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "people.csv"
        path.write_bytes(data)
        people = _outcome(lambda: read_people(path))
        if isinstance(people, DesignError):
            assert all(problem.file == str(path) for problem in people.problems)
        else:
            assert all(isinstance(person, Person) for person in people)


# --- the webhook verifier -----------------------------------------------------------------

SECRET = b"fuzz secret"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_NAMES = st.sampled_from(
    [ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER, ID_HEADER.upper(), SIGNATURE_HEADER.upper()]
) | st.text(max_size=8)
_VALUES = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"-?[0-9]{1,30}", fullmatch=True),
    st.from_regex(r"(v[0-9a]?[,=][A-Za-z0-9+/=]{0,50} ?){0,3}", fullmatch=True),
    st.binary(max_size=20),
    st.integers(),
    st.floats(),
    st.none(),
    st.lists(st.text(max_size=5), max_size=2),
)
_HEADERS = st.one_of(
    st.dictionaries(_NAMES, _VALUES, max_size=4),
    st.tuples(_VALUES, _VALUES),
    st.tuples(_VALUES),
    st.tuples(_VALUES, _VALUES, _VALUES),
    st.tuples(st.text(max_size=12), st.from_regex(r"[0-9]{1,12}", fullmatch=True), _VALUES),
    st.tuples(_VALUES, _VALUES, _VALUES, _VALUES),
    st.none(),
    st.integers(),
    st.text(max_size=10),
    st.lists(_VALUES, max_size=3),
)


@fuzz
@given(_HEADERS, st.binary(max_size=60))
def test_the_verifier_answers_invalid_for_any_malformed_request(
    headers: object, body: bytes
) -> None:
    try:
        verify_signature(SECRET, headers, body, now=NOW)  # type: ignore[arg-type]
    except SignatureError:
        assert is_valid_signature(SECRET, headers, body, now=NOW) is False  # type: ignore[arg-type]
    else:
        assert is_valid_signature(SECRET, headers, body, now=NOW) is True  # type: ignore[arg-type]


@fuzz
@given(st.binary(max_size=200), st.integers(-300, 300), st.binary(min_size=1, max_size=5))
def test_a_signed_body_verifies_and_any_change_does_not(
    body: bytes, skew: int, change: bytes
) -> None:
    headers = signed_headers(SECRET, body, key="k", at=NOW)
    later = NOW + timedelta(seconds=skew)
    assert is_valid_signature(SECRET, headers, body, now=later)
    assert not is_valid_signature(SECRET, headers, body + change, now=later)
    assert not is_valid_signature(SECRET + b"x", headers, body, now=later)
    assert is_valid_signature([b"old", SECRET], headers, body, now=later)
    for name in (ID_HEADER, TIMESTAMP_HEADER):
        changed = {**headers, name: headers[name] + "1"}
        assert not is_valid_signature(SECRET, changed, body, now=later)
