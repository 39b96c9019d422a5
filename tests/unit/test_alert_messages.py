"""Alert texts (every kind in English and Indonesian, no label left unfilled) and Standard Webhooks
signatures (the spec's published example)."""

from __future__ import annotations

import pytest

from aiostore.db.models import AlertState
from aiostore.services.alerts import signing
from aiostore.services.alerts.messages import LANGUAGES, TEXTS, render
from aiostore.services.alerts.rules import Kind

SUBJECTS = {
    Kind.LOW_COVER: {"sku": "KAOS-M", "available": 4, "days": 2.5},
    Kind.OVERSOLD: {"order": "SO-1", "shop": "Toko", "platform": "shopee", "market": "ID"},
    Kind.TOKEN_EXPIRY: {"shop": "Toko", "platform": "lazada", "market": "MY", "state": "expired"},
    Kind.JOB_FAILED: {
        "job_kind": "pull_orders",
        "attempts": 5,
        "shop": None,
        "platform": None,
        "market": None,
    },
    Kind.LISTING_REJECTED: {"sku": "A-1", "state": "banned", "shop": "Toko", "platform": "tiktokshop"},
    Kind.STOCK_DRIFT: {"sku": "A-1", "platform_stock": 3, "pushed_stock": 5, "shop": "Toko", "platform": "x"},
    Kind.QUIET_SHOP: {"shop": "Toko", "platform": "shopee", "market": "SG", "hours": 30},
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_reads_in_every_language(kind: Kind, language: str) -> None:
    assert set(TEXTS[language]) == set(Kind)
    message = render(kind.value, SUBJECTS[kind], language)
    assert "?" not in message.title + message.text and "{" not in message.text
    assert message.title and message.text


def test_words_follow_the_language_and_a_shopless_job_names_the_organisation() -> None:
    assert "expired" in render("token_expiry", SUBJECTS[Kind.TOKEN_EXPIRY], "en").text
    assert "sudah kedaluwarsa" in render("token_expiry", SUBJECTS[Kind.TOKEN_EXPIRY], "id").text
    assert "job of the organisation failed" in render("job_failed", SUBJECTS[Kind.JOB_FAILED], "en").text
    assert render("oversold", SUBJECTS[Kind.OVERSOLD], "fr").title == "Oversold order SO-1"  # falls back


def test_standard_webhooks_example_signature() -> None:
    # The example of the Standard Webhooks specification (standardwebhooks.com).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signing.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == expected
    assert signing.verify(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, f"v1,bad= {expected}")
    assert not signing.verify(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, body, expected)
    assert signing.new_secret().startswith("whsec_") and signing.new_secret() != signing.new_secret()


def test_a_shop_name_with_line_breaks_never_reaches_an_email_header() -> None:
    from aiostore.services.alerts.delivery import Outgoing, email_message
    from aiostore.settings import Settings

    subject = {**SUBJECTS[Kind.TOKEN_EXPIRY], "shop": "Toko\r\nBcc: victim@example.com"}
    state = AlertState(kind="token_expiry", subject=subject)
    out = Outgoing("email", "en", [(state, render("token_expiry", subject, "en"))], email="a@example.com")
    msg = email_message(Settings(_env_file=None), "a@example.com", out)  # type: ignore[call-arg]
    assert msg["Subject"] == "AIOStore: Shop authorisation: Toko Bcc: victim@example.com"
    assert msg["Bcc"] is None
