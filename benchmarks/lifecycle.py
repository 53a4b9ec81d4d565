"""How fast and how small one order's dispute lifecycle is, next to two references.

Each of N orders is created, shipped, disputed ("not received", full refund, on the
first day the policy allows it), rejected by the seller with a counter-offer,
escalated by the buyer and decided by the platform, all through the public API and
with explicit aware datetimes (no wall clock inside the measured work). The same run
measures:

- **library**: `buyer_protection.Order` and `Dispute`;
- **(a) machine per object**: the same lifecycle written the straightforward way, one
  `transitions.Machine` per order and one per dispute, built from the library's own
  tables (`ORDER.table`, `DISPUTE.table`), with the domain work kept minimal;
- **(b) floor**: the same `MACHINE.events[name].trigger(obj)` calls the library fires
  for this lifecycle, on plain slotted objects, through the library's shared machines,
  with no domain work at all.

Times are the best of ``--repeat`` runs, the passes taking turns (time.perf_counter,
gc.collect() between runs), with the cyclic garbage collector on as in real programs
(``--no-gc`` shows its share). Memory is what the list of N orders retains
(tracemalloc, in a separate pass so that tracing does not slow the timing).

(a) is slow and big: about a millisecond and 44 KB per order, most of the time
spent by the garbage collector walking the per-object Machines, so its cost per
order grows with N. It is timed on the same N as the library by default (about two
minutes per run at 100,000 orders, and 4.5 GB); ``--baseline-orders`` makes it
smaller and faster, which flatters (a). Its bytes per order do not depend on N, so
its memory pass uses at most 10,000 orders.

``--profile`` profiles the library pass instead (cProfile and tracemalloc). Run::

    python benchmarks/lifecycle.py            # 100,000 orders
    python benchmarks/lifecycle.py --orders 10000 --json
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from typing import Any

from transitions import Machine

from buyer_protection import ALIEXPRESS, Money, Order, OrderState, Reason
from buyer_protection.lifecycle import DISPUTE, ORDER, DisputeState

GOAL_SPEEDUP_VS_A = 8.0
GOAL_RATIO_VS_FLOOR = 1.6
GOAL_BYTES_PER_ORDER = 4096
BASELINE_MEMORY_ORDERS = 10_000  # (a) retains ~44 KB per order, flat in N

# The inputs every pass shares: values an application would hold once (a policy's
# amounts), not per order. Per-order instants are computed inside the measured loop.
PAID_0 = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
STEP = timedelta(seconds=1)  # order i is paid i seconds after PAID_0
TO_SHIP = timedelta(days=1)
TO_DISPUTE = ALIEXPRESS.earliest_not_received  # the first instant "not received" is allowed
TO_REJECT = timedelta(days=2)  # inside seller_response_window (5 days)
TO_ESCALATE = timedelta(days=1)  # inside negotiation_window (5 days)
TO_DECIDE = timedelta(days=3)  # arbitration has no clock
TOTAL = Money("25.90", "USD")
COUNTER = Money("10.00", "USD")
ZERO = Money.zero("USD")

# The triggers the library fires for this lifecycle, in order (checked at start-up by
# `fired_triggers`). A dispute is created in its initial state: no trigger for that.
TRIGGERS = (
    (ORDER, "ship"),
    (ORDER, "open_dispute"),
    (DISPUTE, "seller_reject"),
    (DISPUTE, "escalate"),
    (DISPUTE, "platform_decide"),
    (ORDER, "dispute_resolved"),
)


# -- the library -------------------------------------------------------------------


def run_library(n: int) -> list[Order]:
    """N orders through the public API; returns them (so they stay alive)."""
    orders: list[Order] = []
    append = orders.append
    not_received = Reason.NOT_RECEIVED
    for i in range(n):
        paid = PAID_0 + i * STEP
        shipped = paid + TO_SHIP
        opened = shipped + TO_DISPUTE
        rejected = opened + TO_REJECT
        escalated = rejected + TO_ESCALATE
        order = Order(f"AE{i:08d}", TOTAL, paid)
        order.ship(shipped)
        dispute = order.open_dispute(opened, reason=not_received, refund=TOTAL)
        dispute.seller_reject(rejected, counter_offer=COUNTER)
        dispute.escalate(escalated)
        dispute.platform_decide(escalated + TO_DECIDE, refund=TOTAL)
        append(order)
    return orders


def expect(ok: bool, what: str) -> None:
    """Stop the benchmark when a pass did not do the work it claims (kept under -O)."""
    if not ok:
        raise SystemExit(f"benchmark check failed: {what}")


def check_library(orders: list[Order]) -> None:
    """Every order ended as the lifecycle says (outside the measured work)."""
    for order in orders:
        dispute = order.dispute
        expect(order.state is OrderState.CLOSED, f"library order ended {order.state}")
        expect(dispute is not None, "library order has no dispute")
        assert dispute is not None  # for mypy
        expect(dispute.state is DisputeState.RESOLVED, f"dispute ended {dispute.state}")
        expect(order.refunded == TOTAL, f"refunded {order.refunded}")
        expect(len(order.history) + len(dispute.history) == 7, "history is not 7 entries")


# -- (a) one transitions.Machine per object ----------------------------------------


def _machine_kwargs(lifecycle: Any) -> dict[str, Any]:
    return {
        "states": list(lifecycle.states),
        "initial": lifecycle.initial,
        "transitions": lifecycle.transitions(),
        "auto_transitions": False,
    }


ORDER_KWARGS = _machine_kwargs(ORDER)
DISPUTE_KWARGS = _machine_kwargs(DISPUTE)


def _aware(at: datetime) -> datetime:
    if at.utcoffset() is None:
        raise ValueError("naive datetime")
    return at.astimezone(UTC)


class PlainOrder:
    """An order as one would write it with a Machine per object (the model gets methods)."""

    state: OrderState
    ship: Callable[[], bool]
    open_dispute: Callable[[], bool]
    dispute_resolved: Callable[[], bool]

    def __init__(self, order_id: str, total: Money, paid_at: datetime) -> None:
        self.order_id = order_id
        self.total = total
        self.paid_at = _aware(paid_at)
        self.shipped_at: datetime | None = None
        self.protection_days = 0
        self.refunded = ZERO
        self.dispute: PlainDispute | None = None
        self.history: list[tuple[Any, ...]] = [(paid_at, "buyer", "pay", None, None, {})]
        Machine(model=self, **ORDER_KWARGS)

    def do_ship(self, at: datetime) -> None:
        at = _aware(at)
        before = self.state
        self.ship()
        self.shipped_at = at
        self.protection_days = ALIEXPRESS.protection_days
        details = {"protection_days": self.protection_days}
        self.history.append((at, "seller", "ship", before, self.state, details))

    def do_open_dispute(self, at: datetime, reason: Reason, refund: Money) -> PlainDispute:
        at = _aware(at)
        assert self.shipped_at is not None
        if at < self.shipped_at + ALIEXPRESS.earliest_not_received or refund > self.total:
            raise ValueError("too early or too much")
        before = self.state
        self.open_dispute()
        self.history.append((at, "buyer", "open_dispute", before, self.state, {"refund": refund}))
        self.dispute = PlainDispute(self, reason, refund, at)
        return self.dispute

    def do_dispute_resolved(self, at: datetime, refund: Money) -> None:
        self.refunded = self.refunded + refund
        before = self.state
        self.dispute_resolved()
        self.history.append((at, "system", "dispute_resolved", before, self.state, {}))


class PlainDispute:
    """A dispute with its own Machine."""

    state: DisputeState
    seller_reject: Callable[[], bool]
    escalate: Callable[[], bool]
    platform_decide: Callable[[], bool]

    def __init__(self, order: PlainOrder, reason: Reason, request: Money, at: datetime) -> None:
        self.order = order
        self.reason = reason
        self.request = request
        self.opened_at = at
        self.counter_offer: Money | None = None
        self.countered_at: datetime | None = None
        self.outcome: tuple[Money, str, datetime] | None = None
        self.history: list[tuple[Any, ...]] = []
        Machine(model=self, **DISPUTE_KWARGS)

    def _refund_only(self) -> bool:  # the conditions of the dispute's agreeing rows
        return True

    def _with_return(self) -> bool:
        return False

    def do_seller_reject(self, at: datetime, counter_offer: Money) -> None:
        at = _aware(at)
        if at >= self.opened_at + ALIEXPRESS.seller_response_window:
            raise ValueError("too late")
        before = self.state
        self.seller_reject()
        self.counter_offer = counter_offer
        self.countered_at = at
        self.history.append((at, "seller", "seller_reject", before, self.state, {}))

    def do_escalate(self, at: datetime) -> None:
        at = _aware(at)
        before = self.state
        self.escalate()
        self.history.append((at, "buyer", "escalate", before, self.state, {}))

    def do_platform_decide(self, at: datetime, refund: Money) -> None:
        at = _aware(at)
        order = self.order
        if refund > order.total - order.refunded:
            raise ValueError("too much")
        before = self.state
        self.platform_decide()
        self.outcome = (refund, "platform_arbitrate", at)
        self.history.append((at, "platform", "platform_decide", before, self.state, {}))
        order.do_dispute_resolved(at, refund)


def run_machine_per_object(n: int) -> list[PlainOrder]:
    """(a): the same lifecycle with one `transitions.Machine` per order and per dispute."""
    orders: list[PlainOrder] = []
    append = orders.append
    not_received = Reason.NOT_RECEIVED
    for i in range(n):
        paid = PAID_0 + i * STEP
        shipped = paid + TO_SHIP
        opened = shipped + TO_DISPUTE
        rejected = opened + TO_REJECT
        escalated = rejected + TO_ESCALATE
        order = PlainOrder(f"AE{i:08d}", TOTAL, paid)
        order.do_ship(shipped)
        dispute = order.do_open_dispute(opened, not_received, TOTAL)
        dispute.do_seller_reject(rejected, COUNTER)
        dispute.do_escalate(escalated)
        dispute.do_platform_decide(escalated + TO_DECIDE, TOTAL)
        append(order)
    return orders


def check_machine_per_object(orders: list[PlainOrder]) -> None:
    """Every (a) order ended where the library's do."""
    for order in orders:
        dispute = order.dispute
        expect(order.state is OrderState.CLOSED, f"(a) order ended {order.state}")
        expect(dispute is not None, "(a) order has no dispute")
        assert dispute is not None  # for mypy
        expect(dispute.state is DisputeState.RESOLVED, f"(a) dispute ended {dispute.state}")
        expect(order.refunded == TOTAL, f"(a) refunded {order.refunded}")


# -- (b) the floor: bare triggers through the shared machines ------------------------


class Bare:
    """A model with nothing but a state."""

    __slots__ = ("state",)

    state: OrderState | DisputeState

    def __init__(self, state: OrderState | DisputeState) -> None:
        self.state = state

    def _refund_only(self) -> bool:  # the conditions of the dispute's agreeing rows
        return True

    def _with_return(self) -> bool:
        return False


def run_floor(n: int) -> list[tuple[Bare, Bare]]:
    """(b): per order, the library's six triggers on two bare objects."""
    order_events = ORDER.machine.events
    dispute_events = DISPUTE.machine.events
    awaiting_shipment = OrderState.AWAITING_SHIPMENT
    awaiting_seller = DisputeState.AWAITING_SELLER
    pairs: list[tuple[Bare, Bare]] = []
    append = pairs.append
    for _ in range(n):
        order = Bare(awaiting_shipment)
        order_events["ship"].trigger(order)
        order_events["open_dispute"].trigger(order)
        dispute = Bare(awaiting_seller)
        dispute_events["seller_reject"].trigger(dispute)
        dispute_events["escalate"].trigger(dispute)
        dispute_events["platform_decide"].trigger(dispute)
        order_events["dispute_resolved"].trigger(order)
        append((order, dispute))
    return pairs


def check_floor(pairs: list[tuple[Bare, Bare]]) -> None:
    """Every bare pair ended in the library's final states."""
    for order, dispute in pairs:
        expect(order.state is OrderState.CLOSED, f"(b) order ended {order.state}")
        expect(dispute.state is DisputeState.RESOLVED, f"(b) dispute ended {dispute.state}")


# -- measuring ---------------------------------------------------------------------


@contextmanager
def recording_triggers(fired: list[tuple[str, str]]) -> Iterator[None]:
    """Record every trigger fired through the shared machines (patched per Event)."""
    patched = []
    for lifecycle in (ORDER, DISPUTE):
        for name, event in lifecycle.machine.events.items():

            def spy(
                model: Any, *a: Any, _e: Any = event, _k: Any = (lifecycle, name), **kw: Any
            ) -> Any:
                fired.append((_k[0].name, _k[1]))
                return type(_e).trigger(_e, model, *a, **kw)

            event.trigger = spy  # type: ignore[method-assign]
            patched.append(event)
    try:
        yield
    finally:
        for event in patched:
            del event.trigger


def fired_triggers() -> list[tuple[str, str]]:
    """The (machine, trigger) pairs the library really fires for one order."""
    fired: list[tuple[str, str]] = []
    with recording_triggers(fired):
        run_library(1)
    return fired


Run = Callable[[int], list[Any]]


def timed(run: Run, n: int, *, collect: bool = True) -> float:
    """Seconds one ``run(n)`` takes, its results kept alive until the clock stops.

    *collect* False switches the cyclic garbage collector off inside the timed run,
    to show its share (it is on in real programs, so it is on by default).
    """
    gc.collect()
    if not collect:
        gc.disable()
    try:
        start = time.perf_counter()
        kept = run(n)
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    del kept
    gc.collect()
    return elapsed


def retained_bytes(run: Run, n: int) -> float:
    """Bytes per order that the list returned by ``run(n)`` retains (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = run(n)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    gc.collect()
    return (after - before) / n


def environment() -> dict[str, str]:
    """Python, platform and the versions of the libraries measured."""
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": str(os.cpu_count()),
        "load_average_1min": f"{os.getloadavg()[0]:.2f}",
        "transitions": version("transitions"),
        "attrs": version("attrs"),
        "buyer_protection": version("buyer-protection"),
    }


def measure(orders: int, baseline_orders: int, repeat: int, *, collect: bool) -> dict[str, Any]:
    """Run the three passes and return every figure."""
    load_before = os.getloadavg()[0]
    fired = fired_triggers()
    expected = [(lifecycle.name, name) for lifecycle, name in TRIGGERS]
    if fired != expected:
        raise SystemExit(f"the library fired {fired}, the floor assumes {expected}")

    # One small run of each, checked, before anything is timed.
    check_library(run_library(100))
    check_machine_per_object(run_machine_per_object(100))
    check_floor(run_floor(100))

    passes: dict[str, tuple[Run, int]] = {
        "library": (run_library, orders),
        "machine_per_object": (run_machine_per_object, baseline_orders),
        "floor": (run_floor, orders),
    }
    # The passes take turns, so that a busy machine slows each of them alike.
    best = dict.fromkeys(passes, float("inf"))
    for _ in range(repeat):
        for name, (run, n) in passes.items():
            best[name] = min(best[name], timed(run, n, collect=collect))
    results: dict[str, Any] = {
        name: {"orders": n, "us_per_order": best[name] / n * 1e6} for name, (_, n) in passes.items()
    }
    for name, (run, n) in passes.items():
        m = min(n, BASELINE_MEMORY_ORDERS) if name == "machine_per_object" else n
        results[name]["memory_orders"] = m
        results[name]["bytes_per_order"] = retained_bytes(run, m)

    lib = results["library"]
    speedup = results["machine_per_object"]["us_per_order"] / lib["us_per_order"]
    ratio = lib["us_per_order"] / results["floor"]["us_per_order"]
    goals = {
        "speedup_vs_machine_per_object": {
            "value": speedup,
            "goal": f">= {GOAL_SPEEDUP_VS_A:g}",
            "pass": speedup >= GOAL_SPEEDUP_VS_A,
        },
        "ratio_to_floor": {
            "value": ratio,
            "goal": f"<= {GOAL_RATIO_VS_FLOOR:g}",
            "pass": ratio <= GOAL_RATIO_VS_FLOOR,
        },
        "bytes_per_order": {
            "value": lib["bytes_per_order"],
            "goal": f"< {GOAL_BYTES_PER_ORDER}",
            "pass": lib["bytes_per_order"] < GOAL_BYTES_PER_ORDER,
        },
    }
    env = environment()
    env["load_average_1min"] = f"{load_before:.2f} before, {env['load_average_1min']} after"
    return {
        "environment": env,
        "repeat": repeat,
        "gc_during_timing": collect,
        "triggers_per_order": [f"{m}.{t}" for m, t in fired],
        "results": results,
        "goals": goals,
    }


def report(figures: dict[str, Any]) -> str:
    """The figures as a short text table with PASS/FAIL lines."""
    env = figures["environment"]
    gc_note = "" if figures["gc_during_timing"] else ", cyclic gc OFF while timing"
    lines = [
        f"Python {env['python']} ({env['implementation']}) on {env['platform']}",
        f"{env['cpus']} CPUs, load average (1 min) {env['load_average_1min']}",
        f"transitions {env['transitions']}, attrs {env['attrs']}, "
        f"buyer-protection {env['buyer_protection']}",
        f"time: best of {figures['repeat']}{gc_note}; memory: tracemalloc, retained by the list",
        "triggers per order: " + ", ".join(figures["triggers_per_order"]),
        "",
        f"{'pass':<30} {'orders':>9} {'us/order':>10} {'bytes/order':>12}",
    ]
    labels = {
        "library": "library (Order, Dispute)",
        "machine_per_object": "(a) Machine per object",
        "floor": "(b) floor: bare triggers",
    }
    notes = []
    for key, label in labels.items():
        r = figures["results"][key]
        mark = ""
        if r["memory_orders"] != r["orders"]:
            mark = " *"
            notes.append(f"* bytes per order measured on {r['memory_orders']:,} orders")
        lines.append(
            f"{label:<30} {r['orders']:>9,} {r['us_per_order']:>10.2f} "
            f"{r['bytes_per_order']:>12,.0f}{mark}"
        )
    lines += notes
    goals = figures["goals"]
    speed = goals["speedup_vs_machine_per_object"]
    floor = goals["ratio_to_floor"]
    size = goals["bytes_per_order"]
    lines += [
        "",
        f"{'PASS' if speed['pass'] else 'FAIL'}  library is {speed['value']:.1f}x faster "
        f"than (a) (goal {speed['goal']}x)",
        f"{'PASS' if floor['pass'] else 'FAIL'}  library takes {floor['value']:.2f}x "
        f"the floor (b) (goal {floor['goal']}x)",
        f"{'PASS' if size['pass'] else 'FAIL'}  library retains {size['value']:,.0f} bytes "
        f"per order with its history (goal {size['goal']})",
    ]
    return "\n".join(lines)


# -- profiling (--profile) ---------------------------------------------------------

_GROUPS = (
    ("buyer_protection", f"{os.sep}buyer_protection{os.sep}"),
    ("transitions", f"{os.sep}transitions{os.sep}"),
    ("attrs-generated", "<attrs generated"),
    ("benchmark loop", "lifecycle.py"),
    ("enum", f"{os.sep}enum.py"),
    ("logging", f"{os.sep}logging{os.sep}"),
)


def profile_library(n: int, top: int) -> str:
    """cProfile of the library pass: own time by package, then the top functions.

    cProfile inflates the cost of each Python call, so `transitions` (many small
    calls) looks larger here than in the timings; read shares, not microseconds.
    """
    run_library(100)
    gc.collect()
    profiler = cProfile.Profile()
    profiler.runcall(run_library, n)
    stats = pstats.Stats(profiler)
    own: dict[str, float] = {}
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, _, tottime, _, _) in raw.items():
        group = next((g for g, mark in _GROUPS if mark in filename), "other (builtins, stdlib)")
        own[group] = own.get(group, 0.0) + tottime
    total = sum(own.values())
    out = io.StringIO()
    out.write(f"cProfile of the library pass, {n:,} orders: {total:.2f} s own time in all\n")
    out.write("own time by where the code lives:\n")
    for group, seconds in sorted(own.items(), key=lambda item: -item[1]):
        out.write(f"  {group:<28} {seconds:7.2f} s  {seconds / total:6.1%}\n")
    stats.stream = out  # type: ignore[attr-defined]
    stats.strip_dirs()
    out.write(f"\ntop {top} by own time (tottime):\n")
    stats.sort_stats(pstats.SortKey.TIME).print_stats(top)
    out.write(f"top {top} by cumulative time:\n")
    stats.sort_stats(pstats.SortKey.CUMULATIVE).print_stats(top)
    return out.getvalue()


def memory_by_line(n: int, top: int) -> str:
    """Where the bytes the library's orders retain were allocated (tracemalloc).

    Approximate by site: a block freed to one of CPython's free lists (dicts, tuples)
    and reused keeps the place of its first allocation (often `transitions`).
    """
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        kept = run_library(n)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    diffs = after.compare_to(before, "lineno")
    lines = [f"retained per order by allocation site ({n:,} orders, top {top}):"]
    for diff in diffs[:top]:
        frame = diff.traceback[0]
        where = "/".join(frame.filename.split(os.sep)[-2:]) + f":{frame.lineno}"
        lines.append(f"  {diff.size_diff / n:8.1f} B  {diff.count_diff / n:5.2f} blocks  {where}")
    del kept
    gc.collect()
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, measure, print; exit status 1 when a goal is missed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders per pass")
    parser.add_argument(
        "--baseline-orders",
        type=int,
        default=None,
        help="orders for (a), which is slow (default: --orders; fewer flatters (a))",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timing runs; the best counts")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--no-gc",
        action="store_true",
        help="switch the cyclic garbage collector off while timing (to see its share)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead of the benchmark: profile the library pass (cProfile, tracemalloc)",
    )
    parser.add_argument("--top", type=int, default=15, help="rows per --profile table")
    args = parser.parse_args(argv)
    if args.orders < 1 or args.repeat < 1:
        parser.error("--orders and --repeat must be at least 1")
    if args.profile:
        print(profile_library(args.orders, args.top))
        print(memory_by_line(args.orders, args.top))
        return 0
    baseline = args.baseline_orders or args.orders
    if baseline < 1:
        parser.error("--baseline-orders must be at least 1")
    figures = measure(args.orders, baseline, args.repeat, collect=not args.no_gc)
    print(json.dumps(figures, indent=2) if args.json else report(figures))
    return 0 if all(goal["pass"] for goal in figures["goals"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
