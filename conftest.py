"""Every code example in the README and the docs runs as a test (Sybil).

Python code blocks are run; a block that starts with ``>>>`` is checked as a
doctest. The examples of one page share a namespace, top to bottom. The README is
read as plain Markdown (as a forge shows it), the docs as MyST (as Sphinx builds them).
"""

from __future__ import annotations

from doctest import ELLIPSIS

from sybil import Sybil
from sybil.parsers import markdown, myst

pytest_collect_file = (
    Sybil(
        parsers=[
            markdown.PythonCodeBlockParser(doctest_optionflags=ELLIPSIS),
            markdown.SkipParser(),
        ],
        patterns=["README.md"],
        name="readme",
    )
    + Sybil(
        parsers=[
            myst.PythonCodeBlockParser(doctest_optionflags=ELLIPSIS),
            myst.DocTestDirectiveParser(optionflags=ELLIPSIS),
            myst.SkipParser(),
        ],
        patterns=["docs/*.md"],
        name="docs",
    )
).pytest()
