"""Sphinx configuration of the bisphos documentation (MyST Markdown, furo theme).

Build with warnings as errors: ``sphinx-build -W --keep-going -b html docs docs/_build/html``.
The pages generated from the code (schema, protocols, invariants, traceability) are written into
``_generated/`` by the local extension ``_ext/bisphos_docs.py`` when the build starts.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

from bisphos import __version__

project = "bisphos"
author = "bisphos developers"
copyright = "bisphos developers, MIT licence"  # noqa: A001  (the name Sphinx reads)
version = release = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxcontrib.mermaid",
    "sphinxarg.ext",
    "bisphos_docs",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_generated", "_ext", ".gitignore"]

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# A ```mermaid fence is the mermaid directive: the diagram is drawn, not shown as source.
myst_fence_as_directive = ["mermaid"]

# Google-style docstrings; attributes as fields, so that attrs classes are not described twice.
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "show-inheritance": False}

html_theme = "furo"
html_title = f"bisphos {release}"
# Wide tables (traceability, invariants) wrap their cells instead of being clipped.
html_static_path = ["_static"]
html_css_files = ["wrap-tables.css"]
