"""The installed distribution: one version everywhere, licence, metadata and extras."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

import pytest

import gesprekscyclus
from gesprekscyclus.cli import main

DIST = metadata.distribution("gesprekscyclus")
SUPPORTED = ("3.11", "3.12", "3.13")


def test_the_version_is_the_same_in_the_package_and_the_metadata() -> None:
    assert gesprekscyclus.__version__ == DIST.version
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?", DIST.version)


def test_the_command_line_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"gesprekscyclus {gesprekscyclus.__version__}\n"


def test_python_dash_m_prints_the_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gesprekscyclus", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == f"gesprekscyclus {gesprekscyclus.__version__}"


def test_the_licence_ships_with_the_distribution() -> None:
    assert DIST.metadata["License-Expression"] == "MIT"
    files = [str(path) for path in DIST.files or ()]
    licence = next(path for path in files if path.endswith("LICENSE"))
    text = DIST.locate_file(licence).read_text(encoding="utf-8")
    assert text.startswith("MIT License")


def test_every_supported_python_has_a_classifier() -> None:
    classifiers = DIST.metadata.get_all("Classifier") or []
    versions = {
        line.rsplit(" :: ", 1)[1]
        for line in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", line)
    }
    assert versions == set(SUPPORTED)
    assert DIST.metadata["Requires-Python"] == f">={SUPPORTED[0]}"
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in SUPPORTED


def test_the_project_names_its_authors_and_no_made_up_urls() -> None:
    assert DIST.metadata["Author"]
    # The project has no public home yet; a Project-URL would point nowhere.
    assert DIST.metadata.get_all("Project-URL") is None


def _requirements() -> dict[str, list[str]]:
    """The requirement lines of the distribution, by extra ('' for the required ones)."""
    found: dict[str, list[str]] = {}
    for line in DIST.requires or ():
        match = re.search(r"extra == ['\"]([^'\"]+)['\"]", line)
        found.setdefault(match.group(1) if match else "", []).append(line.split(";")[0])
    return found


def test_a_library_depends_on_plain_psycopg_and_offers_the_binary_build_as_an_extra() -> None:
    requirements = _requirements()
    assert any(r.startswith("psycopg>=") for r in requirements["postgres"])
    assert any(r.startswith("psycopg-pool>=") for r in requirements["postgres"])
    assert not any("binary" in r for r in requirements["postgres"])
    assert any(r.startswith("psycopg[binary]>=") for r in requirements["postgres-binary"])


def test_extras_take_ranges_and_the_contract_suite_declares_pytest() -> None:
    requirements = _requirements()
    assert not any("==" in r for lines in requirements.values() for r in lines)
    (holidays,) = requirements["holidays"]
    assert set(holidays.removeprefix("holidays").split(",")) == {">=0.100", "<1"}
    assert any(r.startswith("pytest>=") for r in requirements["testing"])
    assert any(r.startswith("icalendar>=6.1") for r in requirements["ics"])


def test_development_tools_are_not_extras() -> None:
    extras = set(DIST.metadata.get_all("Provides-Extra") or ())
    assert "dev" not in extras
    assert not any(r.startswith(("mypy", "ruff", "hypothesis")) for r in DIST.requires or ())
