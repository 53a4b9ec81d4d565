"""`rules` on the command line: each preset's fields with its own marketplace's rules and
sources, AliExpress's with the fields' own, as before."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from buyer_protection import ALIEXPRESS, ALIEXPRESS_2015, EBAY_UK, Policy
from buyer_protection.sources import Source, sources
from test_cli import _run
from test_cli_presets import PRESETS as ELSEWHERE

_LABELS = ("starts", "when it runs out", "source")
_CONFIDENCE = {"H": "high", "M": "medium", "L": "low"}

Group = tuple[tuple[str, ...], str, str, dict[str, str]]
"""A rule as ``rules`` prints it: its fields, its confidence, its words, and its
``starts``, ``when it runs out`` and ``source`` lines."""


def _ids(policy: Policy) -> str:
    return f"{policy.name}@{policy.version}"


def _groups(out: str) -> list[Group]:
    """The rules of ``rules``'s table: lines wrapped under the last column joined, each
    rule's field lines followed by its labelled lines."""
    lines = out.splitlines()
    assert lines[1] == ""
    header = lines[2]
    value_at, sure_at, rule_at = (header.index(h) for h in ("value", "confidence", "rule"))
    rows: list[list[str]] = []  # [field, confidence, text]
    for line in lines[3:]:
        field, text = line[:value_at].strip(), line[rule_at:]
        if field or text.startswith(tuple(f"{label}: " for label in _LABELS)):
            rows.append([field, line[sure_at:rule_at].strip(), text])
        else:
            rows[-1][2] += " " + text.strip()
    groups: list[Group] = []
    for field, sure, text in rows:
        if field and text:  # the first field of a rule
            groups.append(((field,), sure, text, {}))
        elif field:
            names, first_sure, words, said = groups[-1]
            assert sure == first_sure, field
            groups[-1] = ((*names, field), first_sure, words, said)
        else:
            label, _, words = text.partition(": ")
            groups[-1][3][label] = words
    return groups


def _expected(rows: tuple[Source, ...]) -> list[Group]:
    """The rules ``rules`` prints for *rows*: those that set fields, in order, each with
    its starts, end and source where it says them."""
    return [
        (
            row.fields,
            _CONFIDENCE[row.confidence],
            row.rule,
            {
                label: text
                for label, text in zip(_LABELS, (row.starts, row.ends, row.source), strict=True)
                if text
            },
        )
        for row in rows
        if row.fields
    ]


def _unpublished(policy: Policy) -> list[Source]:
    """The fields of *policy* that no rule of its marketplace sets, as ``rules`` reports
    them: the field's own rule, the library's default, not published (confidence L)."""
    covered = {name for row in sources(policy) for name in row.fields}
    why = f"not published for these rules ({policy.name}): the library's default"
    return [
        Source(rule, (name,), "", "", "L", why)
        for name, _, rule, _, _ in policy.rules()
        if name not in covered
    ]


@pytest.mark.parametrize("policy", ELSEWHERE, ids=_ids)
def test_rules_of_a_marketplace_are_its_own_with_their_sources(
    policy: Policy, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules --policy NAME` prints the rules of the preset's marketplace, each with the
    fields it sets, what starts its clock, what its end does and its source, then each
    field no rule sets as the library's default, not published for those rules."""
    code, out, err = _run(["rules", "--policy", policy.name], capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"Policy {policy.name}, version {policy.version}\n")
    rows = (*sources(policy), *_unpublished(policy))
    assert _groups(out) == _expected(rows)


@pytest.mark.parametrize("policy", ELSEWHERE, ids=_ids)
def test_rules_of_a_marketplace_cite_none_of_aliexpresss_sources(
    policy: Policy, capsys: pytest.CaptureFixture[str]
) -> None:
    """No source that `rules` names for eBay, PayPal or Amazon is AliExpress's."""
    _, out, _ = _run(["rules", "--policy", policy.name], capsys)
    for _, _, _, said in _groups(out):
        assert "AliExpress" not in said["source"]
        assert "the seed" not in said["source"]


@pytest.mark.parametrize("policy", ELSEWHERE, ids=_ids)
def test_rules_json_of_a_marketplace_gives_each_fields_rule_and_clock(
    policy: Policy, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules --json` gives each field of a marketplace's preset, in declaration order,
    the rule that sets it with its source, confidence, start and end (null where it has
    none), or the library's default, not published, with confidence low."""
    code, out, _ = _run(["rules", "--policy", policy.name, "--json"], capsys)
    assert code == 0
    by_field = {
        name: row for row in (*sources(policy), *_unpublished(policy)) for name in row.fields
    }
    got = json.loads(out)["rules"]
    assert [r["name"] for r in got] == [name for name, *_ in policy.rules()]
    for entry in got:
        row = by_field[entry["name"]]
        assert entry["rule"] == row.rule
        assert entry["source"] == row.source
        assert entry["confidence"] == _CONFIDENCE[row.confidence]
        assert (entry["starts"], entry["ends"]) == (row.starts or None, row.ends or None)


def test_rules_of_a_policy_file_say_which_values_are_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A policy file named after a marketplace's preset prints that marketplace's rules,
    but a value that differs from the preset's is the policy's own, with the preset's
    value named and confidence low; the rule its field shared prints without it."""
    path = tmp_path / "mine.toml"
    path.write_text(attrs.evolve(EBAY_UK, appeal_window=timedelta(days=3)).to_toml(), "utf-8")
    code, out, _ = _run(["rules", "--policy-file", str(path)], capsys)
    assert code == 0
    groups = {names: (sure, words, said) for names, sure, words, said in _groups(out)}
    rule = {name: rule for name, _, rule, _, _ in EBAY_UK.rules()}["appeal_window"]
    assert groups[("appeal_window",)] == (
        "low",
        rule,
        {"source": "this policy's own value: ebay-uk 2020-05 has 30 days"},
    )
    seller = ("seller_response_window", "seller_window_starts", "seller_window_ends")
    assert groups[seller][1].startswith("the seller resolves the request")

    code, out, _ = _run(["rules", "--policy-file", str(path), "--json"], capsys)
    entry = next(r for r in json.loads(out)["rules"] if r["name"] == "appeal_window")
    assert (entry["value"], entry["confidence"], entry["starts"]) == ("P3D", "low", None)


@pytest.mark.parametrize("policy", [ALIEXPRESS, ALIEXPRESS_2015], ids=_ids)
def test_rules_of_aliexpress_are_the_fields_own_as_before(
    policy: Policy, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules` for AliExpress prints a row a field, in declaration order, with the field's
    rule, confidence and source line (none for a field without a source), and its JSON
    has only the keys it had: no start or end."""
    spec = f"{policy.name}@{policy.version}"
    _, out, _ = _run(["rules", "--policy", spec], capsys)
    rows = tuple(
        Source(rule, (name,), "", "", confidence, source)
        for name, _, rule, source, confidence in policy.rules()
    )
    assert _groups(out) == _expected(rows)

    _, out, _ = _run(["rules", "--policy", spec, "--json"], capsys)
    for entry in json.loads(out)["rules"]:
        assert list(entry) == ["name", "value", "rule", "source", "confidence"]
