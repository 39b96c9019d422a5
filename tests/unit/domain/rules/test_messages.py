"""Every rule has a message a seller reads, in English and in Indonesian (web/locale, `make i18n`)."""

from __future__ import annotations

import re

import pytest

from aiostore.domain.rules import RULES
from aiostore.web import i18n
from tests.unit.domain.rules.helpers import draft, findings


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_is_translated_with_the_same_placeholders(rule: str) -> None:
    english = RULES[rule].message
    indonesian = i18n.translations("id").gettext(english)
    assert indonesian != english
    assert sorted(re.findall(r"%\(\w+\)s", indonesian)) == sorted(re.findall(r"%\(\w+\)s", english))


def test_a_finding_in_english_and_indonesian() -> None:
    found = findings(draft(description=draft().description + " WA 0812-3456-7890"), "tokopedia")
    assert [f.rule for f in found] == ["text.whatsapp", "text.phone"]
    finding = found[1]
    assert finding.message() == (
        "Remove the phone number 0812-3456-7890: Tokopedia does not allow contact details."
    )
    assert finding.message(i18n.translations("id").gettext) == (
        "Hapus nomor telepon 0812-3456-7890: Tokopedia tidak mengizinkan informasi kontak."
    )
