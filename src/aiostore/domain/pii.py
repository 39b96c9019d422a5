"""Masking of buyer PII for roles that do not need it (below admin)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def mask_name(name: str | None) -> str | None:
    """`Budi Santoso` -> `Bu** S******`: the first two letters of the first word, the first of the rest."""
    if not name:
        return name
    words = name.split()
    out = []
    for i, word in enumerate(words):
        keep = 2 if i == 0 else 1
        keep = min(keep, max(1, len(word) - 1)) if len(word) > 1 else 0
        out.append(word[:keep] + "*" * (len(word) - keep))
    return " ".join(out)


# Country calling codes of the markets we sell in (and their neighbours): the only digits kept at the
# front of a number, and only when written after a "+" (a leading "62" may just as well be local digits).
_COUNTRY_CODES = ("62", "60", "65", "66", "63", "84", "673", "855", "856", "95")
KEPT_TAIL = 3
_PHONE_RUN = re.compile(r"\+?\d[\d\s().\-/]{5,}\d")


def mask_phone(phone: str | None) -> str | None:
    """`+62 812-3456-7123` -> `+62 ***-****-*123`: a known country code after "+" and the last three
    digits stay, every other digit is masked, whatever the spacing (`+628234496680` -> `+62*******680`)."""
    if not phone:
        return phone
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    if len(digits) <= 2 * KEPT_TAIL:
        return re.sub(r"\d", "*", phone)
    keep = set(digits[-KEPT_TAIL:])
    plus = phone.lstrip(" (").startswith("+")
    if plus:
        leading = "".join(phone[i] for i in digits[:3])
        code = next((c for c in _COUNTRY_CODES if leading.startswith(c)), "")
        keep |= set(digits[: len(code)])
    return "".join(ch if (not ch.isdigit() or i in keep) else "*" for i, ch in enumerate(phone))


def mask_phones_in(text: str) -> str:
    """Masks every phone-like run of digits inside free text (an address line, a note)."""
    return _PHONE_RUN.sub(lambda m: mask_phone(m.group()) or "", text)


def mask_email(email: str | None) -> str | None:
    """`siti@example.com` -> `s***@example.com`."""
    if not email or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    return (local[:1] + "*" * max(1, len(local) - 1)) + "@" + domain


def mask_address(address: Mapping[str, Any]) -> dict[str, Any]:
    """Only the city, state and country stay (with any phone number in them masked); street, district,
    postcode and the recipient are hidden."""
    keep = {"city", "state", "country"}
    return {
        k: (mask_phones_in(v) if isinstance(v, str) else v) if k in keep else ("***" if v else v)
        for k, v in address.items()
    }
