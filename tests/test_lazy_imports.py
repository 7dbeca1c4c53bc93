"""``import gesprekscyclus`` is cheap: public names, adapters and extras load on first use."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import gesprekscyclus

INIT = Path(gesprekscyclus.__file__)
HEAVY = (
    "gesprekscyclus.adapters",
    "gesprekscyclus.service",
    "gesprekscyclus.bootstrap",
    "sqlite3",
    "psycopg",
    "psycopg_pool",
    "holidays",
    "icalendar",
    "tomli_w",
    "cattrs",
)


def _type_checking_imports() -> dict[str, str]:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    found: dict[str, str] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom), ast.unparse(node)
        assert node.module is not None
        for alias in node.names:
            found[alias.asname or alias.name] = node.module
    return found


def _loaded_after(code: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: list[str] = json.loads(done.stdout)
    return loaded


def test_the_type_checking_imports_and_the_lookup_table_agree() -> None:
    assert _type_checking_imports() == gesprekscyclus._EXPORTS
    assert sorted(gesprekscyclus.__all__) == sorted(gesprekscyclus._EXPORTS)


@pytest.mark.parametrize("name", gesprekscyclus.__all__)
def test_every_public_name_resolves_to_the_object_of_its_module(name: str) -> None:
    module = sys.modules.get(gesprekscyclus._EXPORTS[name]) or __import__(
        gesprekscyclus._EXPORTS[name], fromlist=[name]
    )
    assert getattr(gesprekscyclus, name) is getattr(module, name)
    assert name in dir(gesprekscyclus)


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="'gesprekscyclus' has no attribute 'nonsense'"):
        _ = gesprekscyclus.nonsense  # type: ignore[attr-defined]


def test_importing_the_package_loads_no_adapter_service_or_optional_package() -> None:
    loaded = _loaded_after("import gesprekscyclus")
    heavy = [m for m in loaded if m.startswith(HEAVY)]
    assert heavy == []


def test_planning_loads_neither_stores_nor_optional_packages() -> None:
    loaded = _loaded_after(
        "import gesprekscyclus as gc\ngc.plan, gc.CycleDesign, gc.Person, gc.WorkingCalendar"
    )
    assert "gesprekscyclus.planning.planner" in loaded
    heavy = [m for m in loaded if m.startswith(HEAVY)]
    assert heavy == []


def test_from_import_star_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from gesprekscyclus import *", namespace)
    assert set(gesprekscyclus.__all__) <= set(namespace)


def test_every_public_name_loads_without_any_optional_package() -> None:
    # Each optional package made unimportable, as in an install without the extras.
    blocked = (
        "psycopg",
        "psycopg_pool",
        "holidays",
        "icalendar",
        "tomli_w",
        "pandas",
        "matplotlib",
    )
    loaded = _loaded_after(
        "import sys\n"
        f"sys.modules.update(dict.fromkeys({blocked!r}))\n"
        "from gesprekscyclus import *\n"
        "import gesprekscyclus\n"
        "[getattr(gesprekscyclus, name) for name in gesprekscyclus.__all__]"
    )
    assert "gesprekscyclus.service.worker" in loaded
    assert "gesprekscyclus.adapters.notifiers.mail" in loaded
