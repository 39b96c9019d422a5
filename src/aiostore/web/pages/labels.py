"""Words for the codes pages show (statuses, reasons), marked for translation in one place."""

from __future__ import annotations

from aiostore.web import i18n
from aiostore.web.i18n import N_

LABELS: dict[str, dict[str, str]] = {
    "role": {"owner": N_("owner"), "admin": N_("admin"), "operator": N_("operator"), "viewer": N_("viewer")},
    "product": {"active": N_("active"), "draft": N_("draft"), "archived": N_("archived")},
    "order": {
        "unpaid": N_("unpaid"),
        "to_ship": N_("to ship"),
        "shipped": N_("shipped"),
        "completed": N_("completed"),
        "cancelled": N_("cancelled"),
        "returned": N_("returned"),
    },
    "job": {
        "queued": N_("queued"),
        "running": N_("running"),
        "retrying": N_("retrying"),
        "succeeded": N_("succeeded"),
        "failed": N_("failed"),
        "cancelled": N_("cancelled"),
    },
    "job_kind": {
        "pull_products": N_("pull products"),
        "pull_orders": N_("pull orders"),
        "check_order_gaps": N_("check for missing orders"),
        "push_stock": N_("push stock"),
        "push_listings": N_("push listings"),
        "ship_order": N_("ship order"),
        "cancel_order": N_("cancel order"),
        "refresh_tokens": N_("renew authorisation"),
        "refresh_reference": N_("read platform categories"),
        "reconcile": N_("reconcile with the shop"),
        "readback": N_("read back what was pushed"),
        "catalog.follow_review": N_("follow platform review"),
    },
    "job_item": {
        "ok": N_("done"),
        "failed": N_("failed"),
        "skipped": N_("skipped"),
        "waiting": N_("waiting"),
    },
    "started_by": {
        "user": N_("a person"),
        "webhook": N_("a marketplace notice"),
        "schedule": N_("the schedule"),
        "system": N_("the system"),
        "cli": N_("the command line"),
    },
    "sync": {
        "in_sync": N_("in sync"),
        "retrying": N_("retrying"),
        "error": N_("error"),
    },
    "listing": {
        "active": N_("active"),
        "inactive": N_("inactive"),
        "under_review": N_("under review"),
        "banned": N_("banned"),
        "deleted": N_("deleted"),
        "unknown": N_("unknown"),
    },
    "review": {
        "under_review": N_("under review"),
        "live": N_("passed: live"),
        "rejected": N_("rejected"),
    },
    "invitation": {
        "pending": N_("waiting for an answer"),
        "declined": N_("declined"),
        "expired": N_("expired"),
        "accepted": N_("accepted"),
    },
    "actor": {
        "user": N_("person"),
        "token": N_("API token"),
        "system": N_("system"),
    },
    "stock_step": {
        "on_hand": N_("On hand"),
        "reserved": N_("Reserved by open orders"),
        "promotion_reserved": N_("Held for other shops' promotions"),
        "safety_buffer": N_("Safety buffer"),
        "not_below_zero": N_("Never below zero"),
        "share": N_("Share rule"),
        "cap": N_("Cap rule"),
        "keep_last": N_("Keep-the-last rule"),
        "held_by_shop_orders": N_("Held by this shop's open orders"),
    },
    "rule_scope": {"shop": N_("the shop's rule"), "variant": N_("this SKU's rule")},
    "cause": {
        "order": N_("order"),
        "manual": N_("set by hand"),
        "import": N_("import"),
        "sync": N_("sync"),
        "changeset": N_("stock change"),
    },
    "change_kind": {"stock": N_("stock"), "price": N_("prices"), "catalog": N_("publish")},
    "drift_kind": {"stock": N_("stock"), "price": N_("price"), "title": N_("title"), "status": N_("status")},
    "drift_cause": {
        "drift": N_("drifted"),
        "edit": N_("edited in the seller centre"),
        "not_applied": N_("accepted, not applied"),
        "refused": N_("refused by the platform"),
    },
    "drift_status": {
        "open": N_("open"),
        "repairing": N_("being repaired"),
        "adopting": N_("adoption awaits approval"),
        "repaired": N_("repaired"),
        "adopted": N_("adopted"),
        "overwritten": N_("overwritten"),
        "ignored": N_("ignored"),
        "gone": N_("gone"),
    },
    "drift_policy": {
        "ask": N_("ask me"),
        "adopt": N_("adopt the shop's value"),
        "overwrite": N_("send ours again"),
    },
    "change_status": {
        "previewed": N_("previewed"),
        "awaiting_approval": N_("awaiting approval"),
        "committed": N_("committed"),
        "rejected": N_("rejected"),
        "expired": N_("expired"),
    },
    "change_action": {"change": N_("changes"), "unchanged": N_("unchanged"), "error": N_("has errors")},
    "severity": {"error": N_("error"), "warning": N_("warning")},
    "publish_action": {
        "create": N_("create"),
        "update": N_("update"),
        "unchanged": N_("unchanged"),
        "unlist": N_("unlist"),
        "error": N_("has errors"),
    },
    "publish_field": {
        "title": N_("Title"),
        "description": N_("Description"),
        "images": N_("Images"),
        "attributes": N_("Attributes"),
        "category": N_("Category"),
        "brand": N_("Brand"),
        "status": N_("Status"),
        "variants": N_("Variants"),
        "price": N_("Price"),
        "stock": N_("Stock"),
    },
    "finding": {
        "unknown_sku": N_("No variant has this SKU"),
        "duplicate_sku": N_("This SKU is in the change twice"),
        "duplicate_item": N_("This SKU is priced twice for the same market or shop"),
        "negative_stock": N_("Stock would go below zero"),
        "large_change": N_("A large change of stock"),
        "below_open_orders": N_("Less stock than open orders hold"),
        "unknown_channel": N_("No such shop"),
        "not_listed": N_("The shop does not list this SKU"),
        "invalid_precision": N_("Too many decimals for the currency"),
        "out_of_range": N_("The amount is out of range"),
        "invalid_number": N_("The amount is not a number"),
        "not_positive": N_("The amount must be above zero"),
        "sale_above_price": N_("The sale price is above the price"),
        "below_floor": N_("Below the SKU's lowest price"),
        "below_cost": N_("Below the SKU's cost"),
        "outside_platform_bounds": N_("Outside the prices the platform accepts"),
        "large_price_change": N_("A large change of price"),
    },
    "ship": {
        "auto": N_("The platform's first option"),
        "pickup": N_("Pickup by the courier"),
        "dropoff": N_("Drop-off at the courier"),
        "self": N_("My own courier (tracking number)"),
    },
    "cancel": {
        "out_of_stock": N_("Out of stock"),
        "customer_request": N_("The buyer asked"),
        "undeliverable_area": N_("Undeliverable area"),
        "cod_not_supported": N_("Cash on delivery not supported"),
    },
}


def label(group: str, value: str | None) -> str:
    """The page's word for `value` in `group`; an unknown code is shown as it is."""
    if value is None:
        return ""
    text = LABELS.get(group, {}).get(value)
    return i18n._(text) if text else value
