"""Sphinx configuration: Markdown pages (MyST), the furo theme, the API from the docstrings.

Build with ``python -m sphinx -W --keep-going -b html docs OUTDIR``: every warning,
an unresolved reference to this library's own names included, fails the build.
"""

from __future__ import annotations

from importlib.metadata import version as _version
from typing import Any

from sphinx.util.nodes import make_refnode

project = "buyer-protection"
author = "buyer-protection developers"
copyright = "buyer-protection developers"
release = _version("buyer-protection")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinxcontrib.mermaid",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# MyST: a ```mermaid fence is the mermaid directive, so the same page reads on a forge too.
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3

# The API reference: from the docstrings, in source order, types in the signatures.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "undoc-members": True, "show-inheritance": True}
add_module_names = False
# `Name` in a docstring is a reference; a short name resolves to this library's object of
# that name (see _resolve_short below), and one that resolves nowhere fails the build.
default_role = "py:obj"

# Every reference must resolve, except to names outside this library: the build has no
# network, so the standard library's and the dependencies' inventories are not loaded.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(datetime|decimal|enum|typing|collections\.abc|types|argparse|zoneinfo)\..*"),
    (r"py:.*", r"(attrs|attr|transitions)(\..*)?"),
    (r"py:.*", r"(int|str|bool|float|object|tuple|list|dict|Any|None|Exception|ValueError)"),
    (r"py:.*", r"(datetime|timedelta|Decimal|Sequence|Mapping|Iterable|Callable|NoReturn)"),
]

html_theme = "furo"
html_title = "buyer-protection"


def _resolve_short(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve a Python reference by its last components (``Order.advance``) when unique.

    Docstrings name objects as their module sees them (``InvalidAction`` in
    ``lifecycle.py``); the API documents them under ``buyer_protection``. A name
    matching no object, or several, stays unresolved and so fails the build.
    """
    if node.get("refdomain") != "py":
        return None
    domain = env.get_domain("py")
    target = node["reftarget"].lstrip(".~")
    matches = domain.find_obj(
        env, node.get("py:module"), node.get("py:class"), target, node["reftype"], 1
    )
    if len(matches) > 1:
        matches = [match for match in matches if not match[1].aliased]
    if len(matches) != 1:
        return None
    name, entry = matches[0]
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, name)


def setup(app: Any) -> None:
    """Register the short-name resolver."""
    app.connect("missing-reference", _resolve_short)
