"""Sphinx configuration: Markdown pages (MyST), the furo theme, the API from the docstrings.

Build with ``python -m sphinx -W --keep-going -b html docs OUTDIR``: every warning,
an unresolved reference to this library's own names included, fails the build; so does
a public module, or a name of a module's ``__all__``, left out of the API reference.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from importlib.metadata import version as _version
from typing import Any

from sphinx.util import logging
from sphinx.util.inspect import object_description
from sphinx.util.nodes import make_refnode

import buyer_protection
from buyer_protection.lifecycle import DISPUTE, ORDER

_logger = logging.getLogger(__name__)

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
    (r"py:.*", r"(attrs|attr|transitions|sqlalchemy|dask|pandas|distributed)(\..*)?"),
    (r"py:.*", r"os\.PathLike"),
    (r"py:.*", r"buyer_protection\.store\.T"),  # what `OrderStore.apply` returns: fn's type
    (r"py:class", r"buyer_protection\.errors\._AboutAnOrder"),  # a private base: order_id
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
    if len(matches) > 1:  # the package's own name first: `scan`, not buyer_protection.dask.scan
        matches = [match for match in matches if match[0] == f"buyer_protection.{target}"]
    if len(matches) != 1:
        return None
    name, entry = matches[0]
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, name)


_PLURAL = re.compile(r"(`[\w.]+`)(?=[a-z])")


def _plurals(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Read a reference followed by letters (```Name`s``, a plural) as the reference and the
    letters: reStructuredText needs ``\\ `` between them, which a docstring read in the source
    should not have to show."""
    lines[:] = [_PLURAL.sub(r"\1\\ ", line) for line in lines]


_NAMED_DEFAULTS = {
    object_description(buyer_protection.ALIEXPRESS): "ALIEXPRESS",
    object_description((ORDER, DISPUTE)): "(ORDER, DISPUTE)",
}


def _named_defaults(
    app: Any, what: str, name: str, obj: Any, options: Any, signature: str | None, ret: str | None
) -> tuple[str | None, str | None] | None:
    """Write a default that is one of the library's named values by its name
    (``policy=ALIEXPRESS``) rather than as its long repr. (``autodoc_preserve_defaults``
    would do it too, but writes the defaults of attrs classes as ``attr_dict[...]``.)"""
    if signature is None:
        return None
    for text, named in _NAMED_DEFAULTS.items():
        signature = signature.replace(text, named)
    return signature, ret


def _public_modules() -> list[str]:
    """The package's public modules: every module or package (and every module inside a
    public package) not named with a leading _."""
    return [
        info.name
        for info in pkgutil.walk_packages(buyer_protection.__path__, "buyer_protection.")
        if not any(part.startswith("_") for part in info.name.split(".")[1:])
    ]


def _check_api(app: Any, env: Any) -> None:
    """Warn, failing the -W build, when the API reference leaves out a public module or a name
    of a module's ``__all__`` (documented in that module, in one of its own modules, or at the
    package's top)."""
    domain = env.get_domain("py")
    documented = set(domain.objects)
    for module in ["buyer_protection", *_public_modules()]:
        if module not in domain.modules:
            _logger.warning("the public module %s is not in the API reference (api.md)", module)
            continue
        for name in getattr(importlib.import_module(module), "__all__", ()):
            here = {f"{module}.{name}", f"buyer_protection.{name}"}
            inside = (d.startswith(f"{module}.") and d.endswith(f".{name}") for d in documented)
            if not here & documented and not any(inside):
                _logger.warning("%s.%s (in its __all__) is not in the API reference", module, name)


def setup(app: Any) -> None:
    """Register the short-name resolver, the docstring and signature fixes, and the API
    reference's check."""
    app.connect("missing-reference", _resolve_short)
    app.connect("autodoc-process-docstring", _plurals)
    app.connect("autodoc-process-signature", _named_defaults)
    app.connect("env-check-consistency", _check_api)
