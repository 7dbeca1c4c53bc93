"""Hostile file names, limits and output files: the readers and writers behind the commands.

Whatever a user names (a name with a NUL character or a lone surrogate, a folder, a device)
and whatever limit is set, a reader returns what it read or raises the library's typed error
naming the file, and a writer either writes the whole file or leaves none behind. The
command line reports either on standard error with exit code 2, never with a traceback.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import traceback
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus._files import read_at_most
from gesprekscyclus.cli import main
from gesprekscyclus.errors import DesignError
from gesprekscyclus.examples import directory
from gesprekscyclus.planning.design_file import load_design
from gesprekscyclus.planning.design_text import DesignLimits
from gesprekscyclus.planning.people_file import CsvLimits, read_events, read_people

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
