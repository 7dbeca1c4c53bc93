"""The analyst's notebook in examples/ runs from top to bottom, and every plot renders."""

from __future__ import annotations

import base64
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "analysis.ipynb"


def _outputs(notebook: nbformat.NotebookNode, kind: str) -> list[nbformat.NotebookNode]:
    return [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == kind
    ]


def test_the_stored_notebook_is_executed() -> None:
    stored = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in stored.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.execution_count for cell in code)
    assert not _outputs(stored, "error")


def test_the_notebook_runs_and_every_plot_renders_to_a_png(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()
    assert not _outputs(notebook, "error")
    plot_cells = [
        cell for cell in notebook.cells if cell.cell_type == "code" and "plot_" in cell.source
    ]
    assert len(plot_cells) >= 4
    for cell in plot_cells:
        images = [
            base64.b64decode(output.data["image/png"])
            for output in cell.outputs
            if "image/png" in output.get("data", {})
        ]
        assert images, cell.source
        for image in images:
            assert image.startswith(b"\x89PNG\r\n\x1a\n")
            assert len(image) > 5_000, cell.source
    assert list(tmp_path.iterdir()) == []  # the notebook writes nothing
