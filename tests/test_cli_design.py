"""``design apply`` / ``design show``, and tick and worker reading the design from the store.

End to end on real SQLite files: the people come from the embedding system (here: the
service), the design is applied once through the command line.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from gesprekscyclus.bootstrap import build_service
from gesprekscyclus.cli import main
from gesprekscyclus.domain.people import Person
from gesprekscyclus.examples import DESIGN_FILE, directory
from gesprekscyclus.planning.design_file import load_design
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.service.app import ConversationService
from gesprekscyclus.service.design import design_fingerprint

from .postgres_support import drop_schema, new_schema_name, open_store, require_postgres

DESIGN = directory() / DESIGN_FILE
NOW = "2027-01-04T07:00:00+00:00"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _store_with_people(path: Path) -> str:
    url = f"sqlite:///{path}"
    service = build_service(url, clock=FixedClock(datetime(2027, 1, 4, 7, tzinfo=UTC)))
    try:
        service.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)))
        service.hire(Person(id="e-1", name="Eva", hire_date=date(2020, 3, 1), manager_id="m-1"))
    finally:
        service.store.close()
    return url


def _changed(tmp_path: Path) -> Path:
    text = DESIGN.read_text(encoding="utf-8")
    changed = tmp_path / "changed.toml"
    changed.write_text(text.replace("carry_over_limit = 3", "carry_over_limit = 4"), "utf-8")
    assert changed.read_text("utf-8") != text
    return changed


def test_design_apply_previews_stores_and_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _store_with_people(tmp_path / "c.sqlite")
    fingerprint = design_fingerprint(load_design(DESIGN))[:12]

    code, out, err = run(capsys, "design", "show", "--db", db)
    assert (code, out) == (2, "")
    assert "no cycle design yet" in err
    assert "design apply" in err

    code, out, err = run(
        capsys, "design", "apply", str(DESIGN), "--db", db, "--dry-run", "--by", "hr-1", "--list"
    )
    assert code == 0, err
    assert f"would become version 1 ({fingerprint})" in out
    assert "dry run: nothing was stored" in out
    found = re.search(r"plan difference \S+: (\d+) appeared", out)
    assert found is not None, out
    appeared = int(found.group(1))
    assert appeared > 0
    assert out.count("  appeared ") == appeared
    assert run(capsys, "design", "show", "--db", db)[0] == 2  # still nothing stored

    code, out, err = run(capsys, "design", "apply", str(DESIGN), "--db", db, "--by", "hr-1")
    assert code == 0, err
    assert f"is now version 1 ({fingerprint})" in out
    assert "previous: none" in out
    assert f"materialised: {appeared} added" in out

    code, out, err = run(capsys, "design", "show", "--db", db)
    assert code == 0, err
    assert out.startswith(f"current: version 1 ({fingerprint}) 'Voorbeeld mkb")
    assert "by hr-1 (toml)" in out
    code, out, _ = run(capsys, "design", "show", "--db", db, "--source")
    assert out == DESIGN.read_text(encoding="utf-8")

    code, out, _ = run(capsys, "design", "apply", str(DESIGN), "--db", db, "--by", "hr-2")
    assert code == 0
    assert out == f"unchanged: the store's current design is version 1 ({fingerprint})\n"

    changed = _changed(tmp_path)
    code, out, err = run(capsys, "design", "apply", str(changed), "--db", db, "--by", "hr-2")
    assert code == 0, err
    assert "is now version 2" in out
    assert f"previous: version 1 ({fingerprint})" in out
    code, out, _ = run(capsys, "design", "show", "--db", db, "--history")
    assert out.count("  version ") == 2
    assert out.index("  version 2") < out.index("  version 1")


def test_design_apply_reports_every_problem_of_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _store_with_people(tmp_path / "c.sqlite")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\ncycle_start = 2027-01-01\n[types.chek_in]\n', "utf-8")
    code, out, err = run(capsys, "design", "apply", str(bad), "--db", db)
    assert (code, out) == (2, "")
    assert "bad.toml:3: types.chek_in: unknown conversation type" in err
    code, out, err = run(capsys, "design", "apply", str(tmp_path / "none.toml"), "--db", db)
    assert (code, out) == (2, "")
    assert "none.toml" in err


def test_tick_reads_the_stored_design_and_refuses_another(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _store_with_people(tmp_path / "c.sqlite")
    code, out, err = run(capsys, "tick", "--db", db, "--now", NOW)
    assert (code, out) == (2, "")
    assert "no cycle design yet" in err

    assert run(capsys, "design", "apply", str(DESIGN), "--db", db, "--by", "hr-1")[0] == 0
    code, out, err = run(capsys, "tick", "--db", db, "--now", NOW)
    assert code == 0, err
    assert "materialised: " in out
    assert "dispatched: " in out

    code, out, err = run(capsys, "tick", "--db", db, "--now", NOW, "--design", str(DESIGN))
    assert code == 0, err

    changed = _changed(tmp_path)
    code, out, err = run(capsys, "tick", "--db", db, "--now", NOW, "--design", str(changed))
    assert (code, out) == (2, "")
    given = design_fingerprint(load_design(changed))[:12]
    stored = design_fingerprint(load_design(DESIGN))[:12]
    assert f"fingerprint {given}" in err
    assert f"version 1 ({stored})" in err


def test_an_hr_option_that_contradicts_the_stored_design_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _store_with_people(tmp_path / "c.sqlite")
    with_hr = tmp_path / "hr.toml"
    with_hr.write_text(
        DESIGN.read_text("utf-8").replace("cycle_start =", 'hr_contact = "hr-1"\ncycle_start =', 1),
        "utf-8",
    )
    assert run(capsys, "design", "apply", str(with_hr), "--db", db, "--by", "hr-1")[0] == 0
    code, out, err = run(capsys, "tick", "--db", db, "--now", NOW, "--hr", "hr-2")
    assert (code, out) == (2, "")
    assert "--hr: 'hr-2' differs from the HR contact 'hr-1'" in err
    assert run(capsys, "tick", "--db", db, "--now", NOW, "--hr", "hr-1")[0] == 0


def test_a_worker_without_design_uses_the_stored_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "worker.sqlite"
    db = _store_with_people(path)
    assert run(capsys, "design", "apply", str(DESIGN), "--db", db, "--by", "hr-1")[0] == 0
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "gesprekscyclus", "worker", "--db", db, "--interval", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        time.sleep(2.0)
        assert worker.poll() is None, worker.communicate()[1]
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, err
    assert "worker stopped" in out


@pytest.mark.postgres
def test_design_apply_and_tick_on_postgresql(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = new_schema_name()
    store = open_store(schema, pool_size=1)  # creates and migrates the schema
    try:
        service = ConversationService(store, FixedClock(datetime(2027, 1, 4, 7, tzinfo=UTC)))
        service.hire(Person(id="m-1", name="Mia", hire_date=date(2015, 1, 1)))
        service.hire(Person(id="e-1", name="Eva", hire_date=date(2020, 3, 1), manager_id="m-1"))
        db = f"{require_postgres()}?options=-csearch_path%3D{schema}"
        code, out, err = run(capsys, "design", "apply", str(DESIGN), "--db", db, "--by", "hr-1")
        assert code == 0, err
        assert "is now version 1" in out
        code, out, err = run(capsys, "tick", "--db", db, "--now", NOW)
        assert code == 0, err
        assert "dispatched: " in out
        code, out, err = run(
            capsys, "tick", "--db", db, "--now", NOW, "--design", str(_changed(tmp_path))
        )
        assert (code, out) == (2, "")
        assert "version 1" in err
        with store.unit_of_work() as uow:
            (version,) = uow.designs.all()
            talks = uow.conversations.by_employee("e-1")
        assert version.applied_by == "hr-1"
        assert talks
        assert {talk.design_version for talk in talks} == {1}
    finally:
        store.close()
        drop_schema(schema)


@pytest.mark.parametrize(
    "command",
    [
        ["design", "show"],
        ["design", "show", "--history"],
        ["design", "apply", str(DESIGN), "--dry-run", "--by", "hr-1"],
        ["export-ics", "--person", "e-1"],
        ["export-person", "--person", "e-1"],
        ["purge", "--dry-run"],
    ],
    ids=lambda command: " ".join(command[:2]),
)
def test_a_command_that_only_reads_refuses_a_missing_store_and_makes_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    path = tmp_path / "new.db"
    code, out, err = run(capsys, *command, "--db", f"sqlite:///{path}")
    assert (code, out) == (2, "")
    assert err == (
        f"error: sqlite store {str(path)!r}: the file does not exist, and nothing was created:"
        " this opens an existing store only\n"
    )
    assert os.listdir(tmp_path) == []


def test_a_command_that_writes_still_creates_its_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.db"
    code, _, err = run(capsys, "design", "apply", str(DESIGN), "--db", f"sqlite:///{path}")
    assert code == 0, err
    assert path.is_file()
    code, out, err = run(capsys, "design", "show", "--db", f"sqlite:///{path}")
    assert code == 0, err
    assert out.startswith("current: version 1 ")
    tick = tmp_path / "tick.db"
    code, _, err = run(capsys, "tick", "--db", f"sqlite:///{tick}", "--design", str(DESIGN))
    assert code == 0, err
    assert tick.is_file()
