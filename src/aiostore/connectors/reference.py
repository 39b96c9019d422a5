"""What the four connectors share when they read reference data: names merged across languages, an
image's media type, an upload of one image a call."""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable, Mapping, Sequence

from aiostore.connectors.dtos import CategoryDTO, ImageUploadResult, UploadedImage

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


async def one_per_call(
    upload: Callable[[bytes, str], Awaitable[UploadedImage]], images: Sequence[tuple[bytes, str]]
) -> list[ImageUploadResult]:
    """upload_images where the platform's upload takes one image a call (limits.image_upload_batch 1):
    the one image, its refusal raised like upload_image's."""
    if len(images) != 1:
        raise ValueError(f"this platform uploads one image a call, not {len(images)}")
    content, filename = images[0]
    return [ImageUploadResult(await upload(content, filename))]
