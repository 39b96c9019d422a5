"""Text matching for the rules: Unicode folding with offsets back into the original text, whole-word term
matching, contact details.

Folding is NFKD, then case folding, then NFKD again, with combining diacritics dropped and the dotless ı
read as i: "ＳＥＸ" (full width), "Séx" and "SEX" all fold to "sex", "STRASSE" and "straße" to "strasse", and
Turkish "İ" to "i". Each character folds on its own, so the folded text is the concatenation of its
characters' folds and a match in it maps back to a span [start, end) of the original. ASCII text (the
common case) folds with `str.lower()` and needs no map at all; other text builds its map only when
something matched.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

_MARKS = re.compile(r"[\u0300-\u036f]")  # combining diacritical marks (dropped)
_CONFUSABLE = str.maketrans({"ı": "i"})


def _fold_full(text: str) -> str:
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return _MARKS.sub("", folded).translate(_CONFUSABLE)


def fold(text: str) -> str:
    """The text as the matchers see it."""
    return text.lower() if text.isascii() else _fold_full(text)


@dataclass(frozen=True, slots=True)
class Folded:
    original: str
    folded: str
    _starts: tuple[int, ...] | None = None  # folded index of each original character (plus the end)

    @classmethod
    def of(cls, text: str) -> Folded:
        return cls(text, fold(text))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span covering folded [start, end)."""
        if len(self.original) == len(self.folded) and self.original.isascii():
            return start, end
        starts = self._map()
        lo = _last_at_or_before(starts, start)
        hi = lo
        while hi < len(self.original) and starts[hi] < end:
            hi += 1
        return lo, hi

    def _map(self) -> tuple[int, ...]:
        if self._starts is None:
            sizes = (1 if ch < "\x80" else len(_fold_full(ch)) for ch in self.original)
            object.__setattr__(self, "_starts", tuple(accumulate(sizes, initial=0)))
        assert self._starts is not None  # noqa: S101
        return self._starts


def _last_at_or_before(starts: tuple[int, ...], index: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= index:
            lo = mid
        else:
            hi = mid - 1
    return lo


def term_key(text: str) -> str:
    return " ".join(fold(text).split())


def _trie(patterns: Iterable[list[str]]) -> str:
    """One regex for many terms, factored by common prefix (each term a list of regex atoms): Python's
    engine then tries each letter once per position instead of once per term."""
    root: dict[str, Any] = {}
    for atoms in patterns:
        node = root
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        ends = "" in node
        alts = [atom + emit(child) for atom, child in sorted(node.items()) if atom]
        if not alts:
            return ""
        body = (
            alts[0]
            if len(alts) == 1 and len(alts[0]) == len(alts[0].lstrip("("))
            else f"(?:{'|'.join(alts)})"
        )
        return f"(?:{body})?" if ends else body

    return emit(root)


def _atoms(term: str) -> list[str]:
    """A folded term as regex atoms; its spaces match any run of spaces."""
    atoms: list[str] = []
    for i, word in enumerate(fold(term).split()):
        if i:
            atoms.append(r"\s+")
        atoms.extend(re.escape(ch) for ch in word)
    return atoms


@dataclass(frozen=True, slots=True)
class Dual:
    """One pattern compiled twice: with re.ASCII for ASCII text (its \\w, \\d, \\s and \\b look a table up:
    measured a third faster, and the same answers on ASCII text), and for any text."""

    unicode: re.Pattern[str]
    ascii: re.Pattern[str]

    @classmethod
    def compile(cls, pattern: str) -> Dual:
        return cls(re.compile(pattern), re.compile(pattern, re.ASCII))

    def on(self, text: str) -> re.Pattern[str]:
        return self.ascii if text.isascii() else self.unicode


class TermMatcher:
    """Whole-word matches of many terms at once, longest first at each place, without overlaps: one
    compiled regex, a prefix tree of the folded terms. (An Aho-Corasick automaton, pyahocorasick, was
    measured slower on Python strings: it copies each text before scanning it.)"""

    def __init__(self, terms: Iterable[tuple[str, str]]) -> None:
        """`terms`: (term, kind) pairs; a term listed twice keeps its first kind."""
        self.kinds: dict[str, str] = {}
        for term, kind in terms:
            self.kinds.setdefault(term_key(term), kind)
        tree = _trie(_atoms(t) for t in self.kinds)
        # Terms start and end with a letter or digit (schema, overrides), so \b is a whole-word test.
        self.regex = Dual.compile(rf"\b{tree}\b") if tree else None

    def find(self, text: Folded) -> Iterator[tuple[str, int, int]]:
        """(kind, start, end) in the folded text."""
        if self.regex is None:
            return
        for match in self.regex.on(text.folded).finditer(text.folded):
            yield self.kinds[" ".join(match.group().split())], match.start(), match.end()


_PHONE = (
    # Indonesia: mobile 08xx / +62 8xx, 9 to 12 digits after the trunk prefix; landline (0xx) xxx xxxx.
    r"(?:\+?62[\s.-]?|0)8\d{1,2}(?:[\s.-]?\d){6,9}"
    r"|(?:\+?62[\s.-]?\(?|\(?0)[2-7]\d{1,2}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}"
    # Malaysia: mobile 01x / +60 1x, landline 03 / +60 3 ...
    r"|(?:\+?60[\s.-]?|0)1\d[\s.-]?\d{3,4}[\s.-]?\d{4}"
    r"|\+?60[\s.-]?[3-9][\s.-]?\d{3,4}[\s.-]?\d{4}"
    # Singapore: 8 digits starting with 6, 8 or 9, with or without +65.
    r"|(?:\+?65[\s.-]?)?[689]\d{3}[\s.-]?\d{4}"
)
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"


def _digits(s: str) -> int:
    """How many digits `s` has, at least (exactly for ASCII text; all of it otherwise)."""
    if not s.isascii():
        return len(s)
    raw = s.encode("ascii")
    return len(raw) - len(raw.translate(None, b"0123456789"))


@dataclass(frozen=True, slots=True)
class ContactMatcher:
    """The contact details banned here. Each kind has a cheap test that most texts fail (no "@", no run
    of eight digits, nothing like a domain), and only a text that passes it meets the full pattern."""

    email: Dual | None
    url_hint: Dual | None
    url: Dual | None
    phone_hint: Dual | None
    phone: Dual | None

    @classmethod
    def of(cls, kinds: Iterable[str], tlds: Iterable[str]) -> ContactMatcher:
        wanted = set(kinds)
        domains = "|".join(re.escape(t) for t in sorted(set(tlds), key=lambda t: (-len(t), t)))
        bare = (
            rf"|[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:{domains})(?![\w-])(?:/\S*[^\s.,;:!?)\]}}'\"])?"
            if domains
            else ""
        )
        url = rf"(?:https?://|www\.)\S*[^\s.,;:!?)\]}}'\"]{bare}"
        hint = rf"\.(?:{domains})(?![\w-])" if domains else r"\.com\b"  # begins with "." (a fast scan)
        return cls(
            email=Dual.compile(_EMAIL) if "email" in wanted else None,
            url_hint=Dual.compile(hint) if "url" in wanted else None,
            url=Dual.compile(rf"(?<![\w@.-])(?:{url})") if "url" in wanted else None,
            phone_hint=Dual.compile(r"[+\d][\d\s().-]{7,}\d") if "phone" in wanted else None,
            phone=Dual.compile(rf"(?<![\d+])(?:{_PHONE})(?!\d)") if "phone" in wanted else None,
        )

    def find(self, text: Folded) -> Iterator[tuple[str, int, int]]:
        """(kind, start, end) of each contact detail in the folded text."""
        s = text.folded
        emails: list[tuple[int, int]] = []
        if self.email is not None and "@" in s:
            for m in self.email.on(s).finditer(s):
                emails.append((m.start(), m.end()))
                yield "email", m.start(), m.end()
        if (
            self.url is not None
            and self.url_hint is not None
            and ("://" in s or "www." in s or self.url_hint.on(s).search(s))
        ):
            for m in self.url.on(s).finditer(s):
                if not any(a <= m.start() < b for a, b in emails):
                    yield "url", m.start(), m.end()
        if self.phone is not None and self.phone_hint is not None and _digits(s) >= 8:
            phone = self.phone.on(s)
            for hint in self.phone_hint.on(s).finditer(s):
                for m in phone.finditer(s, max(hint.start() - 1, 0), hint.end()):  # with a "("
                    yield "phone", m.start(), m.end()


# Emoji, pictographs, dingbats, arrows, geometric shapes, stars, box drawing, CJK brackets 【】 and the
# like: the decorative symbols the platforms' SEO guides advise against in titles.
SYMBOLS = re.compile(
    "[\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u2500-\u27bf\u2900-\u297f\u2b00-\u2bff\u3010\u3011\u3016\u3017"
    "\U0001f000-\U0001faff\ufe0f\u200d]"
)
WORDS = re.compile(r"[^\W\d_]{3,}")
CHINESE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
