"""PII masking as the issue shows it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aiostore.domain.pii import mask_address, mask_email, mask_name, mask_phone


def test_examples() -> None:
    assert mask_name("Budi Santoso") == "Bu** S******"
    assert mask_phone("+62 812-3456-7123") == "+62 8**-****-*123"
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


@given(st.from_regex(r"\+62 8\d{2}-\d{4}-\d{4}", fullmatch=True))
def test_phones_keep_only_prefix_and_last_three(phone: str) -> None:
    masked = mask_phone(phone)
    assert masked is not None
    assert masked[-3:] == phone[-3:] and masked.startswith("+62 8")
    assert sum(ch.isdigit() for ch in masked) == 6
