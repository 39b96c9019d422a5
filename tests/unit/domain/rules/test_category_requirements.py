"""What TikTok Shop's category rules require (package dimensions, a size chart, certifications), served as
CategoryLimits, becomes error findings a seller understands: rule id, field, the certification named, the
message in English and Indonesian. A master product carries no size chart and no certificate, so a
category that needs one is an error until the seller picks another."""

from __future__ import annotations

from aiostore.domain.rules import CategoryLimits, Severity, check, effective_rules
from aiostore.domain.rules.draft import Dimensions, Finding
from aiostore.web.i18n import translations
from tests.unit.domain.rules.helpers import draft

INDONESIAN = translations("id").gettext


def findings(category: CategoryLimits | None, dimensions: Dimensions = Dimensions()) -> dict[str, Finding]:
    rules = effective_rules("tiktokshop", "ID", category=category)
    found = check(draft(dimensions=dimensions), "tiktokshop", "ID", rules)
    return {f.rule: f for f in found}


def test_a_category_that_requires_nothing_adds_no_finding() -> None:
    plain = findings(None)
    assert not {"category.size_chart_required", "category.certification_required"} & plain.keys()
    assert "logistics.dimensions_missing" not in plain  # TikTok ID: all or none by default


def test_required_package_dimensions_are_an_error_only_when_missing() -> None:
    served = CategoryLimits(dimensions_required=True)
    missing = findings(served)["logistics.dimensions_missing"]
    assert missing.severity is Severity.ERROR and missing.field == "dimensions"
    assert missing.message() == "TikTok Shop needs the package length, width and height."
    assert "logistics.dimensions_missing" not in findings(served, Dimensions(20, 15, 5))


def test_a_required_size_chart_is_an_error_that_says_why() -> None:
    found = findings(CategoryLimits(size_chart_required=True))["category.size_chart_required"]
    assert found.severity is Severity.ERROR and found.field == "size_chart" and found.value is None
    assert found.message().startswith("TikTok Shop requires a size chart for this category")
    assert "master product cannot carry one" in found.message()
    assert found.message(INDONESIAN).startswith("TikTok Shop mewajibkan tabel ukuran untuk kategori ini")
    assert "category.size_chart_required" not in findings(CategoryLimits(size_chart_required=False))


def test_each_required_certification_is_an_error_naming_it() -> None:
    served = CategoryLimits(certifications=("BPOM registration", "SDPPI certificate"))
    rules = effective_rules("tiktokshop", "ID", category=served)
    found = [
        f for f in check(draft(), "tiktokshop", "ID", rules) if f.rule == "category.certification_required"
    ]
    assert [(f.field, f.value, f.severity) for f in found] == [
        ("certifications", "BPOM registration", Severity.ERROR),
        ("certifications", "SDPPI certificate", Severity.ERROR),
    ]
    assert "requires the certification BPOM registration for this category" in found[0].message()
    assert "mewajibkan sertifikasi BPOM registration untuk kategori ini" in found[0].message(INDONESIAN)


def test_served_requirements_round_trip_through_the_cache_shape() -> None:
    served = CategoryLimits(size_chart_required=True, certifications=("BPOM registration",))
    stored = served.model_dump(mode="json", exclude_none=True)
    assert CategoryLimits.model_validate(stored) == served
    rules = effective_rules("tiktokshop", "ID", category=served)
    assert rules.rules.requires.size_chart and rules.rules.requires.certifications == ["BPOM registration"]
    assert not effective_rules("tiktokshop", "ID").rules.requires.certifications
