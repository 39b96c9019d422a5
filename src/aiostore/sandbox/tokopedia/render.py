"""Orders as Tokopedia writes them (lazada-tokopedia.md §B4, §B8): a Get All Orders row, a Get Single
Order ``data``, and the order_notification / order_status webhook payloads. Keys keep Tokopedia's spelling,
capitals included (``Name`` in webhooks' products, customer and recipient; ``name`` in list rows).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiostore.sandbox.tokopedia.models import COURIERS, Order, Shop

_CITY_IDS = {"Jakarta Selatan": 174, "Bandung": 23, "Surabaya": 444, "Medan": 278, "Denpasar": 114}


def rfc3339(seconds: int | None) -> str:
    if seconds is None:
        return "0001-01-01T00:00:00Z"
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _address(order: Order) -> dict[str, Any]:
    a = order.address
    return {
        "address_full": a.full_address,
        "district": a.district,
        "city": a.city,
        "province": a.state,
        "country": "Indonesia",
        "postal_code": a.zipcode,
        "district_id": 2000 + len(a.district),
        "city_id": _CITY_IDS.get(a.city, 1),
        "province_id": 10 + len(a.state) % 20,
        "geo": "-6.2,106.8",
    }


def _products(order: Order, name_key: str, currency: str) -> list[dict[str, Any]]:
    return [
        {
            "id": line.product_id,
            name_key: line.name,
            "quantity": line.quantity,
            "notes": line.notes,
            "weight": line.weight_kg,
            "total_weight": round(line.weight_kg * line.quantity, 3),
            "price": line.price,
            "total_price": line.price * line.quantity,
            "currency": currency,
            "sku": line.sku,
        }
        for line in order.lines
    ]


def _amounts(order: Order) -> dict[str, int]:
    return {
        "ttl_product_price": order.items_total,
        "shipping_cost": order.shipping_cost,
        "insurance_cost": 0,
        "ttl_amount": order.total,
        "voucher_amount": 0,
        "toppoints_amount": 0,
    }


def _logistics(order: Order) -> dict[str, Any]:
    agency, service = order.courier
    return {
        "shipping_id": 1 + COURIERS.index(order.courier) if order.courier in COURIERS else 1,
        "district_id": 2000 + len(order.address.district),
        "city_id": _CITY_IDS.get(order.address.city, 1),
        "province_id": 10 + len(order.address.state) % 20,
        "geo": "-6.2,106.8",
        "shipping_agency": agency,
        "service_type": service,
    }


def order_row(order: Order, shop: Shop, fs_id: int) -> dict[str, Any]:
    """One element of Get All Orders' ``data``."""
    row = {
        "fs_id": str(fs_id),
        "order_id": order.order_id,
        "is_cod_mitra": False,
        "accept_partial": False,
        "invoice_ref_num": order.invoice,
        "have_product_bundle": False,
        "products": [{**p, "is_wholesale": False} for p in _products(order, "name", "Rp")],
        "products_fulfilled": [
            {"product_id": line.product_id, "quantity_deliver": line.quantity, "quantity_reject": 0}
            for line in order.lines
        ],
        "bundle_detail": {"bundle": [], "non_bundle": [], "total_product": len(order.lines)},
        "device_type": "android",
        "buyer": {"id": order.buyer_id, "name": order.buyer.name, "phone": order.buyer.phone, "email": ""},
        "shop_id": shop.shop_id,
        "payment_id": order.order_id + 7_000_000,
        "payment_date": rfc3339(order.payment_time),
        "recipient": {"name": order.buyer.name, "phone": order.buyer.phone, "address": _address(order)},
        "logistics": _logistics(order),
        "amt": _amounts(order),
        "dropshipper_info": {},
        "voucher_info": {"voucher_code": "", "voucher_type": 0},
        "order_status": order.status,
        "warehouse_id": order.warehouse_id,
        "fulfill_by": 0,
        "create_time": order.create_time,
        "custom_fields": {"awb": order.awb},
        "promo_order_detail": {"order_id": order.order_id, "total_cashback": 0, "total_discount": 0},
    }
    return row


def order_notification(order: Order, shop: Shop, fs_id: int) -> dict[str, Any]:
    """The order_notification webhook (a new order reached 220)."""
    return {
        "fs_id": fs_id,
        "order_id": order.order_id,
        "invoice_num": order.invoice,
        "products": _products(order, "Name", "Rp."),
        "customer": {"id": order.buyer_id, "Name": order.buyer.name, "phone": order.buyer.phone, "email": ""},
        "recipient": {"Name": order.buyer.name, "phone": order.buyer.phone, "address": _address(order)},
        "shop_id": shop.shop_id,
        "warehouse_id": order.warehouse_id,
        "shop_name": shop.name,
        "payment_id": order.order_id + 7_000_000,
        "logistics": _logistics(order),
        "amt": _amounts(order),
        "dropshipper_info": {"Name": "", "phone": ""},
        "voucher_info": {"voucher_code": "", "voucher_type": 0},
        "device_type": "android",
        "order_status": order.status,
        "create_time": order.create_time,
        "custom_fields": {},
        "accept_partial": False,
        "is_plus": False,
    }


def order_status_payload(order: Order, fs_id: int) -> dict[str, Any]:
    """The order_status (and order_cancellation) webhook."""
    return {
        "fs_id": fs_id,
        "order_status": order.status,
        "order_id": order.order_id,
        "shop_id": order.shop_id,
        "warehouse_id": order.warehouse_id,
        "product_details": _products(order, "Name", "Rp."),
    }


def single_order(order: Order, shop: Shop) -> dict[str, Any]:
    """Get Single Order's ``data`` (the fields a client reads; the rest of Tokopedia's shape left out)."""
    agency, service = order.courier
    return {
        "order_id": order.order_id,
        "buyer_id": order.buyer_id,
        "seller_id": shop.shop_id,
        "payment_id": order.order_id + 7_000_000,
        "is_affiliate": False,
        "is_fulfillment": False,
        "order_warehouse": {"warehouse_id": order.warehouse_id, "fulfill_by": 0, "meta_data": {}},
        "order_status": order.status,
        "invoice_number": order.invoice,
        "invoice_url": f"https://www.tokopedia.com/invoice.pl?id={order.order_id}",
        "open_amt": order.total,
        "lp_amt": 0,
        "cashback_amt": 0,
        "info": "",
        "comment": order.comment,
        "item_price": order.items_total,
        "buyer_info": {
            "buyer_id": order.buyer_id,
            "buyer_fullname": order.buyer.name,
            "buyer_email": "",
            "buyer_phone": order.buyer.phone,
        },
        "shop_info": {"shop_name": shop.name, "shop_domain": shop.domain, "shop_id": shop.shop_id},
        "shipment_fulfillment": {
            "order_id": order.order_id,
            "accept_deadline": rfc3339((order.payment_time or order.create_time) + 2 * 86400),
            "confirm_shipping_deadline": rfc3339((order.payment_time or order.create_time) + 3 * 86400),
            "is_accepted": order.status >= 400,
            "is_confirm_shipping": order.status >= 500,
        },
        "order_info": {
            "order_detail": [
                {
                    "order_detail_id": line.order_detail_id,
                    "product_id": line.product_id,
                    "product_name": line.name,
                    "product_price": line.price,
                    "subtotal_price": line.price * line.quantity,
                    "weight": line.weight_kg,
                    "total_weight": round(line.weight_kg * line.quantity, 3),
                    "quantity": line.quantity,
                    "quantity_deliver": line.quantity,
                    "quantity_reject": 0,
                    "normal_price": line.normal_price,
                    "currency_id": 1,
                    "sku": line.sku,
                    "notes": line.notes,
                }
                for line in order.lines
            ],
            "order_history": [
                {"action_by": by, "hist_status_code": code, "message": message, "timestamp": rfc3339(when)}
                for code, by, message, when in reversed(order.history)
            ],
            "shipping_info": {
                "logistic_name": agency,
                "logistic_service": service,
                "shipping_price": order.shipping_cost,
                "awb": order.awb,
            },
            "destination": {
                "receiver_name": order.buyer.name,
                "receiver_phone": order.buyer.phone,
                "address_street": order.address.full_address,
                "address_district": order.address.district,
                "address_city": order.address.city,
                "address_province": order.address.state,
                "address_postal": order.address.zipcode,
            },
        },
        "payment_info": {
            "payment_id": order.order_id + 7_000_000,
            "payment_date": rfc3339(order.payment_time),
        },
        "create_time": rfc3339(order.create_time),
        "update_time": rfc3339(order.update_time),
        "payment_date": rfc3339(order.payment_time),
    }
