"""memory.note_large / release_noted: only a request that built many items pays for a trim, once."""

from __future__ import annotations

from aiostore import memory


async def test_only_large_work_is_released_and_only_once() -> None:
    await memory.release_noted()  # whatever an earlier test noted
    memory.note_large(memory.LARGE - 1)
    assert await memory.release_noted() is False
    memory.note_large(memory.LARGE)
    memory.note_large(5)  # a small request after it keeps the note
    assert await memory.release_noted() is True
    assert await memory.release_noted() is False
