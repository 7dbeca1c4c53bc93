"""The API reference (docs/api/*.md, built by Sphinx in CI) covers every public name, and
every public name has documentation for it to show."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from types import ModuleType

import pytest

import gesprekscyclus

analyzer = pytest.importorskip("sphinx.pycode", reason="the lint group (Sphinx) is not installed")

ROOT = Path(__file__).resolve().parent.parent
API = sorted((ROOT / "docs" / "api").glob("*.md"))
AUTOMODULE = re.compile(r"^\.\. automodule:: (\S+)$", re.MULTILINE)
#: Public modules documented elsewhere or only through the package that re-exports them.
NOT_IN_REFERENCE = {
    "gesprekscyclus.cli": "the command line is documented in docs/cli.md",
    "gesprekscyclus.cli.demo": "docs/cli.md",
    "gesprekscyclus.cli.planning": "docs/cli.md",
    "gesprekscyclus.cli.service": "docs/cli.md",
    "gesprekscyclus.cli.design": "docs/cli.md",
    "gesprekscyclus.cli.privacy": "docs/cli.md and docs/privacy.md",
    "gesprekscyclus.cli.store_options": "docs/cli.md and docs/host-database.md",
    "gesprekscyclus.cli.json_text": "the plan command's JSON output, docs/cli.md",
    "gesprekscyclus.analysis": "re-exports the analysis modules",
    "gesprekscyclus.adapters.sqlite": "re-exports gesprekscyclus.adapters.sqlite.store",
    "gesprekscyclus.adapters.postgres": "re-exports gesprekscyclus.adapters.postgres.store",
    "gesprekscyclus.domain.calendar": "re-exports the calendar modules",
    "gesprekscyclus.planning.planner.ids": "re-exported by gesprekscyclus.planning.planner",
    "gesprekscyclus.planning.planner.rows": "re-exported by gesprekscyclus.planning.planner",
}


def documented_modules() -> list[str]:
    return [name for page in API for name in AUTOMODULE.findall(page.read_text("utf-8"))]


def public_modules() -> list[ModuleType]:
    """Every module of the package with an ``__all__`` and no private part in its name."""
    found = []
    for info in pkgutil.walk_packages(gesprekscyclus.__path__, "gesprekscyclus."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        module = importlib.import_module(info.name)
        if hasattr(module, "__all__"):
            found.append(module)
    return found


def test_every_public_module_is_in_the_reference_once() -> None:
    documented = documented_modules()
    assert len(documented) == len(set(documented))
    missing = [
        module.__name__
        for module in public_modules()
        if module.__name__ not in documented and module.__name__ not in NOT_IN_REFERENCE
    ]
    assert missing == []


def test_every_name_of_the_package_is_documented_in_a_module_of_the_reference() -> None:
    documented = {
        name for module in documented_modules() for name in importlib.import_module(module).__all__
    }
    assert sorted(set(gesprekscyclus.__all__) - documented) == []


def _has_documentation(module: ModuleType, name: str, attribute_docs: set[str]) -> bool:
    value = getattr(module, name)
    if inspect.isclass(value) or inspect.isfunction(value):
        own = value.__dict__.get("__doc__") if inspect.isclass(value) else value.__doc__
        return bool(own and own.strip())
    # Constants and aliases: a '#:' comment in the module that defines them.
    return name in attribute_docs


@pytest.mark.parametrize("module_name", documented_modules())
def test_every_name_in_a_documented_module_has_a_docstring(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert (module.__doc__ or "").strip(), f"{module_name} has no module docstring"
    attribute_docs: set[str] = set()
    for source in {module_name, *(_defining_modules(module))}:
        docs = analyzer.ModuleAnalyzer.for_module(source).find_attr_docs()
        attribute_docs |= {attribute for (scope, attribute) in docs if scope == ""}
    undocumented = [
        name for name in module.__all__ if not _has_documentation(module, name, attribute_docs)
    ]
    assert undocumented == [], f"{module_name}: no docstring or '#:' comment for {undocumented}"


def _defining_modules(module: ModuleType) -> set[str]:
    """The submodules a package re-exports its names from."""
    if not hasattr(module, "__path__"):
        return set()
    return {
        info.name
        for info in pkgutil.iter_modules(module.__path__, f"{module.__name__}.")
        if not info.name.rsplit(".", 1)[1].startswith("__")
    }
