"""Tokopedia's create checks its `annotations` (value ids) against the category's select attributes."""

from __future__ import annotations

from aiostore.sandbox.tokopedia.routes_reference import TAXONOMY, annotation_refusal


def strict() -> tuple[int, list[int]]:
    """A leaf whose first attribute is a mandatory single select, and one value id of every select."""
    leaf = next(
        c
        for c in TAXONOMY.tree.categories
        if c.leaf and c.rules[0].mandatory and c.rules[0].attribute.input_type == "single_select"
    )
    return TAXONOMY.id_of(leaf), [
        TAXONOMY.value_id(r.attribute, 0) for r in leaf.rules if r.attribute.selects
    ]


def test_every_annotation_given_passes_and_a_missing_mandatory_one_is_named() -> None:
    category_id, values = strict()
    assert annotation_refusal(category_id, values) == ""
    leaf = TAXONOMY.leaf(category_id)
    assert leaf is not None
    name = leaf.rules[0].attribute.name[1]
    expected = f"annotation {name} is mandatory for category_id {category_id}"
    assert annotation_refusal(category_id, values[1:]) == expected
    assert annotation_refusal(category_id, None) == expected


def test_foreign_ids_two_values_of_one_and_bad_shapes_are_refused() -> None:
    category_id, values = strict()
    assert annotation_refusal(category_id, [*values, 1]) == (
        f"annotation 1 is not an annotation of category_id {category_id}"
    )
    leaf = TAXONOMY.leaf(category_id)
    assert leaf is not None
    second = TAXONOMY.value_id(leaf.rules[0].attribute, 1)
    assert annotation_refusal(category_id, [*values, second]).startswith(
        f"annotation {leaf.rules[0].attribute.name[1]} takes one value"
    )
    assert annotation_refusal(category_id, "10001") == "annotations must be a list of annotation value ids"
    assert annotation_refusal(category_id, [True]) == "annotations must be a list of annotation value ids"
