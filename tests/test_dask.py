"""`buyer_protection.dask.scan`: the rows of many JSON Lines files as a Dask DataFrame,
equal to the single-process `scan` of each file, on a cluster of two worker processes
and on Dask's default schedulers."""

from __future__ import annotations

import gzip
import importlib
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from distributed import Client, LocalCluster

from buyer_protection import (
    ALIEXPRESS,
    AMAZON_US,
    EBAY_US,
    PAYPAL,
    InvalidInput,
    MissingDependency,
    Money,
    Order,
    Reason,
    dumps,
    scan,
)
from buyer_protection.dask import DTYPES
from buyer_protection.dask import scan as dask_scan
from buyer_protection.status import COLUMNS

AT = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
PRESETS = (ALIEXPRESS, EBAY_US, PAYPAL, AMAZON_US)
COUNTER = Money("5.00", "USD")


def _order(i: int, *, after: datetime = AT) -> Order:
    """Order *i*, of a state drawn at random (seeded by *i*), its last event before
    *after*: awaiting shipment, shipped, or disputed (open, countered or accepted)."""
    rng = random.Random(i)
    total = Money(f"{10 + i % 90}.{i % 100:02d}", "USD")
    paid = after - rng.uniform(20, 70) * DAY
    order = Order(f"T{i:05d}", total, paid, PRESETS[i % len(PRESETS)])
    roll = rng.random()
    if roll < 0.15:
        return order
    order.ship(paid + DAY, estimated_delivery=paid + 8 * DAY)
    if roll < 0.5:
        return order
    if order.policy.contact_wait is not None:  # the buyer must write to the seller first
        order.contact_seller(paid + 9 * DAY)
    earliest = order.earliest_dispute
    assert earliest is not None
    opened = max(paid + 15 * DAY, earliest, order.contact_wait_ends or earliest)
    dispute = order.open_dispute(opened, reason=Reason.NOT_RECEIVED, refund=total)
    if roll < 0.7:
        dispute.seller_reject(opened + DAY / 2, counter_offer=COUNTER)
    elif roll < 0.85:
        dispute.seller_accept(opened + DAY / 2)
    return order


def _write(path: Path, lines: list[str]) -> Path:
    """*lines* written to *path* as JSON Lines (through gzip when it ends in ``.gz``)."""
    data = "".join(f"{line}\n" for line in lines).encode()
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three JSON Lines files of a few dozen orders each (one gzip, one with blank lines)."""
    folder = tmp_path_factory.mktemp("orders")
    documents = [dumps(_order(i), indent=None) for i in range(90)]
    return [
        _write(folder / "a.jsonl", documents[:30]),
        _write(folder / "b.jsonl.gz", documents[30:60]),
        _write(folder / "c.jsonl", [*documents[60:75], "", "   ", *documents[75:]]),
    ]


@pytest.fixture(scope="module")
def corrupt(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two files with documents that cannot be read among good ones."""
    folder = tmp_path_factory.mktemp("corrupt")
    good = [dumps(_order(i), indent=None) for i in range(100, 106)]
    late = dumps(_order(106, after=AT + 90 * DAY), indent=None)  # its events are after AT
    return [
        _write(folder / "d.jsonl", [good[0], "not json", good[1], '{"schema_version": 1}']),
        _write(folder / "e.jsonl.gz", [good[2], "", late, good[3], "[]", good[4], good[5]]),
    ]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A cluster of two worker processes (one thread each), for the whole module."""
    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster, set_as_default=False) as connected,
    ):
        yield connected


def _expected(paths: list[Path], **options: Any) -> list[dict[str, Any]]:
    """The rows of the single-process `scan` of each file, with its path, in order."""
    return [
        {**status.as_row(), "path": os.fspath(path)}
        for path in paths
        for status in scan(path, AT, **options)
    ]


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of *table* as plain Python values: datetimes, str, int and None."""

    def plain(value: Any) -> Any:
        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
        return value.item() if hasattr(value, "item") else value

    return [{k: plain(v) for k, v in row.items()} for row in table.to_dict("records")]


@pytest.mark.parametrize(("verify", "side"), [(False, "buyer"), (True, "buyer"), (False, "seller")])
def test_rows_on_a_cluster_equal_the_single_process_scan(
    client: Client, files: list[Path], verify: bool, side: str
) -> None:
    """On two worker processes, the rows are those of `scan` of each file in turn, with
    the file's line numbers and path, with and without verify, for either side."""
    table = dask_scan(files, AT, side=side, verify=verify)
    computed = client.compute(table).result()
    assert table.npartitions == len(files)
    assert _records(computed) == _expected(files, side=side, verify=verify)
    assert len(computed) == 90
    assert computed["line"].max() == 32  # the blank lines are counted


def test_the_rows_are_of_mixed_states_some_disputed(client: Client, files: list[Path]) -> None:
    """The files hold orders in several states, some with a dispute, so that the rows
    compared are not all alike."""
    computed = client.compute(dask_scan(files, AT)).result()
    assert computed["state"].nunique() >= 3
    assert computed["dispute_state"].nunique() >= 2
    assert computed["dispute_state"].isna().sum() >= 10


def test_reported_errors_on_a_cluster_are_rows_at_their_lines(
    client: Client, corrupt: list[Path]
) -> None:
    """With errors="report", each unreadable document is a row holding its line, its
    error and its file's path, as `scan` reports it, and the scan goes on."""
    computed = client.compute(dask_scan(corrupt, AT, errors="report")).result()
    rows = _records(computed)
    assert rows == _expected(corrupt, errors="report")
    failed = [(Path(row["path"]).name, row["line"]) for row in rows if row["error"]]
    assert failed == [("d.jsonl", 2), ("d.jsonl", 4), ("e.jsonl.gz", 3), ("e.jsonl.gz", 5)]
    assert all(row["error"].startswith(f"line {row['line']}: ") for row in rows if row["error"])
    assert computed[computed["error"].notna()]["order_id"].isna().all()


def test_an_unreadable_document_raises_when_computed_on_a_cluster(
    client: Client, corrupt: list[Path]
) -> None:
    """With errors="raise", computing raises `InvalidInput` naming the file and the line."""
    table = dask_scan(corrupt[:1], AT)
    with pytest.raises(InvalidInput, match=r"^'.*d\.jsonl': line 2: "):
        client.compute(table).result()


@pytest.mark.parametrize("scheduler", ["threads", "sync"])
def test_rows_without_a_cluster_equal_the_single_process_scan(
    files: list[Path], corrupt: list[Path], scheduler: str
) -> None:
    """Without a cluster, on Dask's threads or in this thread, the rows are those of
    `scan` too, reported errors included."""
    paths = [*files, *corrupt]
    computed = dask_scan(paths, AT, errors="report").compute(scheduler=scheduler)
    assert _records(computed) == _expected(paths, errors="report")


def test_an_unreadable_document_raises_when_computed_without_a_cluster(
    corrupt: list[Path],
) -> None:
    """With errors="raise" (the default), computing on Dask's threads raises
    `InvalidInput` starting with the file and ``line N:``."""
    with pytest.raises(InvalidInput, match=r"^'.*e\.jsonl\.gz': line 3: .* after at"):
        dask_scan(corrupt[1], AT).compute(scheduler="sync")


def test_columns_and_dtypes_are_known_without_reading_a_file(tmp_path: Path) -> None:
    """The DataFrame's columns and dtypes come from `DTYPES`, not from reading a file:
    a file broken after the call is only found when computing."""
    path = _write(tmp_path / "orders.jsonl", [dumps(_order(1), indent=None)])
    table = dask_scan(path, AT)
    path.write_text("not json\n")
    assert tuple(table.columns) == (*COLUMNS, "path")
    assert dict(table.dtypes) == DTYPES
    with pytest.raises(InvalidInput, match="line 1: "):
        table.compute(scheduler="sync")


def test_computed_columns_have_the_documented_dtypes(files: list[Path], tmp_path: Path) -> None:
    """Computed, the columns keep `DTYPES` (instants as UTC timestamps, text as strings,
    line as int64), also for an empty file; the path column is the path as given."""
    empty = _write(tmp_path / "empty.jsonl", [])
    computed = dask_scan([files[0], empty], AT).compute(scheduler="sync")
    assert dict(computed.dtypes) == DTYPES
    assert str(computed["protection_ends"].dtype) == "datetime64[us, UTC]"
    assert set(computed["path"]) == {os.fspath(files[0])}
    alone = dask_scan(str(empty), AT).compute(scheduler="sync")
    assert len(alone) == 0
    assert dict(alone.dtypes) == DTYPES


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        ({"at": datetime(2026, 6, 15)}, "at: "),
        ({"side": "nobody"}, "side: "),
        ({"verify": "yes"}, "verify: expected True or False"),
        ({"errors": "ignore"}, "errors: expected 'raise' or 'report'"),
        ({"paths": 42}, "paths: expected a path"),
        ({"paths": b"a.jsonl"}, "paths: expected a path"),
        ({"paths": []}, "paths: expected at least one path"),
        ({"paths": [42]}, "paths: expected a file path"),
        ({"paths": ["missing.jsonl"]}, "paths: cannot read 'missing.jsonl'"),
    ],
)
def test_bad_arguments_are_invalid_input_when_called(
    files: list[Path], arguments: dict[str, Any], words: str
) -> None:
    """A bad argument, or a file that cannot be read, is `InvalidInput` naming the
    argument at the call, before anything is computed."""
    given: dict[str, Any] = {"paths": files, "at": AT, **arguments}
    with pytest.raises(InvalidInput, match=f"^{words}"):
        dask_scan(given.pop("paths"), given.pop("at"), **given)


def test_without_dask_importing_the_module_is_a_missing_dependency(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where Dask cannot be imported, importing `buyer_protection.dask` raises
    `MissingDependency` naming the ``dask`` extra."""
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.dataframe", None)
    monkeypatch.delitem(sys.modules, "buyer_protection.dask")
    with pytest.raises(MissingDependency, match=r"pip install 'buyer-protection\[dask\]'"):
        importlib.import_module("buyer_protection.dask")


def test_importing_buyer_protection_does_not_import_dask() -> None:
    """``import buyer_protection`` leaves Dask unimported (it is an optional extra)."""
    done = subprocess.run(
        [sys.executable, "-c", "import buyer_protection, sys; assert 'dask' not in sys.modules"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
