"""The dashboard's languages: which one a request gets, and its gettext catalog.

English is the source language (the msgids); Indonesian comes from `locale/id/LC_MESSAGES/messages.po`,
compiled in memory the first time it is needed (no `.mo` file to keep in step). The choice is the
`aiostore_lang` cookie set by the language switch, else the best match of the browser's Accept-Language.
"""

from __future__ import annotations

import gettext
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.requests import Request

LANGUAGES = ("en", "id")
DEFAULT = "en"
LANG_COOKIE = "aiostore_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("aiostore_lang", default=DEFAULT)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog of `lang` (English, the source language, translates nothing)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def from_accept_language(header: str) -> str | None:
    """The first language of an Accept-Language header we speak, by the header's q-values."""
    weighted: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and q > 0:
            weighted.append((-q, i, tag.strip()))
    for _, _, tag in sorted(weighted):
        try:
            language = Locale.parse(tag.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            continue
        if language == "in":  # the old code for Indonesian, still sent by some systems
            language = "id"
        if language in LANGUAGES:
            return language
    return None


def choose(request: Request) -> str:
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return from_accept_language(request.headers.get("accept-language", "")) or DEFAULT


def activate(lang: str) -> None:
    """Make `lang` the language of gettext calls in this task (templates and Python alike)."""
    _current.set(lang if lang in LANGUAGES else DEFAULT)


def current() -> str:
    return _current.get()


def N_(message: str) -> str:  # noqa: N802  (the gettext convention: marked here, translated when shown)
    return message


def _(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)
