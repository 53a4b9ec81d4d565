"""The docs of every marketplace: the presets compared on the rules page, and each
marketplace's page with its clocks, its lifecycle and its place in the table of contents."""

from __future__ import annotations

import re

import pytest

from buyer_protection import ALIEXPRESS, AMAZON_US, EBAY_UK, EBAY_US, PAYPAL, Anchor, Consequence
from buyer_protection.cli import mermaid
from buyer_protection.lifecycle import DISPUTE
from test_docs import DOCS, generate

PAGES = {"ebay.md": (EBAY_US, EBAY_UK), "paypal.md": (PAYPAL,), "amazon.md": (AMAZON_US,)}
"""Each marketplace's page and the presets it describes."""


def _generated(page: str, part: str) -> str:
    """The body of the generated part *part* of *page*, as committed."""
    text = (DOCS / page).read_text("utf-8")
    found = re.search(
        rf"<!-- BEGIN generated: {part} .*? -->\n(.*?)<!-- END generated: {part} -->", text, re.S
    )
    assert found is not None, f"{page} has no generated part {part}"
    return found[1]


def test_the_rules_page_compares_every_field_of_every_marketplace() -> None:
    """The comparison on the rules page has a row for each policy field and a column for
    the latest preset of each name, AliExpress's and the other marketplaces'."""
    table = _generated("rules.md", "comparison").splitlines()
    header = table[0]
    for name in ("aliexpress", "amazon-us", "ebay-uk", "ebay-us", "paypal"):
        assert f"| `{name}` |" in f"{header} "
    fields = [line.split("|")[1].strip() for line in table[2:]]
    assert fields == [f"`{name}`" for name, *_ in ALIEXPRESS.rules()]
    row = next(line for line in table if line.startswith("| `seller_window_ends` |"))
    assert row.count("`allow_escalation`") == 2  # eBay US and UK


@pytest.mark.parametrize("page", PAGES)
def test_each_marketplace_page_gives_the_consequences_and_anchors_of_its_presets(
    page: str,
) -> None:
    """A marketplace's clocks name every consequence and anchor of its presets, with the
    value the preset has (but those of a clock it does not have), and its appeal and
    filing windows."""
    clocks = _generated(page, "clocks")
    for preset in PAGES[page]:
        for name, value, *_ in preset.rules():
            window = name.rsplit("_", 1)[0]  # negotiation_window_ends: negotiation_window
            if hasattr(preset, window) and getattr(preset, window) is None:
                continue
            if isinstance(value, Anchor | Consequence):
                assert f"`{name}` `{value.value}`" in clocks
        assert "`appeal_window`" in clocks
        assert "`filing_window`" in clocks


@pytest.mark.parametrize("page", PAGES)
def test_each_marketplace_page_draws_the_lifecycle_its_rules_have(page: str) -> None:
    """A marketplace's page draws the dispute's lifecycle as its preset has it."""
    drawn = _generated(page, "dispute-diagram")
    assert drawn == f"```mermaid\n{mermaid((DISPUTE,), policy=PAGES[page][0])}```\n"


@pytest.mark.parametrize("page", PAGES)
def test_each_marketplace_page_is_in_the_table_of_contents(page: str) -> None:
    """The docs' table of contents lists each marketplace's page, and the generator
    writes its parts."""
    index = (DOCS / "index.md").read_text("utf-8")
    assert f"\n{page.removesuffix('.md')}\n" in index
    assert set(generate.GENERATED[page]) == {"clocks", "order-diagram", "dispute-diagram"}


@pytest.mark.parametrize("page", PAGES)
def test_each_marketplace_page_names_every_field_of_its_presets(page: str) -> None:
    """A marketplace's clocks name every field of its presets: in the rule that sets it,
    or among those its rules do not publish, which keep the library's default."""
    clocks = _generated(page, "clocks")
    table, _, unpublished = clocks.partition("\nNot published for these rules")
    assert unpublished
    for name, *_ in ALIEXPRESS.rules():
        assert (f"`{name}` " in table) != (f"`{name}` " in unpublished), name
