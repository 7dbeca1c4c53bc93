"""The hostile corpus of the design loader and the planning commands (tests/hostile/design).

All cases run in one child process, each with the work it does counted in Python function
calls (``sys.setprofile``): a bound on counted work holds on any machine, where a bound on
time would not. The child's timeout only guards against a hang. See the corpus README.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest

from gesprekscyclus.cli import main
from gesprekscyclus.examples import directory

CORPUS = Path(__file__).parent / "hostile" / "design"
CASES: dict[str, dict[str, Any]] = tomllib.loads((CORPUS / "cases.toml").read_text("utf-8"))
#: The most Python function calls one case may make (the largest needs about a tenth).
WORK_BUDGET = 2_000_000
#: Only a guard against a hang of the child process, never a measure of speed.
HANG_GUARD_SECONDS = 900
_NOT_CASES = {"cases.toml", "README.md", "support"}


def _placed(text: str) -> str:
    """``text`` with the corpus folder and the reference example files filled in."""
    examples = directory()
    for key, value in {
        "{corpus}": str(CORPUS),
        "{design}": str(examples / "reference-design.toml"),
        "{people}": str(examples / "people.csv"),
        "{events}": str(examples / "events.csv"),
    }.items():
        text = text.replace(key, value)
    return text


def _arguments(name: str) -> list[str]:
    if not name.endswith(".args"):
        return ["validate", str(CORPUS / name)]
    return [_placed(argument) for argument in json.loads((CORPUS / name).read_text("utf-8"))]


def run_case(name: str) -> dict[str, Any]:
    """Run one case in this process: exit code, output, counted calls, files written."""
    calls = 0

    def count(_frame: object, event: str, _arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            sys.setprofile(count)
            try:
                code: object = main(_arguments(name))
            except SystemExit as stop:  # an argparse usage error
                code = f"SystemExit({stop.code})"
            except BaseException as error:  # reported as the result, not hidden
                code = f"raised {type(error).__name__}: {error}"
            finally:
                sys.setprofile(None)
        written = sorted(os.listdir(folder))
    return {"code": code, "out": out.getvalue(), "err": err.getvalue(), "calls": calls,
            "written": written}  # fmt: skip


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Any]]:
    """Every case's result, from one child process."""
    script = (
        "import json; from tests.test_hostile_design import CASES, run_case; "
        "print(json.dumps({name: run_case(name) for name in sorted(CASES)}))"
    )
    child = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        cwd=Path(__file__).parent.parent,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    found: dict[str, dict[str, Any]] = json.loads(child.stdout)
    return found


def test_every_case_has_an_expectation() -> None:
    files = {path.name for path in CORPUS.iterdir()} - _NOT_CASES
    assert files == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_case_is_refused_with_a_typed_error_in_bounded_work(
    name: str, results: dict[str, dict[str, Any]]
) -> None:
    result = results[name]
    assert result["code"] == 2, result
    assert result["out"] == ""
    lines = result["err"].splitlines()
    assert lines
    assert all(line.startswith("error: ") for line in lines), lines
    for expected in CASES[name]["expect"]:
        text = _placed(expected.replace("{file}", str(CORPUS / name)))
        assert any(line.startswith("error: " + text) for line in lines), (text, lines)
    assert result["written"] == []
    assert result["calls"] <= WORK_BUDGET, result["calls"]
