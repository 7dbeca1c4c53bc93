"""Hostile values at the edges of the calendar, the numbers and the store URLs.

Each case once ended a command or a public call with a raw ``ValueError``,
``OverflowError`` or ``UnicodeEncodeError``; now it either works or raises the library's
typed error naming the field or option, and the command line exits with code 2.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.adapters.memory import MemoryStore
from gesprekscyclus.adapters.notifiers.mail import EmailNotifier
from gesprekscyclus.adapters.notifiers.recording import RecordingNotifier
from gesprekscyclus.adapters.notifiers.webhook import WebhookNotifier
from gesprekscyclus.adapters.sqlite.schema import MIGRATIONS as SQLITE_MIGRATIONS
from gesprekscyclus.bootstrap import open_store
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import InvalidValueError, SerializationError, StoreError
from gesprekscyclus.examples import directory
from gesprekscyclus.planning.design_file import load_design
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.ports.store import Store
from gesprekscyclus.serialization import dumps, loads
from gesprekscyclus.service.app import ConversationService, tick
from gesprekscyclus.service.dispatch import Dispatcher
from gesprekscyclus.service.privacy import add_years

from .fuzzing import fuzz
from .test_hostile_files import run_cli

DESIGN = str(directory() / "reference-design.toml")
SECRET = "whsec_" + "c2VjcmV0IGZvciB0ZXN0cw=="


def _service(now: datetime) -> ConversationService:
    service = ConversationService(MemoryStore(), FixedClock(now), design=load_design(DESIGN))
    service.hire(Person(id="m-1", name="Mila", hire_date=date(2019, 1, 1)))
    service.hire(
        Person(
            id="e-1",
            name="Eva",
            hire_date=date(2020, 1, 1),
            manager_id="m-1",
            end_date=date(9998, 6, 30),
        )
    )
    return service


def _planned_pair(store: Store | None = None) -> ConversationService:
    """A manager and an employee (``m-1``, ``e-1``) with their 2026 planned, on ``store``
    (a memory store unless given)."""
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    store = MemoryStore() if store is None else store
    service = ConversationService(store, FixedClock(now), design=load_design(DESIGN))
    service.hire(Person(id="m-1", name="Mila", hire_date=date(2019, 1, 1)))
    service.hire(Person(id="e-1", name="Eva", hire_date=date(2020, 1, 1), manager_id="m-1"))
    service.materialise(date(2026, 1, 1), date(2026, 12, 31))
    return service


# --- purge at the ends of the calendar ------------------------------------------------------


@pytest.mark.parametrize(
    "now",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1, 3, 1, 12, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
    ],
)
def test_purge_works_on_the_first_and_last_days_there_are(now: datetime) -> None:
    service = _service(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    report = service.purge(now)
    assert report.at == now
    assert report.removed["people"] == 0
    # Eva leaves in 9998: the years her file is kept run past the calendar, so she stays.
    assert service.person("e-1").end_date == date(9998, 6, 30)


def test_purge_now_in_year_one_on_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(db).close()  # a dry run only reads: it needs a store that is there
    code, out, err = run_cli(["purge", "--db", db, "--now", "0001-01-01", "--dry-run"])
    assert (code, err) == (0, ""), err
    assert "would remove: people 0" in out


@fuzz
@given(st.dates(), st.integers(-20_000, 20_000))
def test_adding_years_is_the_same_day_of_another_year_or_the_calendar_s_end(
    day: date, years: int
) -> None:
    moved = add_years(day, years)
    if 1 <= day.year + years <= 9999:
        assert moved.year == day.year + years
        assert (moved.month, moved.day) in {(day.month, day.day), (2, 28)}
    else:
        assert moved == (date.min if years < 0 else date.max)
    if years > 0:
        assert moved > day or day == date.max
    elif years < 0:
        assert moved < day or day == date.min


# --- horizons that run past the calendar ---------------------------------------------------


def test_applying_a_design_with_a_horizon_past_the_calendar_names_the_horizon() -> None:
    service = _service(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    for days in (1_000_000, 3_000_000, 10**8):
        with pytest.raises(InvalidValueError) as caught:
            service.apply_design(load_design(DESIGN), applied_by="hr-1", horizon_days=days)
        assert str(caught.value) == (
            f"horizon_days: {days} days from 2026-01-05 reach past 4097-12-31, "
            "the last day a plan can cover"
        )


def test_a_tick_with_a_horizon_past_the_calendar_names_the_horizon() -> None:
    now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    service = _service(now)
    dispatcher = Dispatcher(service.store, RecordingNotifier(), FixedClock(now), owner="t")
    with pytest.raises(InvalidValueError, match=r"^horizon_days: 100000000 days from 2026-01-05"):
        tick(service, dispatcher, now, horizon_days=10**8)


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (date(2026, 1, 1), date(9999, 12, 31), "end"),
        (date(1, 1, 1), date(2026, 1, 1), "start"),
        (date(1, 1, 1), date(1, 1, 2), "start"),
    ],
)
def test_materialising_past_the_calendar_names_the_day(start: date, end: date, field: str) -> None:
    service = _service(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    with pytest.raises(InvalidValueError, match=f"^{field}: .* lies outside the days a plan can"):
        service.materialise(start, end)


# --- store URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("store\x00.db", "the path contains a NUL character"),
        ("store\ud800.db", "the path has characters that cannot be encoded"),
    ],
)
def test_a_sqlite_path_the_system_cannot_take_is_a_store_error(
    path: str, reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as caught:
        open_store(f"sqlite:///{path}")
    assert str(caught.value) == f"sqlite store {path!r}: connect failed: {reason}"
    code, out, err = run_cli(["tick", "--db", f"sqlite:///{path}", "--design", DESIGN])
    assert (code, out) == (2, "")
    assert err == f"error: sqlite store {path!r}: connect failed: {reason}\n"
    assert list(tmp_path.iterdir()) == []


# --- documents read back with serialization.loads -----------------------------------------

_ENVELOPE = '{"schema_version": 1, "type": "Person", "data": %s}'
_PERSON = '{"id": "e-1", "name": "Eva", "hire_date": "2020-01-01"}'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 100_000 + "]" * 100_000, "arrays or objects nest too deeply @ $"),
        ('{"a": ' * 100_000 + "1" + "}" * 100_000, "arrays or objects nest too deeply @ $"),
        (_ENVELOPE % ("[" * 50_000 + "]" * 50_000), "arrays or objects nest too deeply @ $"),
        (
            _ENVELOPE % ("9" * (sys.get_int_max_str_digits() + 1)),
            f"a number has more than {sys.get_int_max_str_digits()} digits @ $",
        ),
    ],
)
def test_a_document_too_deep_or_with_too_long_a_number_is_a_serialization_error(
    text: str, problem: str
) -> None:
    with pytest.raises(SerializationError) as caught:
        loads(Person, text)
    assert str(caught.value) == f"Person: not JSON this library reads: {problem}"


@pytest.mark.parametrize("given_value", [None, 5, 1.5, ["{}"], {"schema_version": 1}])
def test_loads_of_something_that_is_not_text_is_a_serialization_error(given_value: object) -> None:
    with pytest.raises(SerializationError) as caught:
        loads(Person, given_value)  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"Person: expected JSON text (str or bytes), got {type(given_value).__name__} @ $"
    )


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)


@fuzz
@given(
    st.one_of(
        st.text(max_size=60),
        st.binary(max_size=60),
        _JSON.map(lambda data: _ENVELOPE % json.dumps(data)),
        st.integers(1, 3000).map(lambda depth: _ENVELOPE % ("[" * depth + "]" * depth)),
        st.dictionaries(
            st.sampled_from(["id", "name", "hire_date", "manager_id", "end_date", "team"]),
            _JSON,
        ).map(lambda data: _ENVELOPE % json.dumps({**json.loads(_PERSON), **data})),
    )
)
def test_loads_returns_a_person_or_raises_a_serialization_error(text: str | bytes) -> None:
    try:
        person = loads(Person, text)
    except SerializationError as error:
        message = str(error)
    else:
        assert loads(Person, dumps(person)) == person
        message = "Person: read"
    assert message.startswith("Person: ")


# --- notifier settings from the environment -------------------------------------------------


@pytest.mark.parametrize(
    "port", ["\u00b2", "\u0661\u0662", "0", "65536", "99999999", "9" * 5000, "-25", "2 5"]
)
def test_an_smtp_port_that_is_not_one_is_refused_naming_the_variable(
    port: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GESPREKSCYCLUS_SMTP_PORT", port)
    monkeypatch.setenv("GESPREKSCYCLUS_SMTP_HOST", "localhost")
    monkeypatch.setenv("GESPREKSCYCLUS_SMTP_SENDER", "hr@example.org")
    code, out, err = run_cli(["tick", "--db", "memory:", "--design", DESIGN, "--notify", "smtp"])
    assert (code, out) == (2, "")
    assert err == (
        f"error: GESPREKSCYCLUS_SMTP_PORT: {port!r} is not a port (allowed: 1 to 65535)\n"
    )


@pytest.mark.parametrize("port", [0, 65536, -1, True, "25", 25.0])
def test_an_email_notifier_refuses_a_port_that_is_not_one(port: object) -> None:
    with pytest.raises(InvalidValueError, match=r"^EmailNotifier\.port: .* is not a port"):
        EmailNotifier("localhost", port, sender="hr@example.org")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1", "'http://[::1' is not a URL: Invalid IPv6 URL"),
        ("http://x:abc/", "'http://x:abc/' is not a URL: Port could not be cast"),
        ("https://x:99999/", "'https://x:99999/' is not a URL: Port out of range"),
        ("http://", "'http://' names no host"),
        ("http:///hook", "'http:///hook' names no host"),
        (
            "http://ex ample.org/",
            "'http://ex ample.org/' has a space or control character (U+0020)",
        ),
        ("http://x/\r\nX-Injected: 1", "'http://x/\\r\\nX-Injected: 1' has a space or control"),
        ("ftp://x/", "unsupported scheme 'ftp'"),
    ],
)
def test_a_webhook_url_that_cannot_be_sent_to_is_refused_at_once(url: str, problem: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        WebhookNotifier(url, secret=SECRET)
    assert str(caught.value).startswith(f"WebhookNotifier.url: {problem}")


def test_a_webhook_url_from_the_environment_that_is_not_one_exits_2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GESPREKSCYCLUS_WEBHOOK_URL", "http://[::1")
    monkeypatch.setenv("GESPREKSCYCLUS_WEBHOOK_SECRET", SECRET)
    code, out, err = run_cli(["tick", "--db", "memory:", "--design", DESIGN, "--notify", "webhook"])
    assert (code, out) == (2, "")
    assert err.startswith("error: WebhookNotifier.url: 'http://[::1' is not a URL: Invalid IPv6")


@pytest.mark.parametrize(
    "url", ["https://hooks.example.org/a?b=c", "http://[::1]:8080/x", "http://127.0.0.1:9/"]
)
def test_a_webhook_url_that_can_be_sent_to_is_taken(url: str) -> None:
    assert WebhookNotifier(url, secret=SECRET).url == url


# --- None where text is required -------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"id": "z-1", "name": None}, "Person.name"),
        ({"id": None, "name": "Zoë", "manager_id": "m-1"}, "Person.id"),
    ],
)
def test_a_person_without_a_required_text_is_refused(fields: dict[str, object], path: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        Person(hire_date=date(2020, 1, 1), **fields)  # type: ignore[arg-type]
    assert str(caught.value) == f"{path}: must be text, got None"


def test_an_optional_text_may_still_be_left_out() -> None:
    person = Person(id="z-1", name="Zoë", hire_date=date(2020, 1, 1), manager_id=None, team=None)
    assert (person.manager_id, person.team) == (None, None)


def test_a_note_without_text_is_refused_and_nothing_is_stored() -> None:
    service = _planned_pair()
    talk = service.conversations_of("e-1", reader="m-1")[0]
    with pytest.raises(InvalidValueError, match=r"^text: must be text, got None$"):
        service.add_note(talk.id, "m-1", None)  # type: ignore[arg-type]
    assert service.conversation(talk.id, reader="m-1").notes == ()


# --- a store written by a later release -----------------------------------------------------


def test_a_sqlite_store_with_a_newer_schema_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    open_store(f"sqlite:///{path}").close()
    newer = SQLITE_MIGRATIONS[-1][0] + 1
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("INSERT INTO schema_version (version) VALUES (?)", (newer,))
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        open_store(f"sqlite:///{path}")
    assert str(caught.value).startswith(
        f"sqlite store {str(path)!r}: refused: the store's schema is at version {newer}, newer"
        " than this version of gesprekscyclus"
    )
    code, out, err = run_cli(["tick", "--db", f"sqlite:///{path}", "--design", DESIGN])
    assert (code, out) == (2, "")
    assert err.startswith(f"error: sqlite store {str(path)!r}: refused: the store's schema is")
    assert path.read_bytes() == before


# --- a cycle that starts on 29 February -----------------------------------------------------


def test_the_design_document_of_a_cycle_from_29_february_covers_a_year(tmp_path: Path) -> None:
    path = tmp_path / "leap.toml"
    text = Path(DESIGN).read_text(encoding="utf-8")
    path.write_text(text.replace("cycle_start = 2027-01-01", "cycle_start = 2024-02-29"), "utf-8")
    people = str(directory() / "people.csv")
    code, out, err = run_cli(["describe", str(path), "--people", people, "--lang", "en"])
    assert (code, err) == (0, "")
    assert "Thursday 29 February 2024 – Thursday 27 February 2025" in out


# --- answers whose repr is huge, deep or fails ----------------------------------------------


def _deep(levels: int) -> list[object]:
    top: list[object] = []
    inner = top
    for _ in range(levels):
        nested: list[object] = []
        inner.append(nested)
        inner = nested
    return top


_ANSWERS = st.one_of(
    st.integers(),
    st.just(10**5000),
    st.just([10**5000]),
    st.just(_deep(5000)),
    st.just(list(range(200_000))),
    st.just("x" * 1_000_000),
    st.floats(),
    st.none(),
    st.booleans(),
    st.text(max_size=20),
    st.lists(st.text(max_size=5) | st.integers(), max_size=5),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    st.binary(max_size=5),
)


@pytest.fixture(scope="module")
def answering() -> tuple[ConversationService, str, tuple[str, ...]]:
    service = _planned_pair()
    talk = service.conversations_of("e-1", reader="m-1")[0]
    keys = tuple(q.key for q in service.questions_for(talk.id, reader="m-1").questions)
    return service, talk.id, keys


@fuzz
@given(value=_ANSWERS, which=st.integers(0, 10))
def test_any_answer_is_stored_or_refused_with_a_short_message(
    answering: tuple[ConversationService, str, tuple[str, ...]], value: object, which: int
) -> None:
    service, talk, keys = answering
    key = keys[which % len(keys)]
    try:
        service.record_answers(talk, "m-1", {key: value})  # type: ignore[dict-item]
    except InvalidValueError as error:
        message = str(error)
    else:
        message = "stored"
    assert len(message) < 400


# --- a store whose documents were damaged outside it ----------------------------------------


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        ("{bad", "the stored document is not JSON: Expecting property name enclosed in"),
        # Too deep for the JSON reader of some interpreters; others read it, and it is no object.
        (
            "[" * 5000 + "]" * 5000,
            (
                "the stored document nests too deeply to read @ $",
                "the stored document is a JSON array, not an object @ $",
            ),
        ),
        ("9" * 5000, "the stored document is not JSON: Exceeds the limit"),
        ("[1, 2]", "the stored document is a JSON array, not an object @ $"),
        ('"text"', "the stored document is a JSON string, not an object @ $"),
    ],
)
def test_a_damaged_stored_document_is_a_serialization_error(
    damage: str, problem: str | tuple[str, ...], tmp_path: Path
) -> None:
    path = tmp_path / "store.db"
    _planned_pair(open_store(f"sqlite:///{path}")).store.close()
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE people SET data = ? WHERE id = 'e-1'", (damage,))
        connection.execute("UPDATE conversations SET data = ? WHERE employee_id = 'e-1'", (damage,))
    store = open_store(f"sqlite:///{path}")
    with store.unit_of_work() as uow:
        with pytest.raises(SerializationError) as person:
            uow.people.get("e-1")
        with pytest.raises(SerializationError) as talks:
            uow.conversations.by_employee("e-1")
    store.close()
    problems = (problem,) if isinstance(problem, str) else problem
    # Each names the table and the row the damaged document is in.
    assert str(person.value).startswith(
        tuple(f"Person: people row 'e-1': {one}" for one in problems)
    )
    talk = re.match(r"Conversation: conversations row '([^']+)': (.*)$", str(talks.value))
    assert talk is not None, talks.value
    assert talk.group(2).startswith(problems)
    with contextlib.closing(sqlite3.connect(path)) as connection:
        owner = connection.execute(
            "SELECT employee_id FROM conversations WHERE id = ?", talk.groups()[:1]
        )
        assert owner.fetchall() == [("e-1",)]
    db = f"sqlite:///{path}"
    for argv in (
        ["export-person", "--db", db, "--person", "e-1"],
        ["export-ics", "--db", db, "--manager", "m-1"],
    ):
        code, out, err = run_cli(argv)
        assert (code, out) == (2, ""), err
        assert err.startswith(
            (
                "error: Person: people row 'e-1': the stored",
                "error: Conversation: conversations row",
            )
        ), err
