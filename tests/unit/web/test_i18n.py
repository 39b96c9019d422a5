"""Translations: every string of the pages is in the catalog and translated into Indonesian; the
language comes from the cookie, else Accept-Language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from starlette.requests import Request

from aiostore.web import i18n

ROOT = Path(__file__).resolve().parents[3]
WEB = ROOT / "src" / "aiostore" / "web"
RULES = ROOT / "src" / "aiostore" / "domain" / "rules"  # the content rules' messages
PO = WEB / "locale" / "id" / "LC_MESSAGES" / "messages.po"
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}


def _extracted() -> set[str]:
    method_map = [("**.py", "python"), ("**.html", "jinja2")]
    options = {"**.html": JINJA_OPTIONS}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for folder in (WEB, RULES):
        for _, _, message, _, _ in extract_from_dir(
            str(folder), method_map, options, keywords=keywords, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_page_string_is_translated_into_indonesian() -> None:
    with PO.open("rb") as f:
        catalog = read_po(f, locale="id")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0]): m.string for m in catalog if m.id and not m.fuzzy
    }
    missing = sorted(s for s in _extracted() if not translated.get(s) or translated[s] in ("", ("",)))
    assert missing == [], "run `make i18n` and translate these in messages.po"
    assert i18n.translations("id").gettext("Sign in") == "Masuk"
    assert i18n.translations("id").ngettext("%(num)s oversold order", "%(num)s oversold orders", 3) == (
        "%(num)s pesanan melebihi stok"
    )
    assert i18n.translations("en").gettext("Sign in") == "Sign in"


def _request(headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw, "query_string": b""})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "en"),
        ({"Accept-Language": "id-ID,id;q=0.9,en-US;q=0.8"}, "id"),
        ({"Accept-Language": "in"}, "id"),  # the old code for Indonesian
        ({"Accept-Language": "ms-MY, en;q=0.5, id;q=0.9"}, "id"),
        ({"Accept-Language": "en;q=0.2, id;q=0.1"}, "en"),
        ({"Accept-Language": "id;q=0, fr"}, "en"),  # q=0 means "not this one"
        ({"Accept-Language": "*;q=x, ;;, id"}, "id"),  # malformed parts are skipped
        ({"Accept-Language": "id", "Cookie": "aiostore_lang=en"}, "en"),  # the switch wins
        ({"Accept-Language": "id", "Cookie": "aiostore_lang=xx"}, "id"),  # an unknown cookie is ignored
    ],
)
def test_language_choice(headers: dict[str, str], expected: str) -> None:
    assert i18n.choose(_request(headers)) == expected
