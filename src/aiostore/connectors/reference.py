"""What the four connectors share when they read reference data: names merged across languages, an
image's media type, an upload of one image a call."""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping, Sequence

from aiostore.connectors.dtos import CategoryDTO

Row = tuple[str, str | None, str, bool]  # (id, parent id, name, leaf)


def merge_names(by_language: Mapping[str, Sequence[Row]]) -> list[CategoryDTO]:
    """One category per id, in the first language's order, with its name in every language read."""
    names: dict[str, dict[str, str]] = {}
    rows: dict[str, Row] = {}
    for language, found in by_language.items():
        for row in found:
            rows.setdefault(row[0], row)
            names.setdefault(row[0], {})[language] = row[2]
    return [CategoryDTO(cid, parent, names[cid], leaf) for cid, (_, parent, _, leaf) in rows.items()]


def media_type(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"
