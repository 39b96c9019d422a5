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


async def test_a_job_trims_only_once_the_process_has_grown() -> None:
    memory.release()  # what earlier tests freed goes back: the pages held below are new ones
    await memory.release_grown()  # from where the process stands now
    assert await memory.release_grown() is False  # a small job after it: no trim
    held = [bytes(4000) for _ in range(2 * memory.GROWTH // 4000)]  # a large job's rows, resident
    assert await memory.release_grown() is True
    assert await memory.release_grown() is False  # measured from the trim, not from the start again
    del held
    assert await memory.release_grown() is False  # what was freed makes no growth
