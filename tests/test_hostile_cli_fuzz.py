"""Fuzz target for the whole command line: any command with any hostile option values.

Whatever the arguments, a command exits with 0 (it worked) or 2 (standard error says what is
wrong, every line an ``error: ``, and standard output stays empty): never a traceback. Each
example runs in a fresh working folder, so the SQLite stores and files it writes vanish.
Longer runs as for every fuzz target: ``GESPREKSCYCLUS_FUZZ=<number>``.
"""

from __future__ import annotations

import contextlib
import tempfile

from hypothesis import given
from hypothesis import strategies as st

from gesprekscyclus.examples import directory

from .fuzzing import fuzz
from .test_hostile_files import run_cli

EXAMPLES = directory()
DESIGN = str(EXAMPLES / "reference-design.toml")
PEOPLE = str(EXAMPLES / "people.csv")
EVENTS = str(EXAMPLES / "events.csv")

#: Values that have broken commands before, and some that work.
_VALUES = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1e3",
        "nan",
        "inf",
        "9" * 30,
        "\x00",
        "a\x00b",
        "\u2028",
        "\ud800",
        "\udcff",
        "\u0663",
        "\u00b2",
        "0000-00-00",
        "0001-01-01",
        "9999-12-31",
        "2027-02-29",
        "2026-13-01",
        "2026-01-01T25:00",
        "2026-01-01T00:00+25:00",
        "2026-01-01:long",
        "2026-01-01:",
        "::",
        "x" * 3000,
        "/dev/null",
        "/",
        ".",
        "memory:",
        "sqlite:///",
        "sqlite:///store.db",
        "sqlite:///a\x00.db",
        "sqlite:///missing/store.db",
        "mysql://x",
        "m-01",
        "e-1",
        "all",
        "table",
        "csv",
        "json",
        "html",
        "nl",
        "long",
        DESIGN,
        PEOPLE,
        EVENTS,
        "2026-01-01",
        "2026-02-01",
    ]
)

#: Each command with the options it takes ("" for the positional argument).
COMMANDS: dict[str, tuple[str, ...]] = {
    "validate": ("", "--people", "--events", "--max-design-bytes"),
    "plan": ("", "--people", "--events", "--from", "--until", "--format", "--show", "--locale"),
    "absence-timeline": ("--first-sick-day", "--recovered", "--prognosis", "--until", "--format"),
    "describe": ("", "--lang", "--format", "--people", "--events"),
    "demo": ("--today", "--out"),
    "tick": ("--db", "--design", "--hr", "--horizon-days", "--now", "--table-prefix"),
    "export-ics": ("--db", "--design", "--manager", "--person", "--out"),
    "purge": ("--db", "--design", "--now"),
    "erase-person": ("--db", "--person", "--reason"),
    "export-person": ("--db", "--person", "--out"),
    "design apply": ("", "--db", "--by", "--horizon-days"),
    "design show": ("--db",),
}


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(sorted(COMMANDS)))
    argv = command.split()
    if command == "demo":
        argv += ["--db", "memory:"]  # the demo's own store would make examples slow
    for option in COMMANDS[command]:
        if not draw(st.booleans()):
            continue
        value = draw(_VALUES)
        if not option:
            argv.append(value)
        elif draw(st.booleans()):
            argv.append(f"{option}={value}")
        else:
            argv += [option, value]
    return argv


@fuzz
@given(command_lines())
def test_no_command_line_ends_in_a_traceback(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        code, out, err = run_cli(argv)
    assert "Traceback" not in err, err
    assert code in (0, 2, "SystemExit(0)", "SystemExit(2)"), (code, err)
    if code == 2:
        assert out == ""
        assert err.startswith("error: "), err
