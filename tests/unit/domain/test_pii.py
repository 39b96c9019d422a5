"""PII masking: examples, and properties over every phone format the platforms send."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aiostore.domain.pii import mask_address, mask_email, mask_name, mask_phone, mask_phones_in


def test_examples() -> None:
    assert mask_name("Budi Santoso") == "Bu** S******"
    assert mask_phone("+62 812-3456-7123") == "+62 ***-****-*123"
    assert mask_phone("+628234496680") == "+62*******680"  # Lazada's format: no separators
    assert mask_phone("08123456789") == "********789"
    assert mask_phone("(+60) 12.345.6789") == "(+60) **.***.*789"
    assert mask_phone("12345") == "*****"
    assert mask_email("siti@example.com") == "s***@example.com"
    assert mask_address({"full_address": "Jl. Melati 5", "city": "Jakarta", "postal_code": "10110"}) == {
        "full_address": "***",
        "city": "Jakarta",
        "postal_code": "***",
    }


@given(
    st.text(alphabet=st.characters(categories=["L"]), min_size=2, max_size=12),
    st.text(alphabet=st.characters(categories=["L"]), min_size=2, max_size=12),
)
def test_names_never_shown_whole(first: str, last: str) -> None:
    masked = mask_name(f"{first} {last}")
    assert masked is not None and masked != f"{first} {last}"
    assert len(masked) == len(first) + 1 + len(last)


SEPARATORS = st.sampled_from(["", " ", "-", ".", "  ", " - ", "/"])


@st.composite
def phones(draw: st.DrawFn) -> tuple[str, str]:
    """(formatted number, its subscriber digits): Indonesian, Malaysian, Singaporean, Thai, Filipino
    and Vietnamese numbers, with or without "+", a country code, a trunk 0, brackets and separators."""
    code = draw(st.sampled_from(["62", "60", "65", "66", "63", "84"]))
    subscriber = draw(st.from_regex(r"[1-9]\d{6,11}", fullmatch=True))
    groups: list[str] = []
    rest = subscriber
    while rest:
        size = draw(st.integers(1, 5))
        groups.append(rest[:size])
        rest = rest[size:]
    sep = draw(SEPARATORS)
    body = sep.join(groups)
    style = draw(st.sampled_from(["plus", "plus_paren", "bare_code", "trunk", "none"]))
    prefix = {
        "plus": f"+{code}{draw(SEPARATORS)}",
        "plus_paren": f"(+{code}){draw(SEPARATORS)}",
        "bare_code": f"{code}{draw(SEPARATORS)}",
        "trunk": "0",
        "none": "",
    }[style]
    return prefix + body, subscriber


@given(phones())
def test_phones_never_show_more_than_country_code_and_last_three(case: tuple[str, str]) -> None:
    phone, subscriber = case
    masked = mask_phone(phone)
    assert masked is not None and len(masked) == len(phone)
    shown = "".join(ch for ch in masked if ch.isdigit())
    kept_head = 3 if phone.lstrip("(").startswith("+") else 0  # at most a country code
    assert len(shown) <= kept_head + 3
    assert shown.endswith(subscriber[-3:])
    assert all(m == p for m, p in zip(masked, phone, strict=True) if not p.isdigit())


@given(phones(), st.sampled_from(["Kota {p}", "{p} Jakarta", "Johor Bahru ({p})"]))
def test_phones_inside_address_fields_are_masked(case: tuple[str, str], template: str) -> None:
    phone, subscriber = case
    city = template.format(p=phone)
    masked = mask_address({"city": city, "street": city})
    assert masked["street"] == "***"
    visible = "".join(ch for ch in masked["city"] if ch.isdigit())
    assert len(visible) <= 6 and visible.endswith(subscriber[-3:])
    assert mask_phones_in("no digits here") == "no digits here"
