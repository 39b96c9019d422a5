"""Masking of buyer PII for roles that do not need it (below admin)."""

from __future__ import annotations

import re


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


def mask_phone(phone: str | None) -> str | None:
    """`+62 812-3456-7123` -> `+62 8**-****-*123`: country code, first digit and last three kept."""
    if not phone:
        return phone
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    if len(digits) <= 4:
        return re.sub(r"\d", "*", phone)
    keep = set(digits[-3:])
    if phone.lstrip().startswith("+"):
        # the country code (up to the first space or dash) and the first digit after it
        head = re.match(r"\s*\+\d+", phone)
        end = head.end() if head else 0
        keep |= {i for i in digits if i < end}
        after = [i for i in digits if i >= end]
        if after:
            keep.add(after[0])
    else:
        keep.add(digits[0])
    return "".join(ch if (not ch.isdigit() or i in keep) else "*" for i, ch in enumerate(phone))


def mask_email(email: str | None) -> str | None:
    """`siti@example.com` -> `s***@example.com`."""
    if not email or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    return (local[:1] + "*" * max(1, len(local) - 1)) + "@" + domain


def mask_address(address: dict[str, str]) -> dict[str, str]:
    """Only the city, state and country stay; street, district, postcode and the recipient are hidden."""
    keep = {"city", "state", "country"}
    return {k: (v if k in keep else ("***" if v else v)) for k, v in address.items()}
