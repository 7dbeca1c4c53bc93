"""The demo and the service commands, end to end on real SQLite files."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gesprekscyclus.cli import main
from gesprekscyclus.examples import DESIGN_FILE, directory

DESIGN = str(directory() / DESIGN_FILE)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_demo_runs_the_main_job_and_sends_nothing_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    feeds = tmp_path / "feeds"
    args = ("demo", "--db", db, "--today", "2027-01-04", "--out", str(feeds))
    code, first, err = run(capsys, *args)
    assert code == 0, err
    assert "1. The organisation" in first
    assert "6. Calendar feeds" in first
    assert "preparation -> " in first
    sent_first = int(first.split(" sent now")[0].rsplit("; ", 1)[1])
    assert sent_first > 0
    feed_files = sorted(feeds.glob("*.ics"))
    assert len(feed_files) == 9
    assert feed_files[0].read_bytes().startswith(b"BEGIN:VCALENDAR")

    code, second, _ = run(capsys, *args)
    assert code == 0
    assert "0 added" in second
    assert "0 sent now" in second
    assert "are not sent twice" in second
    assert "preparation -> " not in second


def test_tick_materialises_reminds_and_dispatches_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'tick.sqlite'}"
    args = ("tick", "--db", db, "--design", DESIGN, "--now", "2027-01-04T07:00:00+00:00")
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "added" in out
    sent = int(out.split("dispatched: ")[1].split(" sent")[0])
    assert sent == 0  # nobody exists yet: people come from the embedding system


def test_tick_rejects_bad_input_without_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'x.sqlite'}"
    code, out, err = run(capsys, "tick", "--db", db, "--design", DESIGN, "--now", "tomorrow")
    assert (code, out) == (2, "")
    assert "--now" in err
    code, out, err = run(capsys, "tick", "--db", "mysql://x", "--design", DESIGN)
    assert (code, out) == (2, "")
    assert "allowed" in err
    code, out, err = run(capsys, "tick", "--db", db, "--design", str(tmp_path / "none.toml"))
    assert (code, out) == (2, "")
    assert "none.toml" in err


def test_export_ics_writes_a_feed_a_calendar_can_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    icalendar = pytest.importorskip("icalendar", reason="the ics extra is not installed")
    db = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    assert run(capsys, "demo", "--db", db, "--today", "2027-01-04", "--out", str(tmp_path))[0] == 0
    out_file = tmp_path / "m-01-export.ics"
    code, out, err = run(
        capsys,
        "export-ics",
        "--db",
        db,
        "--design",
        DESIGN,
        "--manager",
        "m-01",
        "--out",
        str(out_file),
    )
    assert code == 0, err
    calendar = icalendar.Calendar.from_ical(out_file.read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert events
    assert all(str(event["UID"]).endswith("@gesprekscyclus") for event in events)
    assert f"{len(events)} conversations" in out

    code, out, err = run(
        capsys, "export-ics", "--db", db, "--design", DESIGN, "--manager", "nobody"
    )
    assert (code, out) == (2, "")
    assert "nobody" in err


def test_worker_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'worker.sqlite'}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gesprekscyclus",
            "worker",
            "--db",
            db,
            "--design",
            DESIGN,
            "--interval",
            "0.2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "worker.sqlite").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.0)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, err
    assert "worker stopped" in out


def test_a_worker_on_a_file_the_store_refuses_ends_at_once_instead_of_retrying(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crm.db"
    with contextlib.closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE customers (name TEXT)")
    before = path.read_bytes()
    worker = subprocess.run(
        [
            sys.executable,
            "-m",
            "gesprekscyclus",
            "worker",
            "--db",
            f"sqlite:///{path}",
            "--design",
            DESIGN,
            "--interval",
            "0.2",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert worker.returncode == 2, worker.stderr
    assert "refused: the file is not a gesprekscyclus store" in worker.stderr
    assert "Traceback" not in worker.stderr
    assert path.read_bytes() == before
