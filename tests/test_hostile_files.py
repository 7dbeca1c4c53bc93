"""Hostile file names, limits and output files: the readers and writers behind the commands.

Whatever a user names (a name with a NUL character or a lone surrogate, a folder, a device)
and whatever limit is set, a reader returns what it read or raises the library's typed error
naming the file, and a writer either writes the whole file or leaves none behind. The
command line reports either on standard error with exit code 2, never with a traceback.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import stat
import subprocess
import sys
import tempfile
import traceback
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus._files import read_at_most, write_whole
from gesprekscyclus.adapters.sqlite import open_sqlite_store
from gesprekscyclus.cli import main
from gesprekscyclus.domain.people import Person
from gesprekscyclus.errors import DesignError
from gesprekscyclus.examples import directory
from gesprekscyclus.planning.design_file import (
    dump_design,
    load_design,
    parse_design,
    read_design_text,
    validate_design_text,
)
from gesprekscyclus.planning.design_text import DesignLimits
from gesprekscyclus.planning.people_file import CsvLimits, read_events, read_people
from gesprekscyclus.ports.clock import FixedClock
from gesprekscyclus.service.app import ConversationService

from .fuzzing import fuzz

EXAMPLES = directory()
DESIGN = str(EXAMPLES / "reference-design.toml")
PEOPLE = str(EXAMPLES / "people.csv")
EVENTS = str(EXAMPLES / "events.csv")


def run_cli(argv: list[str]) -> tuple[object, str, str]:
    """Exit code (or how it failed), standard output and standard error of one command."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: object = main(argv)
        except SystemExit as stop:
            code = f"SystemExit({stop.code})"
        except Exception:
            code = "raised"
            err.write(traceback.format_exc())
    return code, out.getvalue(), err.getvalue()


# --- reading --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a\x00b.csv", "a\ud800b.csv"])
def test_a_name_the_system_cannot_take_is_a_file_that_cannot_be_read(name: str) -> None:
    with pytest.raises(DesignError) as people:
        read_people(name)
    with pytest.raises(DesignError) as events:
        read_events(name)
    with pytest.raises(DesignError) as design:
        load_design(name)
    for error in (people.value, events.value, design.value):
        (problem,) = error.problems
        assert problem.file == name
        assert problem.message.startswith("cannot be read: the name ")


def test_a_terabyte_limit_reads_a_small_file_without_reserving_a_terabyte() -> None:
    # The limit is only a bound: reading used to ask for limit + 1 bytes of memory at once.
    people = read_people(PEOPLE, limits=CsvLimits(max_bytes=2**40))
    assert people == read_people(PEOPLE)
    design = load_design(DESIGN, limits=DesignLimits(max_bytes=2**40))
    assert design == load_design(DESIGN)


@fuzz
@given(st.binary(max_size=3000), st.integers(0, 4000))
def test_reading_at_most_a_limit_is_the_start_of_the_file(data: bytes, limit: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "data"
        path.write_bytes(data)
        assert read_at_most(path, limit) == data[: limit + 1]


@fuzz
@given(st.text(max_size=30))
def test_any_name_of_a_people_file_reads_or_raises_a_design_error_naming_it(name: str) -> None:
    try:
        read_people(name)
    except DesignError as error:
        files = {problem.file for problem in error.problems}
    else:
        files = {name}
    assert files == {name}


@fuzz
@given(st.text(max_size=30).filter(lambda name: name.strip() and not name.startswith("-")))
def test_the_command_line_never_shows_a_traceback_for_any_file_name(name: str) -> None:
    for argv in (
        ["validate", name],
        ["validate", DESIGN, "--people", name],
        ["validate", DESIGN, "--people", PEOPLE, "--events", name],
        ["describe", name],
    ):
        code, out, err = run_cli(argv)
        assert "Traceback" not in err, err
        if code != 0:
            assert code == 2, (argv, code, err)
            assert out == ""
            assert err.startswith("error: "), err


# --- writing ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("store") / "cli.sqlite"
    store = open_sqlite_store(path)
    clock = FixedClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    service = ConversationService(store, clock, design=load_design(DESIGN))
    service.hire(Person(id="m-1", name="Mila", hire_date=date(2019, 1, 1)))
    service.hire(Person(id="e-1", name="Eva", hire_date=date(2023, 1, 1), manager_id="m-1"))
    service.materialise(date(2026, 1, 1), date(2026, 12, 31))
    store.close()
    return f"sqlite:///{path}"


#: Each export command, without its ``--db`` and ``--out``.
OUTPUTS = {
    "export-ics": ["export-ics", "--manager", "m-1"],
    "export-person": ["export-person", "--person", "e-1"],
}


@pytest.mark.parametrize("command", ["export-ics", "export-person"])
@pytest.mark.parametrize(
    ("out", "reason"),
    [
        ("{folder}", "Is a directory"),
        ("{folder}/missing/x.out", "No such file or directory"),
        ("{folder}/a-file/x.out", "Not a directory"),
        ("{folder}/x\x00.out", "the name contains a NUL character"),
        ("/dev/full", "No space left on device"),
    ],
)
def test_an_output_file_that_cannot_be_written_is_an_error_of_out(
    command: str, out: str, reason: str, db: str, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("keep me", encoding="utf-8")
    if out == "/dev/full" and not Path(out).exists():
        pytest.skip("/dev/full (a device that is always full) exists on Linux only")
    target = out.format(folder=tmp_path)
    argv = [*OUTPUTS[command], "--db", db, "--out", target]
    code, stdout, err = run_cli(argv)
    assert (code, stdout) == (2, ""), err
    assert err == f"error: --out: cannot write {target!r}: {reason}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-file"]  # nothing left over


@pytest.mark.parametrize("command", ["export-ics", "export-person"])
def test_an_output_file_is_replaced_whole_or_not_at_all(
    command: str, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "export.out"
    target.write_text("the previous export", encoding="utf-8")
    argv = [*OUTPUTS[command], "--db", db, "--out", str(target)]

    def full_disk(_descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)  # fails after the data went to the file
    code, _, err = run_cli(argv)
    assert code == 2
    assert err == f"error: --out: cannot write {str(target)!r}: No space left on device\n"
    assert target.read_text(encoding="utf-8") == "the previous export"
    assert [path.name for path in tmp_path.iterdir()] == ["export.out"]  # no temporary left
    monkeypatch.undo()
    code, _, err = run_cli(argv)
    assert (code, err) == (0, "")
    assert target.read_text(encoding="utf-8") != "the previous export"


def test_an_output_file_behind_a_link_is_written_where_the_link_points(
    db: str, tmp_path: Path
) -> None:
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    code, _, err = run_cli(["export-person", "--person", "e-1", "--db", db, "--out", str(link)])
    assert (code, err) == (0, "")
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith("{")


@pytest.mark.parametrize(
    ("out", "expected"),
    [
        (
            "{folder}/a-file",
            "error: --out: '{folder}/a-file' cannot be a folder: '{folder}/a-file' is a file\n",
        ),
        (
            "{folder}/a-file/sub",
            "error: --out: '{folder}/a-file/sub' cannot be a folder: '{folder}/a-file' is a file\n",
        ),
        ("{folder}/x\x00", "error: --out: contains a NUL character at position {nul}\n"),
        (
            "{folder}/" + "x" * 300,
            "error: --out: '{folder}/" + "x" * 300 + "' cannot be a folder: File name too long\n",
        ),
    ],
)
def test_a_demo_folder_that_cannot_be_one_is_refused_before_the_demo_stores_anything(
    out: str, expected: str, tmp_path: Path
) -> None:
    (tmp_path / "a-file").write_text("keep me", encoding="utf-8")
    target = out.format(folder=tmp_path)
    store = tmp_path / "demo.sqlite"
    code, stdout, err = run_cli(["demo", "--db", f"sqlite:///{store}", "--out", target])
    assert (code, stdout) == (2, "")
    assert err == expected.format(folder=tmp_path, nul=len(str(tmp_path)) + 2)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a-file"]


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_design_file_with_a_byte_order_mark_reads_as_without_one(
    suffix: str, tmp_path: Path
) -> None:
    # Windows editors write one before UTF-8; the people and events files already skip it.
    plain = tmp_path / f"plain{suffix}"
    if suffix == ".json":
        plain.write_text(dump_design(load_design(DESIGN), fmt="json"), encoding="utf-8")
    else:
        plain.write_bytes(Path(DESIGN).read_bytes())
    marked = tmp_path / f"marked{suffix}"
    marked.write_bytes(codecs.BOM_UTF8 + plain.read_bytes())
    assert load_design(marked) == load_design(plain)
    assert read_design_text(marked) == read_design_text(plain)
    code, out, err = run_cli(["validate", str(marked)])
    assert (code, err) == (0, ""), err
    assert out.startswith(f"{marked}: valid\n")


def test_a_byte_that_is_not_utf8_after_a_byte_order_mark_is_counted_in_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "design.toml"
    path.write_bytes(codecs.BOM_UTF8 + b'name = "x"\nbad = "\xff"\n')
    with pytest.raises(DesignError) as caught:
        load_design(path)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{path}:2: is not UTF-8 text (byte 22)"  # 1-based, the mark included
    ]


def test_an_events_file_read_from_a_pipe_has_the_lines_of_its_problems() -> None:
    # The events are read once: the design's problems with them come with their lines too.
    no_absence = Path(__file__).parent / "hostile" / "design" / "support" / "no-absence-design.toml"
    finished = subprocess.run(
        [sys.executable, "-m", "gesprekscyclus", "validate", str(no_absence),
         "--people", PEOPLE, "--events", "/dev/stdin"],
        input=Path(EVENTS).read_bytes(),
        capture_output=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert finished.returncode == 2
    assert finished.stdout == b""
    assert finished.stderr.decode().startswith("error: /dev/stdin:2: kind: 6 sick reports")


# --- standard output ------------------------------------------------------------------------


def test_output_that_standard_output_cannot_encode_is_an_error_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A terminal or PYTHONIOENCODING in ASCII or Latin-1, and a design text beyond it.
    written = io.BytesIO()
    stdout = io.TextIOWrapper(written, encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stdout)
    code = main(["describe", DESIGN])
    stdout.flush()
    assert code == 2
    assert written.getvalue() == b""
    assert capsys.readouterr().err == (
        "error: standard output (encoding ascii) cannot hold the character 'é' (U+00E9) of the "
        "output; nothing was written; set PYTHONIOENCODING=utf-8 or write to a file\n"
    )


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_reader_that_stops_early_ends_the_command_quietly(fmt: str) -> None:
    # As `gesprekscyclus plan ... | head`: the streamed output meets a closed pipe.
    argv = ["plan", DESIGN, "--people", PEOPLE, "--from", "2027-01-01", "--until", "2027-12-31"]
    with subprocess.Popen(
        [sys.executable, "-m", "gesprekscyclus", *argv, "--format", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.read(100)
        process.stdout.close()
        err = process.stderr.read()
        code = process.wait(timeout=600)
    assert (code, err) == (141, b"")


@pytest.mark.parametrize("mode", [0o600, 0o640])
def test_a_replaced_output_file_keeps_its_permissions(mode: int, tmp_path: Path) -> None:
    target = tmp_path / "export.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(mode)
    write_whole(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_a_new_output_file_gets_the_permissions_open_would_give(tmp_path: Path) -> None:
    target = tmp_path / "new.json"
    mask = os.umask(0o027)
    try:
        write_whole(target, b"new")
    finally:
        os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_design_text_that_starts_with_a_byte_order_mark_parses_as_without_one() -> None:
    # As read by an application with open(path, encoding="utf-8"): the mark is U+FEFF.
    text = Path(DESIGN).read_text(encoding="utf-8")
    assert parse_design("\ufeff" + text, source="d.toml") == parse_design(text, source="d.toml")
    assert validate_design_text("\ufeff" + text, source="d.toml") == []


def test_an_encoding_error_of_other_text_is_not_blamed_on_standard_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing(*_args: object, **_kwargs: object) -> str:
        return "\ud800".encode("utf-8").decode()  # a bug elsewhere, not the terminal

    monkeypatch.setattr("gesprekscyclus.cli.design.design_document", failing)
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    with pytest.raises(UnicodeEncodeError):
        main(["describe", DESIGN])


def test_ctrl_c_ends_a_command_with_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import gesprekscyclus.cli.demo as demo_command  # noqa: PLC0415

    def interrupted(_args: object, _out: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(demo_command, "_run", interrupted)
    assert main(["demo"]) == 130
    assert capsys.readouterr() == ("", "interrupted\n")
