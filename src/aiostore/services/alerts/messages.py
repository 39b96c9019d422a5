"""What an alert says, in English and Indonesian: a title and a sentence per kind, filled from the alert's
subject labels (SKUs, shops, order numbers, job kinds; never buyer PII)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiostore.services.alerts.rules import Kind

LANGUAGES = ("en", "id")

TEXTS: dict[str, dict[Kind, tuple[str, str]]] = {
    "en": {
        Kind.LOW_COVER: (
            "Running out: {sku}",
            "{sku} has {available} available, about {days} days of sales left.",
        ),
        Kind.OVERSOLD: (
            "Oversold order {order}",
            "Order {order} on {shop} ({platform}) was sold beyond the stock; ship it or cancel it.",
        ),
        Kind.TOKEN_EXPIRY: (
            "Shop authorisation: {shop}",
            "The authorisation of {shop} ({platform} {market}) is {state}; connect the shop again.",
        ),
        Kind.JOB_FAILED: (
            "A job failed: {job_kind}",
            "The {job_kind} job of {shop} failed for good after {attempts} attempts; see the Jobs page.",
        ),
        Kind.LISTING_REJECTED: (
            "Listing refused: {sku}",
            "{platform} {state} the listing {sku} on {shop}; see the Listings page.",
        ),
        Kind.STOCK_DRIFT: (
            "Stock differs: {sku}",
            "{shop} ({platform}) shows {platform_stock} for {sku}, but we last set {pushed_stock}.",
        ),
        Kind.QUIET_SHOP: (
            "No orders on {shop}",
            "{shop} ({platform} {market}) has had no order for {hours} hours, much longer than usual.",
        ),
    },
    "id": {
        Kind.LOW_COVER: (
            "Stok menipis: {sku}",
            "{sku} tersedia {available}, cukup untuk sekitar {days} hari penjualan.",
        ),
        Kind.OVERSOLD: (
            "Pesanan oversold {order}",
            "Pesanan {order} di {shop} ({platform}) terjual melebihi stok; kirim atau batalkan.",
        ),
        Kind.TOKEN_EXPIRY: (
            "Otorisasi toko: {shop}",
            "Otorisasi {shop} ({platform} {market}) {state}; hubungkan toko kembali.",
        ),
        Kind.JOB_FAILED: (
            "Tugas gagal: {job_kind}",
            "Tugas {job_kind} untuk {shop} gagal permanen setelah {attempts} percobaan; lihat halaman Tugas.",
        ),
        Kind.LISTING_REJECTED: (
            "Listing ditolak: {sku}",
            "{platform} {state} listing {sku} di {shop}; lihat halaman Listing.",
        ),
        Kind.STOCK_DRIFT: (
            "Stok berbeda: {sku}",
            "{shop} ({platform}) menampilkan {platform_stock} untuk {sku}, "
            "padahal terakhir kami set {pushed_stock}.",
        ),
        Kind.QUIET_SHOP: (
            "Tidak ada pesanan di {shop}",
            "{shop} ({platform} {market}) tidak menerima pesanan selama {hours} jam, "
            "jauh lebih lama dari biasanya.",
        ),
    },
}

# Words a subject carries as codes, in each language.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "expiring": "expiring soon",
        "expired": "expired",
        "refused": "refused",
        "price_refused": "refused the price of",
        "refresh_failing": "failing to refresh",
        "banned": "banned",
        "rejected": "rejected",
        "": "",
    },
    "id": {
        "expiring": "akan segera kedaluwarsa",
        "expired": "sudah kedaluwarsa",
        "refused": "menolak",
        "price_refused": "menolak harga",
        "refresh_failing": "gagal diperbarui",
        "banned": "memblokir",
        "rejected": "menolak",
        "": "",
    },
}
GROUP_SUBJECT = {"en": "AIOStore: {count} alerts", "id": "AIOStore: {count} peringatan"}
SHOPLESS = {"en": "the organisation", "id": "organisasi"}


class _Labels(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    text: str


def render(kind: str, subject: dict[str, Any], language: str) -> Message:
    lang = language if language in LANGUAGES else "en"
    try:
        title, body = TEXTS[lang][Kind(kind)]
    except ValueError:
        return Message(kind, kind)
    labels = _Labels({k: ("" if v is None else v) for k, v in subject.items()})
    if "state" in labels:
        labels["state"] = WORDS[lang].get(str(labels["state"]), str(labels["state"]))
    if not labels.get("shop"):
        labels["shop"] = SHOPLESS[lang]
    return Message(title.format_map(labels), body.format_map(labels))
