"""``purge``, ``erase-person`` and ``export-person`` on a real SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.cli import main
from gesprekscyclus.domain.people import Person
from gesprekscyclus.examples import DESIGN_FILE, directory
from gesprekscyclus.planning.design_file import load_design
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.service.app import ConversationService

DESIGN = str(directory() / DESIGN_FILE)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "cli.sqlite"
    store = open_sqlite_store(path)
    clock = FixedClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    service = ConversationService(store, clock, design=load_design(DESIGN))
    service.hire(Person(id="m-1", name="Mila", hire_date=date(2019, 1, 1)))
    service.hire(Person(id="e-1", name="Eva Export", hire_date=date(2023, 1, 1), manager_id="m-1"))
    service.give_notice("m-1", on=date(2026, 1, 1), last_day=date(2026, 1, 31))
    service.materialise(date(2026, 1, 1), date(2026, 12, 31))
    store.close()
    return f"sqlite:///{path}"


def test_export_person_writes_the_document(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "export-person", "--db", db, "--person", "e-1")
    assert code == 0, err
    document = json.loads(out)
    assert document["person"]["name"] == "Eva Export"
    assert document["format"] == "gesprekscyclus.person-export"
    assert document["conversations"]
    target = tmp_path / "e-1.json"
    code, out, _ = run(capsys, "export-person", "--db", db, "--person", "e-1", "--out", str(target))
    assert (code, out) == (0, f"{target}: export of e-1\n")
    assert json.loads(target.read_text(encoding="utf-8"))["person"]["id"] == "e-1"


def test_purge_counts_with_a_dry_run_then_removes(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("purge", "--db", db, "--design", DESIGN, "--now", "2028-02-01")
    code, out, err = run(capsys, *args, "--dry-run")
    assert code == 0, err
    assert out.splitlines()[0] == f"retention: {DESIGN}"
    assert "would remove: people 0" in out  # Mila still manages Eva
    assert "kept: m-1: still the manager of e-1" in out
    code, out, _ = run(capsys, "purge", "--db", db, "--now", "2028-02-01", "--compact")
    assert code == 0
    assert out.startswith("retention: built-in defaults (no --design given)\nremoved: ")


def test_erase_person_removes_everything_and_reports_it(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("erase-person", "--db", db, "--person", "e-1", "--reason", "request of 5 Jan")
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert out.startswith("erased e-1 at ")
    assert "removed: people 1, life_events 1," in out
    assert "not compacted" not in out
    code, out, err = run(capsys, "export-person", "--db", db, "--person", "e-1")
    assert (code, out) == (2, "")
    assert "person 'e-1' does not exist" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("erase-person", "--person", "e-1", "--reason", " "), "--reason: must not be blank"),
        (("erase-person", "--person", "m-1", "--reason", "r"), "still the manager of e-1"),
        (("export-person", "--person", " "), "--person: must not be blank"),
        (("purge", "--now", "yesterday"), "--now: 'yesterday' is not an ISO 8601"),
        (("export-person", "--person", "e-1", "--out", "/nonexistent/x.json"), "cannot write"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_nothing_on_stdout(
    db: str, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    code, out, err = run(capsys, args[0], "--db", db, *args[1:])
    assert (code, out) == (2, "")
    assert message in err


def test_a_missing_store_url_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GESPREKSCYCLUS_DB", raising=False)
    code, out, err = run(capsys, "purge")
    assert (code, out) == (2, "")
    assert "--db: give a store URL" in err


def test_export_erase_and_purge_work_on_the_demo_s_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.sqlite"
    db = f"sqlite:///{path}"
    demo = ("demo", "--db", db, "--today", "2026-11-30", "--out", str(tmp_path / "feeds"))
    code, _out, err = run(capsys, *demo)
    assert code == 0, err
    code, out, err = run(capsys, "export-person", "--db", db, "--person", "e-05")
    assert code == 0, err
    person = json.loads(out)["person"]
    assert person["name"].encode() in path.read_bytes()
    code, out, err = run(capsys, "erase-person", "--db", db, "--person", "e-05", "--reason", "r")
    assert code == 0, err
    assert "not compacted" not in out
    for part in tmp_path.glob("demo.sqlite*"):
        data = part.read_bytes()
        assert person["name"].encode() not in data
        assert person["email"].encode() not in data
    code, out, err = run(capsys, "purge", "--db", db, "--design", DESIGN, "--dry-run")
    assert code == 0, err
    assert out.startswith(f"retention: {DESIGN}\nwould remove: people ")
