"""Sphinx configuration: the guides in docs/*.md (MyST) and the API reference from docstrings.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (CI does, with
warnings as errors).
"""

from __future__ import annotations

import gesprekscyclus

project = "gesprekscyclus"
author = "The gesprekscyclus contributors"
copyright = f"2026, {author}"
release = gesprekscyclus.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": True}
# Signatures name the standard library's and dependencies' types without linking them.
nitpicky = False

html_theme = "alabaster"
html_title = f"gesprekscyclus {release}"
html_static_path: list[str] = []
