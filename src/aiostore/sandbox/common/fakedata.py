"""Seeded fake data shared by every sandbox: product names, variant options, prices per currency, buyers
(name, username, phone) and addresses for ID, SG and MY. Deterministic for a given `random.Random`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from aiostore.sandbox.common.core import MARKETS, Market

COLORS = ("Black", "White", "Red", "Blue", "Green", "Grey", "Navy", "Pink", "Yellow", "Brown")
SIZES = ("S", "M", "L", "XL", "XXL")
_ADJECTIVES = ("Classic", "Premium", "Everyday", "Slim", "Urban", "Eco", "Deluxe", "Basic", "Sport", "Travel")
_MATERIALS = ("Cotton", "Linen", "Leather", "Bamboo", "Canvas", "Denim", "Ceramic", "Steel", "Wool", "Silk")
_NOUNS = (
    "T-Shirt", "Hoodie", "Tote Bag", "Backpack", "Sneakers", "Cap", "Mug", "Water Bottle", "Phone Case",
    "Socks", "Scarf", "Wallet", "Sandals", "Jacket", "Batik Shirt", "Hijab", "Sarong", "Pillow Cover",
)  # fmt: skip
_FIRST = {
    "ID": (
        "Budi",
        "Siti",
        "Agus",
        "Dewi",
        "Rina",
        "Andi",
        "Putri",
        "Eko",
        "Wulan",
        "Rizky",
        "Fitri",
        "Hendra",
    ),
    "SG": ("Wei Ling", "Jun Jie", "Priya", "Aisha", "Marcus", "Hui Min", "Ravi", "Nurul", "Daniel", "Mei"),
    "MY": ("Ahmad", "Nur", "Siew Ling", "Kumar", "Farah", "Hafiz", "Mei Ling", "Arif", "Aina", "Rajesh"),
}
_LAST = {
    "ID": ("Santoso", "Wijaya", "Saputra", "Lestari", "Pratama", "Hidayat", "Kusuma", "Nugroho", "Sari"),
    "SG": ("Tan", "Lim", "Ng", "Wong", "Lee", "Goh", "Nair", "Rahman", "Chua", "Koh"),
    "MY": ("bin Ismail", "binti Hassan", "Tan", "Lim", "a/l Muthu", "Abdullah", "Chong", "Yusof", "Wong"),
}
# (town, district, city, state, zipcode)
_PLACES = {
    "ID": (
        ("Kebayoran Baru", "Kebayoran Baru", "Jakarta Selatan", "DKI Jakarta", "12190"),
        ("Coblong", "Coblong", "Bandung", "Jawa Barat", "40132"),
        ("Gubeng", "Gubeng", "Surabaya", "Jawa Timur", "60281"),
        ("Medan Baru", "Medan Baru", "Medan", "Sumatera Utara", "20153"),
        ("Denpasar Barat", "Denpasar Barat", "Denpasar", "Bali", "80119"),
    ),
    "SG": (
        ("Tampines", "Tampines", "Singapore", "Singapore", "520201"),
        ("Bukit Batok", "Bukit Batok", "Singapore", "Singapore", "650123"),
        ("Toa Payoh", "Toa Payoh", "Singapore", "Singapore", "310045"),
    ),
    "MY": (
        ("Bangsar", "Lembah Pantai", "Kuala Lumpur", "Wilayah Persekutuan", "59100"),
        ("Seksyen 13", "Petaling", "Shah Alam", "Selangor", "40100"),
        ("Georgetown", "Timur Laut", "George Town", "Pulau Pinang", "10200"),
        ("Johor Jaya", "Johor Bahru", "Johor Bahru", "Johor", "81100"),
    ),
}
_STREETS = (
    "Jl. Merdeka",
    "Jl. Sudirman",
    "Orchard Road",
    "Jalan Ampang",
    "Jl. Diponegoro",
    "Jalan Bukit Bintang",
)
# Typical list prices in minor units (IDR has none): (low, high, step)
_PRICE_RANGE = {"IDR": (15_000, 1_500_000, 500), "SGD": (390, 29_900, 10), "MYR": (990, 49_900, 10)}


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    username: str
    phone: str


@dataclass(frozen=True, slots=True)
class Address:
    full_address: str
    town: str
    district: str
    city: str
    state: str
    region: str
    zipcode: str


@dataclass(slots=True)
class FakeData:
    """Deterministic, realistic-looking products, buyers and addresses for a market."""

    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def product_name(self) -> str:
        r = self.rng
        return f"{r.choice(_ADJECTIVES)} {r.choice(_MATERIALS)} {r.choice(_NOUNS)}"

    def price_minor(self, market: Market) -> int:
        low, high, step = _PRICE_RANGE[market.currency]
        price = round(self.rng.triangular(low, high, low + (high - low) / 6) / step) * step
        return max(step, price - (10 if market.exponent == 2 else 0))  # 19.90 rather than 20.00

    def person(self, region: str) -> Person:
        r = self.rng
        first, last = r.choice(_FIRST[region]), r.choice(_LAST[region])
        username = f"{first.split()[0].lower()}.{last.split()[-1].lower()}{r.randint(1, 999)}"
        digits = "".join(str(r.randint(0, 9)) for _ in range(8 if region == "SG" else 9))
        lead = {"ID": "8", "SG": r.choice("89"), "MY": "1"}[region]
        return Person(f"{first} {last}", username, f"{MARKETS[region].phone_prefix}{lead}{digits}")

    def address(self, region: str) -> Address:
        town, district, city, state, zipcode = self.rng.choice(_PLACES[region])
        street = f"{self.rng.choice(_STREETS)} No. {self.rng.randint(1, 250)}"
        full = f"{street}, {town}, {city}, {state}, {zipcode}"
        return Address(full, town, district, city, state, region, zipcode)
