"""The rules of marketplace buyer protection, as typed values and one lifecycle.

Everything public is importable from here; the modules hold the code.
"""

from importlib.metadata import PackageNotFoundError, version

from .advice import Step, advise
from .calendars import BusinessDays, Calendar
from .dispute import Dispute
from .errors import (
    BuyerProtectionError,
    Conflict,
    CurrencyMismatch,
    DuplicateOrder,
    InvalidAction,
    InvalidInput,
    MissingDependency,
    OrderNotFound,
    StoreError,
)
from .feeds import parse_tracking
from .history import HistoryEntry
from .lifecycle import Actor, DisputeState, OrderState
from .milestones import Milestone
from .money import Money
from .order import Deadline, Order
from .policy import ALIEXPRESS, Anchor, Consequence, Policy
from .presets import (
    ALIEXPRESS_2015,
    ALIEXPRESS_2018,
    AMAZON_US,
    EBAY_UK,
    EBAY_US,
    PAYPAL,
    policies,
    policy_for,
)
from .status import Status, scan
from .storage import dumps, from_dict, loads, to_dict
from .terms import Agreement, Outcome, Reason, Remedy, Resolution
from .timeline import to_ical
from .tracking import Parcel, TrackingEvent, TrackingStatus

try:
    __version__ = version("buyer-protection")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "ALIEXPRESS",
    "ALIEXPRESS_2015",
    "ALIEXPRESS_2018",
    "AMAZON_US",
    "EBAY_UK",
    "EBAY_US",
    "PAYPAL",
    "Actor",
    "Agreement",
    "Anchor",
    "BusinessDays",
    "BuyerProtectionError",
    "Calendar",
    "Conflict",
    "Consequence",
    "CurrencyMismatch",
    "Deadline",
    "Dispute",
    "DisputeState",
    "DuplicateOrder",
    "HistoryEntry",
    "InvalidAction",
    "InvalidInput",
    "Milestone",
    "MissingDependency",
    "Money",
    "Order",
    "OrderNotFound",
    "OrderState",
    "Outcome",
    "Parcel",
    "Policy",
    "Reason",
    "Remedy",
    "Resolution",
    "Status",
    "Step",
    "StoreError",
    "TrackingEvent",
    "TrackingStatus",
    "__version__",
    "advise",
    "dumps",
    "from_dict",
    "loads",
    "parse_tracking",
    "policies",
    "policy_for",
    "scan",
    "to_dict",
    "to_ical",
]
