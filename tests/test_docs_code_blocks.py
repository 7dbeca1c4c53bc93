"""Every code block of README.md and docs/ runs, not only the ``>>>`` ones.

- ``python`` blocks that start with ``>>>`` are doctests: pytest's ``--doctest-glob`` runs
  them (this test only checks that they are not also plain code);
- the other ``python`` blocks of one file run here in order, in one namespace (a later block
  may use what an earlier one defined), in a fresh folder that holds the shipped example files
  (``reference-design.toml``, ``people.csv``, ``events.csv``). The machine has no mail server
  or webhook receiver: outside the loopback network every connection is refused, so a block
  that dispatches meets a refused connection, as it would while a server is down;
- a ``python`` block that needs what this test cannot give (a server of the reader's own, a
  file beside it) has the marker ``<!-- not run: REASON -->`` on the line before it, the
  reason naming the test that runs the same code; it must still compile;
- every other block needs a language and, when it is a shell or console block, the marker
  ``<!-- not run: REASON -->`` on the line before it; ``{directive}`` blocks are Sphinx's
  (MyST) and build with the documentation.
"""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path
from typing import Any

import attrs
import pytest

from gesprekscyclus.examples import directory

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted([ROOT / "README.md", *ROOT.glob("docs/**/*.md")])
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
SKIP_MARKER = re.compile(r"<!-- not run: \S.* -->")
SHELL = frozenset({"sh", "bash", "shell", "console"})
TEXT = frozenset({"text", "csv", "toml", "json", "http"})
LOOPBACK = ("localhost", "127.0.0.1", "::1")


@attrs.frozen
class Block:
    """One fenced block: where it is, its language, its text and the line before it."""

    path: Path
    line: int
    language: str
    code: str
    before: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        previous = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        found.append(Block(path, line, match.group(1).strip(), match.group(2), previous))
    return found


def _refuse_remote(host: object) -> None:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name not in LOOPBACK:
        raise ConnectionRefusedError(f"no network in the documentation test: {name}")


@pytest.fixture
def no_remote_network(monkeypatch: pytest.MonkeyPatch) -> None:
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        _refuse_remote(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture
def example_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("reference-design.toml", "people.csv", "events.csv"):
        shutil.copy(directory() / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_documentation_has_code_blocks_to_check() -> None:
    assert {path.name for path in FILES} >= {"README.md", "cli.md", "notifications.md", "index.md"}
    assert sum(len(blocks(path)) for path in FILES) > 20


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_block_has_a_language_and_shell_blocks_say_why_they_do_not_run(
    path: Path,
) -> None:
    for block in blocks(path):
        if block.language.startswith("{") and block.language.endswith("}"):
            continue  # a MyST directive: the Sphinx build checks it
        assert block.language in {"python"} | SHELL | TEXT, (
            f"{block.where}: a code block needs a language (python, "
            f"{', '.join(sorted(SHELL | TEXT))}), got {block.language!r}"
        )
        if block.language in SHELL:
            assert SKIP_MARKER.fullmatch(block.before.strip()), (
                f"{block.where}: a {block.language} block needs '<!-- not run: REASON -->' "
                "on the line before it"
            )
        if block.language == "python" and block.code.lstrip().startswith(">>>"):
            plain = [
                line
                for line in block.code.splitlines()
                if line.strip() and not line.startswith((">>> ", "... ", ">>>", "..."))
            ]
            assert plain, f"{block.where}: a doctest block shows no expected output"


def _not_run(block: Block) -> bool:
    return SKIP_MARKER.fullmatch(block.before.strip()) is not None


def _plain_python(path: Path) -> list[Block]:
    return [
        block
        for block in blocks(path)
        if block.language == "python"
        and not block.code.lstrip().startswith(">>>")
        and not _not_run(block)
    ]


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_python_blocks_that_do_not_run_here_compile_and_name_their_test(path: Path) -> None:
    for block in blocks(path):
        if block.language == "python" and _not_run(block):
            assert "test" in block.before, f"{block.where}: say which test runs this code"
            compile(block.code, block.where, "exec")


@pytest.mark.usefixtures("no_remote_network", "example_folder")
@pytest.mark.parametrize(
    "path", [path for path in FILES if _plain_python(path)], ids=lambda path: path.name
)
def test_the_plain_python_blocks_of_a_file_run_in_order(path: Path) -> None:
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for block in _plain_python(path):
        code = compile(block.code, block.where, "exec")
        try:
            exec(code, namespace)
        except Exception as error:
            pytest.fail(f"{block.where}: {type(error).__name__}: {error}")
