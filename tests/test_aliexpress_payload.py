"""Tests for `buyer_protection.aliexpress.payload` and `.dto`: the seller API's payload, read."""

from __future__ import annotations

from typing import Any

import pytest

from buyer_protection import InvalidInput
from buyer_protection.aliexpress import from_issue_detail
from buyer_protection.aliexpress.payload import read_issue, read_order_detail
from test_aliexpress import LOG, issue_of, load

PRODUCTS = "order_detail.result.target_list.order_dto[0].product_list.order_product_dto"


def products_of(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The product lines of the order detail's first order."""
    orders = detail["aliexpress_solution_order_get_response"]["result"]["target_list"]
    products: list[dict[str, Any]] = orders["order_dto"][0]["product_list"]["order_product_dto"]
    return products


def test_read_issue_gives_the_log_oldest_first_with_the_apis_paths() -> None:
    """The read issue lists the log oldest first, each entry keeping its path in the payload."""
    issue = read_issue(load("issue_seller_refused"))

    assert [e.at for e in issue.log] == sorted(e.at for e in issue.log)
    assert {e.path for e in issue.log} == {f"{LOG}[{i}]" for i in range(len(issue.log))}
    assert issue.currency == "USD"


def test_read_order_detail_finds_the_issues_product_line() -> None:
    """The order facts come from the product line whose child_id is the issue's order id."""
    issue = read_issue(load("issue_awaiting_seller"))

    facts = read_order_detail(load("order_detail"), issue)

    assert facts.path == f"{PRODUCTS}[0]"
    assert facts.protection_days == 60


def test_problems_of_fields_and_of_amounts_are_reported_together() -> None:
    """A bad word, a bad time and an amount finer than its currency are all listed, with paths."""
    doc = load("issue_awaiting_seller")
    issue_of(doc).update(issue_status="closed", product_price="0.005")
    issue_of(doc)["process_dto_list"]["api_issue_process_dto"][0]["gmt_create"] = "soon"

    with pytest.raises(InvalidInput) as caught:
        from_issue_detail(doc)

    assert [p.split(":")[0] for p in caught.value.problems] == [
        "result_object.issue_status",
        f"{LOG}[0].gmt_create",
        "result_object.product_price",
    ]


def test_a_wrapper_that_is_not_an_object_is_one_problem() -> None:
    """A response wrapper that is not an object is named alone, not with the result it lacks."""
    with pytest.raises(InvalidInput) as caught:
        from_issue_detail({"aliexpress_issue_detail_get_response": []})

    assert caught.value.problems == (
        "aliexpress_issue_detail_get_response: expected an object, got list []",
    )


def test_keys_the_api_adds_are_ignored() -> None:
    """Fields the importer does not know, at every level, change nothing: the API adds fields."""
    doc = load("issue_seller_refused")
    issue_of(doc)["new_field"] = {"anything": [1, 2]}
    issue_of(doc)["process_dto_list"]["api_issue_process_dto"][0]["new_field"] = None

    assert read_issue(doc) == read_issue(load("issue_seller_refused"))


def test_a_bad_value_in_another_product_line_is_refused_with_its_path() -> None:
    """Every product line of the order detail is read, so junk in any one is named by path."""
    detail = load("order_detail")
    products_of(detail)[1]["send_goods_time"] = "yesterday"

    with pytest.raises(InvalidInput) as caught:
        read_order_detail(detail, read_issue(load("issue_awaiting_seller")))

    assert str(caught.value).startswith(f"{PRODUCTS}[1].send_goods_time: 'yesterday' is not a time")
