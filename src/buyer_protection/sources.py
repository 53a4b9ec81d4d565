"""Where each preset's numbers come from: every marketplace's rules as a table of sources.

Each row is one rule of a marketplace as RULES.md section 5 gives it, with the fields of
`Policy` that encode it, the instant its clock starts, what its end does, how sure that is,
and where it is published. `sources` gives the table of a policy's marketplace (eBay's
for both eBay sites); AliExpress's rules, and a policy of no marketplace, are described
by the fields of `Policy` themselves (`Policy.rules`), a row a field.

A field of a preset that no row of its table names is the library's default
(``Policy()``'s value): those rules do not publish it.

>>> from buyer_protection import EBAY_UK
>>> [row.rule for row in sources(EBAY_UK) if "appeal_window" in row.fields]
['appeal the decision within 30 days']
"""

from __future__ import annotations

import attrs

from ._text import kind
from .errors import InvalidInput
from .policy import Policy

__all__ = ["Source", "sources"]


@attrs.frozen
class Source:
    """One rule of a marketplace and where it comes from.

    *rule* says the rule in words; *fields* are the names of the `Policy` fields that
    encode it (none for a rule the library does not time, such as a target); *starts*
    and *ends* say what starts its clock and what its end does (empty where the rule has
    no clock); *confidence* is ``"H"``, ``"M"`` or ``"L"`` (high, medium, low); *source*
    names where the rule is published, as RULES.md's list of sources does.
    """

    rule: str
    fields: tuple[str, ...]
    starts: str
    ends: str
    confidence: str
    source: str


def _not_in(marketplace: str, source: str) -> Source:
    """The row of what *marketplace*'s rules do not have, though AliExpress's do."""
    return Source(
        "no cancellation of an order not shipped in time, and no extension of protection "
        f"(nor a cap on one): {marketplace} has neither",
        ("processing_time", "extensions", "max_extension_days"),
        "",
        "",
        "M",
        f"{source}: neither is named (RULES.md section 5)",
    )


_RETURNS = "not encoded: the presets have no clock on a return"

_EBAY_HELP = "eBay help (ebay.co.uk 4042 and 4115, ebay.com 4116, resolving problems)"
_EBAY_CENTRE = "eBay UK seller centre (the February 2020 changes)"

_EBAY = (
    Source(
        "the rules' name and version: eBay UK's since May 2020 (before, the seller had 8 calendar "
        "days); the US site's first date is not published: its preset starts on 2020-01-01",
        ("name", "version", "effective_from"),
        "",
        "",
        "L",
        f"{_EBAY_CENTRE}; the US date: not published",
    ),
    Source(
        "report 'not received': a dispute can be opened from the estimated delivery until "
        "30 days after it, with no other wait and no window after the order completes",
        (
            "filing_window_starts",
            "earliest_not_received",
            "filing_window",
            "wait_for_promised_delivery",
            "post_completion_window",
        ),
        "the estimated delivery Order.ship was given",
        "no cover: no dispute can be opened, the order completes",
        "H",
        _EBAY_HELP,
    ),
    Source(
        "the seller resolves the request within 3 business days (UK: 8 calendar days until "
        "May 2020)",
        ("seller_response_window", "seller_window_starts", "seller_window_ends"),
        "the request's opening (or the buyer's last change)",
        "nothing by itself: the buyer may now escalate (ask eBay to step in)",
        "H",
        f"{_EBAY_HELP}; {_EBAY_CENTRE}",
    ),
    Source(
        "ask eBay to step in within 21 business days",
        ("negotiation_window", "negotiation_window_starts", "negotiation_window_ends"),
        "the request's opening",
        "the request closes with no refund ('expired'); no new dispute on the order",
        "H",
        _EBAY_HELP,
    ),
    Source(
        "eBay decides (normally within 48 hours: a target, not a clock)",
        (),
        "the escalation",
        "platform_decide at any time; final unless appealed",
        "H",
        _EBAY_HELP,
    ),
    Source(
        "appeal the decision within 30 days",
        ("appeal_window",),
        "the decision",
        "the decision is final",
        "H",
        _EBAY_HELP,
    ),
    Source(
        "return: the seller refunds within 2 business days of the return's delivery "
        "(6 in older help)",
        ("return_shipping_window", "return_confirm_window"),
        "the return delivered",
        f"eBay may refund and charge the seller ({_RETURNS})",
        "M",
        f"{_EBAY_HELP}; eBay Post-Order API v2",
    ),
    _not_in("eBay's Money Back Guarantee", _EBAY_HELP),
    Source(
        "business days: Monday to Friday less the UK-wide bank holidays (UK) or the US "
        "federal holidays (US), in Europe/London or America/Los_Angeles (the zones are not "
        "published: low confidence)",
        ("calendar",),
        "",
        "",
        "H",
        f"{_EBAY_HELP}; the zones: not published",
    ),
)
"""eBay Money Back Guarantee, both sites (RULES.md section 5)."""

_PAYPAL_HELP = "PayPal help (FAQ 1417, 1583, 2337 and 3965)"
_PAYPAL_API = "PayPal Disputes API v1 (customer_disputes_v1.json)"

_PAYPAL = (
    Source(
        "the rules' name and version; their first date is not published, so the "
        "preset starts on 2020-01-01",
        ("name", "version", "effective_from"),
        "",
        "",
        "L",
        "not published",
    ),
    Source(
        "open a dispute from shipment until 180 days after payment (45 in old help), with "
        "no other wait and no window after the order completes",
        (
            "filing_window_starts",
            "filing_window",
            "earliest_not_received",
            "wait_for_promised_delivery",
            "post_completion_window",
        ),
        "the payment",
        "no dispute can be opened",
        "H",
        _PAYPAL_HELP,
    ),
    Source(
        "the inquiry (the dispute before it is a claim) lasts 20 days: the buyer may "
        "escalate it to a claim",
        ("negotiation_window", "negotiation_window_starts", "negotiation_window_ends"),
        "the dispute's opening",
        "the inquiry closes with no refund ('expired') and cannot be reopened",
        "H",
        _PAYPAL_HELP,
    ),
    Source(
        "a case the buyer closed cannot be reopened",
        ("reopen_after_cancel",),
        "",
        "",
        "M",
        _PAYPAL_HELP,
    ),
    Source(
        "the seller answers a claim within 10 days (the API's seller_response_due_date is "
        "authoritative)",
        ("seller_response_window", "seller_window_starts", "seller_window_ends"),
        "the claim (the buyer's escalate)",
        "the claim is refunded (closed in the buyer's favour)",
        "M",
        f"{_PAYPAL_HELP}; {_PAYPAL_API}",
    ),
    Source(
        "the buyer returns the item within 10 days of a decision, with tracking; the "
        "seller's check of the returned item has no published clock",
        ("return_shipping_window", "return_confirm_window"),
        "the decision (or agreement) on a return",
        "no refund: the money goes to the seller",
        "H",
        _PAYPAL_HELP,
    ),
    Source(
        "appeal the decision within 10 days",
        ("appeal_window",),
        "the decision",
        "the decision is final",
        "H",
        _PAYPAL_HELP,
    ),
    _not_in("PayPal Purchase Protection", _PAYPAL_HELP),
    Source("days are calendar days (elapsed time)", ("calendar",), "", "", "H", _PAYPAL_HELP),
)
"""PayPal Purchase Protection (RULES.md section 5)."""

_AMAZON_HELP = "Amazon help (amazon.ca 201889410)"
_AMAZON_SELLERS = "Amazon Seller Central help (27951, G202041210 and 200708210)"

_AMAZON = (
    Source(
        "the rules' name and version: since July 2020 (before, the seller had 7 days)",
        ("name", "version", "effective_from"),
        "",
        "",
        "M",
        f"{_AMAZON_HELP}; {_AMAZON_SELLERS}",
    ),
    Source(
        "contact the seller first, then wait 48 hours (older: 2 business days)",
        ("contact_wait",),
        "the buyer's first message (Order.contact_seller)",
        "the buyer may file a claim",
        "H",
        _AMAZON_HELP,
    ),
    Source(
        "the earliest claim: 3 days after the latest estimated delivery, with no other wait",
        ("filing_window_starts", "earliest_not_received", "wait_for_promised_delivery"),
        "the latest estimated delivery Order.ship was given",
        "the buyer may file a claim",
        "H",
        _AMAZON_HELP,
    ),
    Source(
        "the latest claim: 90 days after the latest estimated delivery, with no window "
        "after the order completes",
        ("filing_window", "post_completion_window"),
        "the latest estimated delivery",
        "no claim",
        "H",
        _AMAZON_HELP,
    ),
    Source(
        "the seller answers a claim within 72 hours (7 days before July 2020)",
        ("seller_response_window", "seller_window_starts", "seller_window_ends"),
        "the claim",
        "the claim is granted, the seller debited",
        "H",
        f"{_AMAZON_HELP}; {_AMAZON_SELLERS}",
    ),
    Source(
        "after the seller's answer: no clock is published (none, so what would start it and "
        "what its end would do do not apply); the buyer escalates when ready",
        ("negotiation_window", "negotiation_window_starts", "negotiation_window_ends"),
        "",
        "",
        "L",
        "not published",
    ),
    Source(
        "appeal the decision within 30 days",
        ("appeal_window",),
        "the claim granted or denied",
        "the decision is final",
        "H",
        _AMAZON_HELP,
    ),
    Source(
        "returns: 30 days from delivery; the seller refunds within 2 business days of "
        "receiving the item",
        ("return_shipping_window", "return_confirm_window"),
        "the delivery; the item received",
        _RETURNS,
        "M",
        f"{_AMAZON_HELP}; {_AMAZON_SELLERS}",
    ),
    _not_in("Amazon's A-to-z Guarantee", _AMAZON_HELP),
    Source(
        "the clocks run in elapsed hours and days, with no holidays or closed periods "
        "(older help counted the wait after contact in business days)",
        ("calendar",),
        "",
        "",
        "M",
        _AMAZON_HELP,
    ),
)
"""Amazon A-to-z Guarantee for seller-fulfilled orders (RULES.md section 5)."""

_MARKETPLACES: dict[str, tuple[Source, ...]] = {
    "ebay-us": _EBAY,
    "ebay-uk": _EBAY,
    "paypal": _PAYPAL,
    "amazon-us": _AMAZON,
}
"""Each preset's name and its marketplace's table."""

_FROM_FIELDS = tuple(
    Source(rule, (name,), "", "", confidence, source)
    for name, _, rule, source, confidence in Policy().rules()
)
"""The fields of `Policy` as a table, a row a field: AliExpress's rules and sources."""


def sources(policy: Policy) -> tuple[Source, ...]:
    """The table of where the rules of *policy*'s marketplace come from, in the order of
    RULES.md: eBay's for ``ebay-us`` and ``ebay-uk``, PayPal's, Amazon's; for any other
    name (AliExpress's presets, a policy of one's own), a row for each field of `Policy`
    with its rule and source (`Policy.rules`). The rows describe the preset's values:
    a policy that changed one is no longer what they cite.

    Anything but a `Policy` is `InvalidInput`.

    >>> from buyer_protection import ALIEXPRESS, PAYPAL
    >>> [row.fields for row in sources(PAYPAL) if row.confidence == "M"][:1]
    [('reopen_after_cancel',)]
    >>> sources(ALIEXPRESS)[3].fields
    ('protection_days',)
    """
    if not isinstance(policy, Policy):
        raise InvalidInput(f"policy: expected a Policy, got {kind(policy)}")
    return _MARKETPLACES.get(policy.name, _FROM_FIELDS)
