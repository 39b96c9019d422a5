"""Forbidden terms, other marketplaces and contact details: whole words after Unicode case folding, with
the span of the original text."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from aiostore.domain.rules.text import Folded, TermMatcher, fold
from tests.unit.domain.rules.helpers import DESCRIPTION, draft, findings


def _text_findings(
    text: str, platform: str = "shopee", market: str = "ID"
) -> list[tuple[str, str, tuple[int, int] | None]]:
    found = findings(draft(description=DESCRIPTION + " " + text), platform, market)
    offset = len(DESCRIPTION) + 1
    return [
        (f.rule, f.value or "", (f.span[0] - offset, f.span[1] - offset) if f.span else None)
        for f in found
        if f.rule.startswith("text.")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dikirim dari Essex, Sussex dan Middlesex", []),  # "sex" inside a word is not the word
        ("mainan sex dewasa", [("text.forbidden_term", "sex", (7, 10))]),
        ("SEX!", [("text.forbidden_term", "SEX", (0, 3))]),
        ("ＳＥＸ toys", [("text.forbidden_term", "ＳＥＸ", (0, 3))]),  # full-width letters
        ("Séx toys", [("text.forbidden_term", "Séx", (0, 3))]),  # an accent does not hide it
        ("VİAGRA asli", [("text.forbidden_term", "VİAGRA", (0, 6))]),  # Turkish dotted capital I
        ("vıagra asli", [("text.forbidden_term", "vıagra", (0, 6))]),  # Turkish dotless i
        ("jual OBAT   KUAT", [("text.forbidden_term", "OBAT   KUAT", (5, 16))]),  # spaces inside
        ("obatkuat herbal", []),
        (
            "Ganja-ganja",
            [("text.forbidden_term", "Ganja", (0, 5)), ("text.forbidden_term", "ganja", (6, 11))],
        ),
        ("Judi online", [("text.forbidden_term", "Judi online", (0, 11))]),  # the longest term wins
        ("Beli juga di Tokopedia ya", [("text.other_marketplace", "Tokopedia", (13, 22))]),
        ("ada di shopee", []),  # the platform's own name
        ("pilihan warna wangi", []),  # "wa" only as a word
        ("chat WA kami", [("text.whatsapp", "WA", (5, 7))]),
        ("Whats App kami", [("text.whatsapp", "Whats App", (0, 9))]),
        ("email: toko.maju+1@gmail.com.", [("text.email", "toko.maju+1@gmail.com", (7, 28))]),
        ("lihat https://tokomaju.id/katalog, ya", [("text.url", "https://tokomaju.id/katalog", (6, 33))]),
        ("lihat www.tokomaju.com.", [("text.url", "www.tokomaju.com", (6, 22))]),
        ("kunjungi bit.ly/kaos", [("text.url", "bit.ly/kaos", (9, 20))]),
        ("ukuran 2.5 meter, v1.2", []),
    ],
)
def test_terms_and_contacts(text: str, expected: list[tuple[str, str, tuple[int, int]]]) -> None:
    assert _text_findings(text) == expected


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("hub 0812-3456-7890 ya", "0812-3456-7890"),  # ID mobile
        ("hub +62 812 3456 7890", "+62 812 3456 7890"),
        ("hub 6281234567890", "6281234567890"),
        ("hub (021) 555 1234", "(021) 555 1234"),  # ID landline, Jakarta
        ("call 012-345 6789", "012-345 6789"),  # MY mobile
        ("call +60 12-345 6789", "+60 12-345 6789"),
        ("call +60 3-2345 6789", "+60 3-2345 6789"),  # MY landline, Kuala Lumpur
        ("call 9123 4567 now", "9123 4567"),  # SG mobile
        ("call +65 6123 4567", "+65 6123 4567"),
        ("０８１２３４５６７８９０", "０８１２３４５６７８９０"),  # full-width digits
    ],
)
def test_phone_numbers_in_id_my_sg_formats(text: str, phone: str) -> None:
    found = [(rule, value) for rule, value, _ in _text_findings(text) if rule == "text.phone"]
    assert found == [("text.phone", phone)]


@pytest.mark.parametrize(
    "text", ["harga Rp 150.000", "stok 1234", "ukuran 40 42 44 46", "kode 12345678901234567"]
)
def test_numbers_that_are_not_phones(text: str) -> None:
    assert _text_findings(text) == []


def test_other_marketplaces_depend_on_platform_and_market() -> None:
    assert _text_findings("tersedia di Tokopedia", "tiktokshop", "ID") == []  # TikTok Shop by Tokopedia
    assert _text_findings("tersedia di Tokopedia", "tiktokshop", "MY") == [
        ("text.other_marketplace", "Tokopedia", (12, 21))
    ]
    assert _text_findings("ada di TikTok Shop", "tiktokshop", "MY") == []
    assert _text_findings("ada di TikTok Shop", "lazada", "MY") == [
        ("text.other_marketplace", "TikTok Shop", (7, 18))
    ]


def test_folding() -> None:
    assert fold("STRASSE") == fold("straße") == "strasse"
    assert fold("ＫＡＯＳ") == "kaos" and fold("İlaç") == "ilac" and fold("ılaç") == "ilac"
    folded = Folded.of("Straße SEX")
    start = folded.folded.index("sex")
    assert folded.span(start, start + 3) == (7, 10)


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@given(_TEXT, _TEXT)
def test_a_term_is_found_where_it_is_and_mapped_back(left: str, right: str) -> None:
    """Whatever surrounds it, a term set off by spaces is found, and its span is exactly the term."""
    text = f"{left} ViAgRa {right}"
    f = Folded.of(text)
    found = [(s, e) for _, s, e in TermMatcher([("viagra", "t")]).find(f)]
    spans = [f.span(s, e) for s, e in found]
    assert (len(left) + 1, len(left) + 7) in spans
    for lo, hi in spans:
        assert fold(text[lo:hi]) == "viagra"


@given(
    st.text(st.characters(categories=("Ll", "Lu", "Nd")), min_size=1, max_size=6),
    st.sampled_from(["sex", "judi"]),
)
def test_a_term_inside_a_word_is_not_found(prefix: str, term: str) -> None:
    assume(fold(prefix).isalnum())  # "ŀ" folds to "l·", which ends a word
    matcher = TermMatcher([(term, "t")])
    assert list(matcher.find(Folded.of(prefix + term))) == []
    assert list(matcher.find(Folded.of(term + prefix))) == []


@given(_TEXT)
def test_the_span_map_covers_the_whole_text(text: str) -> None:
    folded = Folded.of(text)
    assert folded.span(0, len(folded.folded)) == (0, len(text)) or folded.folded == ""


_PIECES = st.lists(
    st.sampled_from(
        ["judi", "judi online", "online", "sex", "essex", "obat", "kuat", "wa", "warna", "ＳＥＸ", "ß"]
    )
    | st.text(st.sampled_from("aeisx.-_,!1 İı\n"), max_size=3),
    max_size=12,
)


def _reference(terms: list[str], text: str) -> list[tuple[str, int, int]]:
    """The slow obvious way: every occurrence of every term set off by non-word characters, then the
    leftmost, longest ones that do not overlap."""
    words = [" ".join(fold(t).split()) for t in terms]
    folded = fold(text)
    flat = re.sub(r"\s", " ", folded)
    found = []
    for term in words:
        start = flat.find(term)
        while start >= 0:
            end = start + len(term)
            before = folded[start - 1] if start else " "
            after = folded[end] if end < len(folded) else " "
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                found.append((start, -end, term))
            start = flat.find(term, start + 1)
    chosen, reached = [], 0
    for start, neg_end, _term in sorted(found):
        if start >= reached:
            reached = -neg_end
            chosen.append(("t", start, reached))
    return chosen


@given(_PIECES, st.sampled_from([" ", "", "-", "\n"]))
def test_the_prefix_tree_finds_what_the_obvious_way_finds(pieces: list[str], glue: str) -> None:
    terms = ["judi", "judi online", "sex", "obat kuat", "wa", "w.a"]
    text = glue.join(pieces)
    assume(not re.search(r"\s\s", fold(text)))  # the reference takes one space between a term's words
    assert list(TermMatcher([(t, "t") for t in terms]).find(Folded.of(text))) == _reference(terms, text)


def test_title_and_description_are_scanned_apart() -> None:
    """Both are scanned in one pass, yet nothing joins the end of one with the start of the other."""
    found = findings(
        draft(title="Kaos Polos Katun Combed Pria 0812", description="3456 7890 dan " + DESCRIPTION + " sex")
    )
    assert [(f.rule, f.field, f.value, f.span) for f in found if f.rule.startswith("text.")] == [
        ("text.forbidden_term", "description", "sex", (len(DESCRIPTION) + 15, len(DESCRIPTION) + 18))
    ]
    found = findings(draft(title="Kaos Polos Katun Combed www.kaos.id", description="Sex " + DESCRIPTION))
    assert [(f.rule, f.field, f.value, f.span) for f in found if f.rule.startswith("text.")] == [
        ("text.url", "title", "www.kaos.id", (24, 35)),
        ("text.forbidden_term", "description", "Sex", (0, 3)),
    ]
