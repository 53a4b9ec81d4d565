"""The docs, the README, the walk-through and the command line stay true to the code."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
import re
import shutil
import subprocess
import sys
from datetime import UTC
from pathlib import Path
from types import ModuleType

import pytest

import buyer_protection
from buyer_protection import ALIEXPRESS
from buyer_protection.__main__ import main
from buyer_protection.lifecycle import DISPUTE, ORDER
from buyer_protection.walkthrough import OPENED_AT, PACIFIC, TOTAL, run, when

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_generate", DOCS / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _generator()


def _walkthrough() -> list[str]:
    lines: list[str] = []
    run(lines.append)
    return "\n".join(lines).splitlines()


# -- generated parts of the docs -----------------------------------------------------


def test_generated_docs_are_current() -> None:
    """The committed rules table and lifecycle diagrams are what the code generates now."""
    assert generate.stale() == [], "generated docs are stale: run python docs/generate.py"


def test_stale_generated_part_is_detected(tmp_path: Path) -> None:
    """A page whose generated part was edited by hand is reported stale, and rewritten."""
    for name in generate.GENERATED:
        shutil.copy(DOCS / name, tmp_path / name)
    page = tmp_path / "rules.md"
    page.write_text(page.read_text("utf-8").replace("| `protection_days` |", "| `x` |"), "utf-8")
    assert generate.stale(tmp_path) == ["rules.md"]
    assert generate.write(tmp_path) == ["rules.md"]
    assert generate.stale(tmp_path) == []


def test_page_without_markers_is_refused() -> None:
    """Rendering a page that lost a generated part's markers fails instead of dropping it."""
    with pytest.raises(ValueError, match="rules"):
        generate.render("# The rules\n", generate.GENERATED["rules.md"])


def test_rules_table_has_every_policy_field_and_source() -> None:
    """The rules page lists every field of ALIEXPRESS with its rule and its source."""
    text = (DOCS / "rules.md").read_text("utf-8")
    for name, _value, rule, source, _confidence in ALIEXPRESS.rules():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
        assert rule in row
        assert source in row


def test_rules_table_shows_policy_durations_in_days() -> None:
    """A duration in the rules table is the policy's value written in days."""
    days = ALIEXPRESS.seller_response_window.days
    rows = generate.rules_table().splitlines()
    row = next(line for line in rows if line.startswith("| `seller_response_window` |"))
    assert f"| {days} days |" in row


def test_lifecycle_page_holds_both_diagrams() -> None:
    """The lifecycle page holds the Mermaid diagrams of the order and of the dispute."""
    text = (DOCS / "lifecycle.md").read_text("utf-8")
    assert f"```mermaid\n{ORDER.mermaid()}```" in text
    assert f"```mermaid\n{DISPUTE.mermaid()}```" in text


def test_returns_page_draws_every_row_into_or_out_of_a_return_state() -> None:
    """The returns page's diagram has exactly the dispute diagram's lines that touch
    awaiting_return or return_in_transit, and the end of the states they lead to."""
    part = generate.part_diagram(DISPUTE, generate.RETURN_STATES)
    assert part in (DOCS / "returns.md").read_text("utf-8")
    lines = part.removeprefix("```mermaid\n").removesuffix("```\n").splitlines()
    whole = DISPUTE.mermaid().splitlines()
    returns = {state.value for state in generate.RETURN_STATES}
    touching = [
        line for line in whole if "-->" in line and returns & set(line.split(":")[0].split())
    ]
    assert lines[0] == whole[0]
    assert [line for line in lines[1:] if "[*]" not in line] == touching
    assert [line for line in lines if "[*]" in line] == ["    resolved --> [*]"]


# -- docstring examples --------------------------------------------------------------


def _docstring_examples() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder()
    names = [buyer_protection.__name__] + [
        info.name
        for info in pkgutil.walk_packages(buyer_protection.__path__, "buyer_protection.")
        if info.name != "buyer_protection.__main__"
    ]
    found: list[doctest.DocTest] = []
    for name in names:
        found.extend(t for t in finder.find(importlib.import_module(name)) if t.examples)
    return sorted(found, key=lambda t: t.name)


@pytest.mark.parametrize("test", _docstring_examples(), ids=lambda t: t.name)
def test_docstring_example(test: doctest.DocTest) -> None:
    """Each example in a docstring of the package gives the output it shows."""
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


# -- the README ----------------------------------------------------------------------


def _setup_commands() -> list[str]:
    """The commands of the README's first code block under "## Set up" (as .ci/run reads)."""
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("\n## Set up\n", 1)[1]
    block = re.search(r"^```(?:sh|bash)?\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)
    assert block is not None
    return [line for line in block[1].splitlines() if line.strip()]


def test_readme_sets_up_with_two_commands() -> None:
    """The README's set-up is two commands: install and run the example, then the tests."""
    install, tests = _setup_commands()
    assert "pip install -e '.[test]'" in install
    assert install.endswith("-m buyer_protection example")
    assert tests == ".venv/bin/python -m pytest"


def test_readme_starts_with_what_the_library_is_for() -> None:
    """The README opens with its purpose, before any set-up."""
    text = (ROOT / "README.md").read_text("utf-8")
    intro = text.split("\n## ", 1)[0]
    assert "buyer protection" in intro
    assert "cashback" in intro


def test_readme_performance_table_has_its_rows() -> None:
    """The README's performance table has the library, the two references, the memory,
    and a figure in each, not a placeholder."""
    section = (ROOT / "README.md").read_text("utf-8").split("\n## Performance\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = [line.split("|")[1].strip() for line in section.splitlines() if line.startswith("| ")]
    assert rows[1].startswith("library")
    assert any("Machine` per object" in row for row in rows)
    assert any("floor" in row for row in rows)
    assert any("history included" in row for row in rows)
    assert "n/a" not in section


def test_ci_script_reads_the_readme_commands() -> None:
    """.ci/run runs the README's set-up block rather than its own copy of the commands."""
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "README.md" in script
    assert "## Set up" in script


# -- the walk-through and the command line -------------------------------------------


def test_walkthrough_refunds_in_full_at_the_sellers_deadline() -> None:
    """The silent seller's dispute is refunded in full exactly at the seller's deadline."""
    lines = _walkthrough()
    deadline = OPENED_AT + ALIEXPRESS.seller_response_window
    outcome = next(line for line in lines if line.startswith("Outcome:"))
    assert f"{TOTAL} refunded (seller_reponse_timeout) at {when(deadline)}" in outcome
    assert f"order refunded {TOTAL} of {TOTAL}" in "\n".join(lines)


def test_walkthrough_prints_deadlines_in_utc_and_pacific() -> None:
    """Each deadline is written in ISO 8601 UTC and in US Pacific time."""
    deadline = OPENED_AT + ALIEXPRESS.seller_response_window
    text = "\n".join(_walkthrough())
    assert f"{deadline.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}" in text
    assert f"US Pacific {deadline.astimezone(PACIFIC).isoformat()} PDT" in text


def test_walkthrough_shows_every_branch_of_the_seed() -> None:
    """The walk-through reaches each way a dispute ends in the seed, and the platform case."""
    text = "\n".join(_walkthrough())
    for words in (
        "seller_reponse_timeout",
        "negotiation_consensus",
        "platform_arbitrate",
        "the seller cannot act",
        "refused, nothing changed",
    ):
        assert words in text


def test_walkthrough_writes_one_line_per_call() -> None:
    """Each call to `write` gets one line, so a logger can stand in for print."""
    calls: list[str] = []
    run(calls.append)
    assert [call for call in calls if "\n" in call] == []


def test_walkthrough_is_the_same_every_run() -> None:
    """The walk-through depends on no clock: two runs print the same lines."""
    assert _walkthrough() == _walkthrough()


def test_when_writes_utc_and_pacific() -> None:
    """`when` writes an instant in UTC and in Pacific time with its abbreviation."""
    assert when(OPENED_AT) == ("2026-03-13T23:00:00Z | US Pacific 2026-03-13T16:00:00-07:00 PDT")
    assert when(None) == "-"


def test_example_command_prints_the_walkthrough(capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m buyer_protection example` prints the walk-through and succeeds."""
    assert main(["example"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == _walkthrough()
    assert err == ""


@pytest.mark.parametrize("argv", [[], ["bogus"], ["example", "extra"], ["--nope"]])
def test_wrong_usage_exits_2_with_one_line(argv: list[str]) -> None:
    """A wrong command line exits with status 2 and one line on stderr, nothing on stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "buyer_protection", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("buyer-protection: error: ")
