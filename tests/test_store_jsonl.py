"""Tests for `OrderStore.import_jsonl` and `OrderStore.export_jsonl`: one order's
document a line, read all or nothing, written by replacing the file once complete.

Every test runs on SQLite and on PostgreSQL through the ``store_url`` fixture.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import buyer_protection.store
from buyer_protection import (
    ALIEXPRESS,
    PAYPAL,
    DuplicateOrder,
    InvalidInput,
    Money,
    Order,
    Reason,
    StoreError,
    from_dict,
    to_dict,
)
from buyer_protection.storage import SCHEMA_VERSION
from buyer_protection.store import OrderStore
from strategies import new_order

DAY = timedelta(days=1)
PAID = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
DOCUMENTS = Path(__file__).parent / "fixtures" / "documents"
OLD = sorted(
    path
    for path in DOCUMENTS.glob("v5_*.json")
    if isinstance(json.loads(path.read_text("utf-8")), dict)  # not an event log
)


@pytest.fixture
def store(store_url: str) -> Iterator[OrderStore]:
    """A store on the test's empty database, closed afterwards."""
    with OrderStore(store_url) as opened:
        yield opened


def sample(count: int, prefix: str = "J") -> list[Order]:
    """*count* orders: unshipped, shipped and disputed in turns, of two marketplaces."""
    orders = []
    for n in range(count):
        policy = PAYPAL if n % 2 else ALIEXPRESS
        order = new_order(policy, Money("25.50", "EUR"), PAID + n * DAY, f"{prefix}-{n:03}")
        if n % 3:
            order.ship(order.paid_at + DAY)
        if n % 3 == 2 and order.earliest_dispute is not None:
            order.open_dispute(
                order.earliest_dispute, reason=Reason.NOT_RECEIVED, refund=order.total
            )
        orders.append(order)
    return orders


def line(order: Order) -> str:
    """The JSON Lines line of *order*, written as another program might (spaced, indented
    no further)."""
    return json.dumps(to_dict(order), indent=None, separators=(", ", ": "))


def write(path: Path, lines: list[str]) -> Path:
    """The file at *path* holding *lines*, each ended by a newline."""
    path.write_text("".join(f"{text}\n" for text in lines), encoding="utf-8")
    return path


def documents(store: OrderStore) -> dict[str, dict[str, Any]]:
    """Every stored order's document, by id."""
    return {order_id: to_dict(store.get(order_id)) for order_id in store.find()}


# -- export -------------------------------------------------------------------------


def test_export_writes_each_order_as_its_document_by_id(store: OrderStore, tmp_path: Path) -> None:
    """`export_jsonl` writes a line per stored order, by id, each parsing to the order's
    `to_dict`, and returns how many."""
    orders = sample(7)
    store.add_all(reversed(orders))
    path = tmp_path / "orders.jsonl"
    assert store.export_jsonl(path) == 7
    lines = path.read_text("utf-8").splitlines()
    assert [json.loads(text) for text in lines] == [to_dict(order) for order in orders]


def test_export_then_import_round_trips(store: OrderStore, tmp_path: Path) -> None:
    """Orders exported from one store and imported into an empty one are the same orders,
    and exporting them again writes the same documents."""
    orders = sample(9)
    with OrderStore("sqlite://") as source:
        source.add_all(orders)
        first = tmp_path / "first.jsonl"
        assert source.export_jsonl(str(first)) == 9
    assert store.import_jsonl(first) == 9
    assert documents(store) == {order.order_id: to_dict(order) for order in orders}
    second = tmp_path / "second.jsonl"
    assert store.export_jsonl(second) == 9
    read = [json.loads(text) for text in second.read_text("utf-8").splitlines()]
    assert read == [json.loads(text) for text in first.read_text("utf-8").splitlines()]


def test_export_of_an_empty_store_writes_an_empty_file(store: OrderStore, tmp_path: Path) -> None:
    """`export_jsonl` of a store without orders writes an empty file and returns 0."""
    path = tmp_path / "orders.jsonl"
    assert store.export_jsonl(path) == 0
    assert path.read_bytes() == b""


def test_export_reads_more_than_a_page(
    store: OrderStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`export_jsonl` of more orders than one query reads writes them all, by id."""
    monkeypatch.setattr(buyer_protection.store, "PAGE", 3)
    orders = sample(10)
    store.add_all(orders)
    path = tmp_path / "orders.jsonl"
    assert store.export_jsonl(path) == 10
    lines = path.read_text("utf-8").splitlines()
    assert [json.loads(text)["order_id"] for text in lines] == [o.order_id for o in orders]


def test_export_replaces_a_file_that_is_there(store: OrderStore, tmp_path: Path) -> None:
    """`export_jsonl` to an existing file replaces its contents and leaves no other file."""
    store.add_all(sample(2))
    path = tmp_path / "out" / "orders.jsonl"
    path.parent.mkdir()
    path.write_text("old contents, longer than what replaces them\n" * 100, encoding="utf-8")
    assert store.export_jsonl(path) == 2
    assert [json.loads(text)["order_id"] for text in path.read_text("utf-8").splitlines()] == [
        "J-000",
        "J-001",
    ]
    assert os.listdir(path.parent) == ["orders.jsonl"]


def test_two_exports_to_one_file_at_once_both_write_it_whole(
    store: OrderStore, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export that starts while another to the same file is partway (two workers on
    one schedule) does not write into the other's unfinished file: both succeed, the
    file ends as one whole export, and no other file is left."""
    monkeypatch.setattr(buyer_protection.store, "PAGE", 2)
    store.add_all(sample(7))
    path = tmp_path / "out" / "orders.jsonl"
    path.parent.mkdir()
    pages: list[str] = []

    def meanwhile(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "document" in statement and len(pages) < 2:
            pages.append(statement)
            if len(pages) == 2:  # the first page is written: the other export runs now
                with OrderStore(store_url) as other:
                    assert other.export_jsonl(path) == 7

    sa.event.listen(store.engine, "before_cursor_execute", meanwhile)
    assert store.export_jsonl(path) == 7
    assert len(pages) == 2
    exported = [json.loads(text) for text in path.read_text("utf-8").splitlines()]
    assert exported == [to_dict(order) for order in sample(7)]
    assert os.listdir(path.parent) == ["orders.jsonl"]


def insert_row(url: str, order_id: str, document: dict[str, Any], text: str | None = None) -> None:
    """Store, by SQL as an earlier library would have, a row holding *document* (of its
    own schema version) for *order_id*; *text* is the stored document, if not its JSON."""
    order = from_dict(document) if text is None else None
    deadline = None if order is None else order.next_deadline
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO buyer_protection_orders (order_id, version, state, dispute_state,"
                " due_at, due_action, due_meaning, due_subject, schema, document) VALUES"
                " (:order_id, 1, :state, :dispute_state, :due_at, :due_action, :due_meaning,"
                " :due_subject, :schema, :document)"
            ),
            {
                "order_id": order_id,
                "state": "shipped" if order is None else order.state.value,
                "dispute_state": None
                if order is None or order.dispute is None
                else order.dispute.state.value,
                "due_at": None if deadline is None else (deadline.at - epoch) // timedelta(0, 0, 1),
                "due_action": None if deadline is None else deadline.action,
                "due_meaning": None if deadline is None else deadline.meaning,
                "due_subject": None if deadline is None else deadline.subject,
                "schema": document.get("schema_version"),
                "document": json.dumps(document) if text is None else text,
            },
        )
    engine.dispose()


@pytest.mark.parametrize("path", OLD, ids=[p.stem for p in OLD])
def test_export_writes_documents_of_an_earlier_schema_as_the_current_one(
    store: OrderStore, store_url: str, tmp_path: Path, path: Path
) -> None:
    """A row an earlier library stored (a document of schema 5) is exported as the
    order's current `to_dict`, beside the rows of the current schema."""
    old = json.loads(path.read_text("utf-8"))
    assert old["schema_version"] == 5 < SCHEMA_VERSION
    insert_row(store_url, old["order_id"], old)
    store.add_all(sample(2, prefix="A"))
    target = tmp_path / "orders.jsonl"
    assert store.export_jsonl(target) == 3
    read = {d["order_id"]: d for d in map(json.loads, target.read_text("utf-8").splitlines())}
    assert read[old["order_id"]] == to_dict(from_dict(old))
    assert read[old["order_id"]]["schema_version"] == SCHEMA_VERSION
    assert to_dict(store.get(old["order_id"])) == to_dict(from_dict(old))


def test_an_export_that_fails_partway_leaves_the_old_file_and_no_partial_one(
    store: OrderStore, store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export that fails after writing some orders (a stored row that cannot be read)
    is `StoreError` naming the order; the file exported before is untouched and no
    partly written file is left."""
    monkeypatch.setattr(buyer_protection.store, "PAGE", 2)
    store.add_all(sample(5))
    path = tmp_path / "out" / "orders.jsonl"
    path.parent.mkdir()
    path.write_text("the previous export\n", encoding="utf-8")
    insert_row(store_url, "Z-broken", {"schema_version": 5}, text='{"schema_version": 5}')
    with pytest.raises(StoreError, match="'Z-broken' cannot be read"):
        store.export_jsonl(path)
    assert path.read_text("utf-8") == "the previous export\n"
    assert os.listdir(path.parent) == ["orders.jsonl"]


def test_an_export_to_a_folder_that_is_missing_is_refused(
    store: OrderStore, tmp_path: Path
) -> None:
    """`export_jsonl` into a folder that does not exist is `InvalidInput` naming the path;
    no file is made."""
    store.add_all(sample(2))
    with pytest.raises(InvalidInput, match=r"^path: cannot write .*No such file"):
        store.export_jsonl(tmp_path / "missing" / "orders.jsonl")
    assert not (tmp_path / "missing").exists()


# -- import -------------------------------------------------------------------------


def test_import_adds_every_order_and_says_how_many(store: OrderStore, tmp_path: Path) -> None:
    """`import_jsonl` adds the order of each line (a str path or a `Path`) and returns how many."""
    orders = sample(6)
    path = write(tmp_path / "orders.jsonl", [line(order) for order in orders])
    assert store.import_jsonl(str(path)) == 6
    assert documents(store) == {order.order_id: to_dict(order) for order in orders}


def test_import_reads_a_gzip_file_by_its_suffix(store: OrderStore, tmp_path: Path) -> None:
    """A path ending in .gz is read through gzip; the same lines plain are the same orders."""
    orders = sample(4)
    plain = write(tmp_path / "orders.jsonl", [line(order) for order in orders])
    packed = tmp_path / "orders.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert store.import_jsonl(packed) == 4
    assert documents(store) == {order.order_id: to_dict(order) for order in orders}


def test_import_of_an_empty_file_adds_nothing(store: OrderStore, tmp_path: Path) -> None:
    """`import_jsonl` of an empty file, or one of blank lines only, returns 0."""
    assert store.import_jsonl(write(tmp_path / "empty.jsonl", [])) == 0
    assert store.import_jsonl(write(tmp_path / "blank.jsonl", ["", "  ", "\t"])) == 0
    assert len(store) == 0


def test_import_skips_blank_lines(store: OrderStore, tmp_path: Path) -> None:
    """Blank lines (empty, spaces, a Windows line end) are skipped wherever they are."""
    orders = sample(3)
    path = tmp_path / "orders.jsonl"
    path.write_bytes(
        b"\n   \n"
        + line(orders[0]).encode()
        + b"\r\n\r\n"
        + line(orders[1]).encode()
        + b"\n\t\n"
        + line(orders[2]).encode()
    )
    assert store.import_jsonl(path) == 3
    assert list(store.find()) == [order.order_id for order in orders]


def test_an_import_of_a_document_of_an_earlier_schema_stores_the_order(
    store: OrderStore, tmp_path: Path
) -> None:
    """A line holding a document of an earlier schema adds the order it describes."""
    old = json.loads(OLD[0].read_text("utf-8"))
    path = write(tmp_path / "orders.jsonl", [json.dumps(old)])
    assert store.import_jsonl(path) == 1
    assert to_dict(store.get(old["order_id"])) == to_dict(from_dict(old))


def bad_json(orders: list[Order]) -> str:
    """A line cut short."""
    return line(orders[0])[:40]


def bad_document(orders: list[Order]) -> str:
    """A line whose JSON is not a valid order document."""
    document = to_dict(sample(1, prefix="X")[0])
    document["state"] = "flying"
    return json.dumps(document)


def not_utf8(orders: list[Order]) -> str:
    """A line of bytes that are not UTF-8 (as Latin-1 would write an accented id)."""
    return "\udcff"  # written below as the byte 0xFF


def stored_already(orders: list[Order]) -> str:
    """A line of the order the store held before the import."""
    return line(sample(1, prefix="S")[0])


def repeated(orders: list[Order]) -> str:
    """A line of an order an earlier line of the file holds."""
    return line(orders[1])


BAD_LINES: dict[str, tuple[Callable[[list[Order]], str], type[InvalidInput], str]] = {
    "json": (bad_json, InvalidInput, r"column \d+: "),
    "document": (bad_document, InvalidInput, "state: 'flying' is not one of"),
    "encoding": (not_utf8, InvalidInput, "document: the bytes are not UTF-8"),
    "stored": (stored_already, DuplicateOrder, "order 'S-000' is already stored"),
    "repeated": (repeated, DuplicateOrder, "order 'J-001' is also on line 4"),
}


def lines_with(bad: str, good: list[Order]) -> bytes:
    """A file's bytes: a blank line, the *good* orders' lines with a blank line after the
    first, then the *bad* line and one good line more."""
    texts = ["", line(good[0]), "", *map(line, good[1:]), bad, line(sample(1, prefix="Y")[0])]
    return "".join(f"{text}\n" for text in texts).encode("utf-8", "surrogateescape")


@pytest.mark.parametrize("kind", sorted(BAD_LINES))
@pytest.mark.parametrize("good", [2, 7])
def test_a_bad_line_refuses_the_whole_import_naming_its_line(
    store: OrderStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    good: int,
) -> None:
    """A line that is not JSON, not a valid document, not UTF-8, or of an id already
    stored or repeated in the file is `InvalidInput` starting ``line N:`` (counting from
    1, blank lines included); nothing is added, even past more good lines than one page
    of the import holds, and the stored orders stay as they were."""
    monkeypatch.setattr(buyer_protection.store, "PAGE", 3)
    store.add(sample(1, prefix="S")[0])
    before = documents(store)
    make, error, words = BAD_LINES[kind]
    orders = sample(good)
    path = tmp_path / "orders.jsonl"
    path.write_bytes(lines_with(make(orders), orders))
    number = good + 3  # a blank line first, another after the first good line
    with pytest.raises(error, match=f"^line {number}: {words}") as refused:
        store.import_jsonl(path)
    assert str(refused.value).startswith(f"line {number}: ")
    assert documents(store) == before


def test_a_duplicate_line_names_the_order(store: OrderStore, tmp_path: Path) -> None:
    """The `DuplicateOrder` of a repeated or already stored line names the id in
    ``order_id``, and is an `InvalidInput`."""
    store.add(sample(1, prefix="S")[0])
    orders = sample(2)
    path = write(tmp_path / "orders.jsonl", [line(orders[0]), line(sample(1, prefix="S")[0])])
    with pytest.raises(DuplicateOrder) as refused:
        store.import_jsonl(path)
    assert refused.value.order_id == "S-000"
    path = write(tmp_path / "orders.jsonl", [line(orders[0]), line(orders[1]), line(orders[0])])
    with pytest.raises(DuplicateOrder) as refused:
        store.import_jsonl(path)
    assert refused.value.order_id == "J-000"
    assert list(store.find()) == ["S-000"]


def test_an_import_of_a_missing_file_is_refused(store: OrderStore, tmp_path: Path) -> None:
    """`import_jsonl` of a path where no file is is `InvalidInput` naming the path."""
    with pytest.raises(InvalidInput, match=r"^path: cannot read .*missing\.jsonl"):
        store.import_jsonl(tmp_path / "missing.jsonl")


def test_an_import_of_a_folder_is_refused(store: OrderStore, tmp_path: Path) -> None:
    """`import_jsonl` of a folder is `InvalidInput` naming the path."""
    with pytest.raises(InvalidInput, match=r"^path: cannot read "):
        store.import_jsonl(tmp_path)


@pytest.mark.parametrize("method", ["import_jsonl", "export_jsonl"])
@pytest.mark.parametrize("path", [None, 42, b"orders.jsonl", "", ["orders.jsonl"]])
def test_a_path_that_is_not_a_file_path_is_refused(
    store: OrderStore, method: str, path: object
) -> None:
    """A *path* that is not a non-empty str or an `os.PathLike` is `InvalidInput` naming
    path and what it accepts."""
    with pytest.raises(InvalidInput, match=r"^path: expected a file path \(str or os.PathLike\)"):
        getattr(store, method)(path)
