"""Orders and order items as Lazada's order APIs write them (lazada-tokopedia.md §A4; the API reference
of GetOrders / GetOrder / GetOrderItems / GetMultipleOrderItems).

Amounts are strings in major units with two decimals (``"1299.00"``, ``"150000.00"``); times are local
to the seller's country (``2018-02-10 16:00:00 +0800``); ids are numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aiostore.sandbox.lazada.models import Order, OrderItem, Seller

_COUNTRY_NAMES = {"ID": "Indonesia", "SG": "Singapore", "MY": "Malaysia"}
DAY = 86400


def amount(minor: int, exponent: int) -> str:
    return str(Decimal(minor).scaleb(-exponent).quantize(Decimal("0.01")))


def _address(order: Order) -> dict[str, Any]:
    first, _, last = order.buyer.name.partition(" ")
    a = order.address
    return {
        "first_name": first,
        "last_name": last,
        "phone": order.buyer.phone,
        "phone2": "",
        "address1": a.full_address,
        "address2": "",
        "address3": a.state,
        "address4": a.city,
        "address5": a.district,
        "addressDistrict": a.district,
        "city": a.city,
        "post_code": a.zipcode,
        "country": _COUNTRY_NAMES.get(order.country, order.country),
    }


def order_json(order: Order, seller: Seller) -> dict[str, Any]:
    e = seller.market.exponent
    first, _, last = order.buyer.name.partition(" ")
    zero = amount(0, e)
    return {
        "order_id": order.order_id,
        "order_number": order.order_id,
        "statuses": order.statuses,
        "price": amount(order.price, e),
        "items_count": len(order.items),
        "payment_method": order.payment_method,
        "created_at": seller.local_time(order.created),
        "updated_at": seller.local_time(order.updated),
        "address_updated_at": seller.local_time(order.created),
        "promised_shipping_times": seller.local_time(order.created + order.days_to_ship * DAY),
        "customer_first_name": first,
        "customer_last_name": last,
        "address_shipping": _address(order),
        "address_billing": _address(order),
        "shipping_fee": amount(order.shipping_fee, e),
        "shipping_fee_original": amount(order.shipping_fee, e),
        "shipping_fee_discount_seller": zero,
        "shipping_fee_discount_platform": zero,
        "voucher": amount(order.voucher, e),
        "voucher_platform": zero,
        "voucher_seller": amount(order.voucher, e),
        "voucher_code": "",
        "warehouse_code": "dropshipping",
        "remarks": order.remarks,
        "buyer_note": order.remarks,
        "gift_option": False,
        "gift_message": "",
        "delivery_info": "",
        "national_registration_number": "",
        "tax_code": "",
        "branch_number": "",
        "extra_attributes": "",
    }


def item_json(order: Order, item: OrderItem, seller: Seller) -> dict[str, Any]:
    e = seller.market.exponent
    zero = amount(0, e)
    data: dict[str, Any] = {
        "order_item_id": item.order_item_id,
        "order_id": order.order_id,
        "status": item.status,
        "name": item.name,
        "sku": item.seller_sku,
        "shop_sku": f"{item.item_id}_{order.country}-{item.sku_id}",
        "sku_id": str(item.sku_id),
        "product_id": str(item.item_id),
        "variation": item.variation,
        "item_price": amount(item.item_price, e),
        "paid_price": amount(item.item_price - item.voucher_seller, e),
        "voucher_seller": amount(item.voucher_seller, e),
        "voucher_platform": zero,
        "voucher_amount": amount(item.voucher_seller, e),
        "voucher_code": "",
        "currency": order.currency,
        "tax_amount": zero,
        "shipping_amount": zero,
        "shipping_service_cost": 0,
        "wallet_credits": zero,
        "shipment_provider": item.shipment_provider,
        "tracking_code": item.tracking_code,
        "tracking_code_pre": "",
        "package_id": item.package_id,
        "invoice_number": "",
        "reason": item.reason,
        "reason_detail": "",
        "cancel_return_initiator": item.initiator,
        "return_status": "",
        "is_digital": 0,
        "is_fbl": "0",
        "shipping_type": "Dropshipping",
        "shipping_provider_type": "standard",
        "promised_shipping_time": seller.local_time(order.created + order.days_to_ship * DAY),
        "sla_time_stamp": seller.local_time(order.created + order.days_to_ship * DAY),
        "created_at": seller.local_time(item.created),
        "updated_at": seller.local_time(item.updated),
        "buyer_id": str(order.buyer_id),
        "warehouse_code": "dropshipping",
        "order_type": "Normal",
        "order_flag": "NORMAL",
        "purchase_order_id": "",
        "purchase_order_number": "",
        "digital_delivery_info": "",
        "extra_attributes": "",
        "product_main_image": "",
        "product_detail_url": "",
    }
    if item.payment_ms is not None:
        data["payment_time"] = item.payment_ms
    return data
