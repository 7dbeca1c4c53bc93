"""The hostile corpus: files and options that once crashed, hung or were wrongly accepted.

Each folder of ``tests/hostile/`` holds one file per case and a ``cases.toml`` that says
what must be reported (the webhook cases carry their expectation inside). For every case
the test asserts:

- the library raises a typed error of its hierarchy whose problems name the file, the line
  and the field (an entry of ``expect`` begins one of them);
- the command line exits with code 2, writes every expected problem to standard error and
  nothing to standard output, and writes no file (no store is created);
- nothing hangs: each folder runs in a child process with a generous timeout, which only
  guards against a hang and is never a timed assertion.

:data:`FOLDERS` is the table of CSV-like folders: a folder joins with one entry naming the
command that reads a case and the library function behind it. Large inputs are generated
at run time (:data:`GENERATED`) instead of being kept in the repository.

Run ``python -m tests.test_hostile_corpus FOLDER OUT`` to run one folder by hand.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tomllib
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gesprekscyclus.adapters.notifiers.webhook import is_valid_signature, verify_signature
from gesprekscyclus.errors import DesignError, GesprekscyclusError, SignatureError
from gesprekscyclus.examples import directory
from gesprekscyclus.planning.people_file import CsvLimits, read_events, read_people

ROOT = Path(__file__).parent
HOSTILE = ROOT / "hostile"
DESIGN = str(directory() / "reference-design.toml")
#: Generous: the slowest folder takes a few seconds; only a hang comes near this.
HANG_GUARD_SECONDS = 600
WEBHOOK_SECRET = b"corpus secret"
WEBHOOK_NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Folder:
    """A corpus folder: how the command line and the library read one of its cases."""

    command: Callable[[str], list[str]]
    #: Reads a case with the limits the command line would use.
    library: Callable[[str, CsvLimits], object]
    #: Files in the folder that are not cases.
    support: frozenset[str] = field(default=frozenset({"cases.toml"}))


def _events_people() -> str:
    return str(HOSTILE / "events" / "people.csv")


FOLDERS: dict[str, Folder] = {
    "people": Folder(
        command=lambda file: ["validate", DESIGN, "--people", file],
        library=lambda file, limits: read_people(file, limits=limits),
    ),
    "events": Folder(
        command=lambda file: ["validate", DESIGN, "--people", _events_people(), "--events", file],
        library=lambda file, limits: read_events(
            file, people=read_people(_events_people()), limits=limits
        ),
        support=frozenset({"cases.toml", "people.csv"}),
    ),
}


# --- generated cases: too large to keep as files -----------------------------------------

_PEOPLE_HEADER = "id,name,manager_id,hire_date\n"


def _chain_to_unknown_top(path: Path) -> None:
    rows = (
        f"p{i},P{i},{f'p{i + 1}' if i + 1 < 2000 else 'boss'},2020-01-01\n" for i in range(2000)
    )
    path.write_text(_PEOPLE_HEADER + "".join(rows), encoding="utf-8")


def _cycle(path: Path) -> None:
    rows = (f"p{i},P{i},p{(i + 1) % 2000},2020-01-01\n" for i in range(2000))
    path.write_text(_PEOPLE_HEADER + "".join(rows), encoding="utf-8")


def _name_of_50_mb(path: Path) -> None:
    with path.open("w", encoding="utf-8") as file:
        file.write(_PEOPLE_HEADER + "e-1,")
        for _ in range(50):
            file.write("x" * 1_000_000)
        file.write(",,2020-01-01\n")


def _delimiters_of_50_mb(path: Path) -> None:
    path.write_text(_PEOPLE_HEADER + "," * 50_000_000 + "\n", encoding="utf-8")


def _rows_over_limit(path: Path) -> None:
    rows = (f"p{i},P,,2020-01-01\n" for i in range(100_001))
    path.write_text(_PEOPLE_HEADER + "".join(rows), encoding="utf-8")


def _two_megabytes(path: Path) -> None:
    path.write_text(_PEOPLE_HEADER + "e-1,Anna,,2020-01-01\n" * 80_000, encoding="utf-8")


@dataclass(frozen=True)
class Generated:
    """A case written at run time (or an existing path such as ``/dev/zero``)."""

    folder: str
    expect: tuple[str, ...]
    write: Callable[[Path], None] | None = None
    path: str | None = None
    environment: dict[str, str] = field(default_factory=dict)


GENERATED: dict[str, Generated] = {
    "chain-of-2000-to-an-unknown-top.csv": Generated(
        "people",
        ("{file}:2001: manager_id: 'boss' is not the id of anyone in this file",),
        write=_chain_to_unknown_top,
    ),
    "cycle-of-2000.csv": Generated(
        "people",
        ("{file}:2: manager_id: circular management chain of 2000 people: p0 -> p1 -> ",),
        write=_cycle,
    ),
    "name-of-50-mb.csv": Generated(
        "people",
        ("{file}:2: is 50000017 characters long; at most 100000 are read",),
        write=_name_of_50_mb,
    ),
    "row-of-50-million-empty-fields.csv": Generated(
        "people",
        ("{file}:2: is 50000001 characters long; at most 100000 are read",),
        write=_delimiters_of_50_mb,
    ),
    "rows-over-limit.csv": Generated(
        "people",
        ("{file}:100002: has more than 100000 data rows; the rest is not read",),
        write=_rows_over_limit,
    ),
    "file-over-size-limit.csv": Generated(
        "people",
        ("{file}: is larger than 1000000 bytes, the most that is read (CsvLimits.max_bytes)",),
        write=_two_megabytes,
        environment={"GESPREKSCYCLUS_MAX_INPUT_BYTES": "1000000"},
    ),
    "dev-zero": Generated(
        "people",
        ("{file}: is larger than 1000000 bytes, the most that is read",),
        path="/dev/zero",
        environment={"GESPREKSCYCLUS_MAX_INPUT_BYTES": "1000000"},
    ),
}


# --- the child process: run one folder, write the outcome of every case as JSON ----------


def _outcome_of_library(read: Callable[[], object]) -> dict[str, Any]:
    try:
        read()
    except GesprekscyclusError as error:
        problems = error.problems if isinstance(error, DesignError) else ()
        return {
            "typed": True,
            "type": type(error).__name__,
            "message": str(error),
            "problems": [str(problem) for problem in problems],
            "files": sorted({problem.file for problem in problems}),
        }
    except Exception:
        return {"typed": False, "type": "raw", "message": traceback.format_exc()}
    return {"typed": None, "type": None, "message": "accepted"}


def _outcome_of_cli(argv: list[str]) -> dict[str, Any]:
    from gesprekscyclus.cli import main  # noqa: PLC0415 - imported in the child only

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: object = main(argv)
        except SystemExit as exit_:  # argparse's own usage errors
            code = exit_.code
        except Exception:
            code = "raw"
            err.write(traceback.format_exc())
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _csv_cases(
    name: str, scratch: Path
) -> Iterator[tuple[str, str, tuple[str, ...], dict[str, str]]]:
    """(case, path, expect, environment) for every case of a CSV-like folder."""
    folder = HOSTILE / name
    for case, spec in tomllib.loads((folder / "cases.toml").read_text("utf-8")).items():
        yield case, str(folder / case), tuple(spec["expect"]), {}
    for case, generated in GENERATED.items():
        if generated.folder != name:
            continue
        if generated.path is not None:
            if not Path(generated.path).exists():
                continue
            path = generated.path
        else:
            assert generated.write is not None
            path = str(scratch / case)
            generated.write(Path(path))
        yield case, path, generated.expect, generated.environment


def run_folder(name: str, out: Path) -> None:
    """Run every case of folder ``name`` and write the outcomes to ``out`` (JSON)."""
    scratch = out.parent / f"{name}-scratch"
    scratch.mkdir(exist_ok=True)
    results: dict[str, Any] = {}
    if name == "cli":
        cases = tomllib.loads((HOSTILE / "cli" / "cases.toml").read_text("utf-8"))
        for case, spec in cases.items():
            print(f"case {case}", file=sys.stderr, flush=True)  # names a hang
            work = scratch / case
            work.mkdir()
            db = work / "store.db"
            argv = [arg.format(db=f"sqlite:///{db}", design=DESIGN) for arg in spec["args"]]
            results[case] = {
                "expect": spec["expect"],
                "cli": _outcome_of_cli(argv),
                "written": sorted(path.name for path in work.iterdir()),
            }
    elif name == "webhook":
        for path in sorted((HOSTILE / "webhook").glob("*.json")):
            print(f"case {path.name}", file=sys.stderr, flush=True)
            spec = json.loads(path.read_text("utf-8"))
            headers = spec["headers"]
            given = tuple(headers) if isinstance(headers, list) else headers
            body = spec["body"].encode("utf-8")
            results[path.name] = {
                "expect": spec["error"],
                "library": _outcome_of_library(
                    lambda given=given, body=body: verify_signature(
                        WEBHOOK_SECRET, given, body, now=WEBHOOK_NOW
                    )
                ),
                "valid": is_valid_signature(WEBHOOK_SECRET, given, body, now=WEBHOOK_NOW),
            }
    else:
        folder = FOLDERS[name]
        for case, path, expect, environment in _csv_cases(name, scratch):
            print(f"case {case}", file=sys.stderr, flush=True)
            work = scratch / f"{case}-cwd"
            work.mkdir()
            with _environment(environment), contextlib.chdir(work):
                limits = CsvLimits.from_environment(os.environ)
                library = _outcome_of_library(
                    lambda path=path, limits=limits: folder.library(path, limits)
                )
                cli = _outcome_of_cli(folder.command(path))
            results[case] = {
                "path": path,
                "expect": [line.format(file=path) for line in expect],
                "library": library,
                "cli": cli,
                "written": sorted(entry.name for entry in work.iterdir()),
            }
    out.write_text(json.dumps(results, ensure_ascii=True), encoding="utf-8")


# --- the tests: one child per folder, then one assertion set per case ----------------------

_RESULTS: dict[str, dict[str, Any]] = {}


def _results(name: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if name not in _RESULTS:
        out = tmp_path_factory.mktemp(f"hostile-{name}") / "results.json"
        try:
            subprocess.run(
                [sys.executable, "-m", "tests.test_hostile_corpus", name, str(out)],
                cwd=ROOT.parent,
                check=True,
                timeout=HANG_GUARD_SECONDS,
                capture_output=True,
                text=True,
            )
        except subprocess.TimeoutExpired as expired:
            started = str(expired.stderr or "").strip().splitlines()
            pytest.fail(f"hostile/{name} hung at {started[-1:] or 'start'}")
        except subprocess.CalledProcessError as failed:
            pytest.fail(f"hostile/{name}: the corpus runner failed:\n{failed.stderr}")
        _RESULTS[name] = json.loads(out.read_text("utf-8"))
    return _RESULTS[name]


def _case_names(name: str) -> list[str]:
    if name == "cli":
        return list(tomllib.loads((HOSTILE / "cli" / "cases.toml").read_text("utf-8")))
    if name == "webhook":
        return sorted(path.name for path in (HOSTILE / "webhook").glob("*.json"))
    listed = list(tomllib.loads((HOSTILE / name / "cases.toml").read_text("utf-8")))
    generated = [
        case
        for case, spec in GENERATED.items()
        if spec.folder == name and (spec.path is None or Path(spec.path).exists())
    ]
    return listed + generated


CSV_CASES = [(name, case) for name in FOLDERS for case in _case_names(name)]


@pytest.mark.parametrize("name", list(FOLDERS))
def test_every_file_of_a_folder_is_a_listed_case(name: str) -> None:
    folder = HOSTILE / name
    files = {path.name for path in folder.iterdir()} - FOLDERS[name].support
    listed = set(tomllib.loads((folder / "cases.toml").read_text("utf-8")))
    assert files == listed


@pytest.mark.parametrize(("name", "case"), CSV_CASES)
def test_a_hostile_file_gives_a_typed_error_exit_2_and_writes_nothing(
    name: str, case: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = _results(name, tmp_path_factory)[case]
    library, cli = result["library"], result["cli"]
    assert library["typed"] is True, library["message"]
    assert library["type"] == "DesignError"
    assert library["files"] == [result["path"]] or name == "events"
    for expected in result["expect"]:
        assert any(problem.startswith(expected) for problem in library["problems"]), (
            expected,
            library["problems"][:5],
        )
    assert cli["code"] == 2, cli["stderr"]
    assert cli["stdout"] == ""
    assert "Traceback" not in cli["stderr"]
    lines = cli["stderr"].splitlines()
    for expected in result["expect"]:
        assert any(line.startswith(f"error: {expected}") for line in lines), (expected, lines[:5])
    assert result["written"] == []


@pytest.mark.parametrize("case", _case_names("cli"))
def test_a_hostile_option_exits_2_before_opening_the_store(
    case: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = _results("cli", tmp_path_factory)[case]
    cli = result["cli"]
    assert cli["code"] == 2, cli["stderr"]
    assert cli["stdout"] == ""
    assert "Traceback" not in cli["stderr"]
    for expected in result["expect"]:
        assert expected in cli["stderr"]
    assert result["written"] == []  # no store file was created


@pytest.mark.parametrize("case", _case_names("webhook"))
def test_a_hostile_webhook_request_is_invalid_and_says_why(
    case: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = _results("webhook", tmp_path_factory)[case]
    library = result["library"]
    if result["expect"] is None:  # the controls: a correctly signed request
        assert library["typed"] is None, library["message"]
        assert result["valid"] is True
        return
    assert library["typed"] is True, library["message"]
    assert library["type"] == SignatureError.__name__
    assert library["message"].startswith(result["expect"])
    assert result["valid"] is False


def test_the_console_script_itself_exits_2_with_nothing_on_stdout(tmp_path: Path) -> None:
    # The corpus calls main() in its child; this checks one case through a real process.
    path = HOSTILE / "people" / "zone-directory.csv"
    finished = subprocess.run(
        [sys.executable, "-m", "gesprekscyclus", "validate", DESIGN, "--people", str(path)],
        cwd=tmp_path,
        timeout=HANG_GUARD_SECONDS,
        capture_output=True,
        text=True,
        check=False,
    )
    assert finished.returncode == 2
    assert finished.stdout == ""
    assert finished.stderr.startswith(f"error: {path}:2: time_zone: unknown IANA time zone")
    assert list(tmp_path.iterdir()) == []


if __name__ == "__main__":
    run_folder(sys.argv[1], Path(sys.argv[2]))
