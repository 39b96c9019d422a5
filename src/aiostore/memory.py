"""Returning freed memory to the operating system after large work.

CPython frees objects into its own arenas and glibc's heap; after a job that held 10,000s of rows the
process keeps the freed pages (its resident size stays at the job's peak) until glibc is asked to trim
them. `release()` asks (malloc_trim(0), which also gives back free pages inside the heap, not only its
top); elsewhere than glibc it does nothing.

A worker's job does it once the job is over, when the process's resident size has grown by `GROWTH`
since the last trim (`release_grown`): a pull or a push of 10,000s of rows does, the push rounds of a
sale (a few listings each, several a second) do not, and pay a read of /proc/self/statm (a few µs), not
a trim in a thread.

Requests do the same after large work: a change set of thousands of items (a 10,000-row sheet's
preview, its commit) notes it (`note_large`), and the web request middleware releases once the response
is sent (`release_noted`), so the next step starts from what the service holds, not from the last
step's peak. Small requests never pay for a trim.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import os
import sys
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def freeze_startup() -> None:
    """Put what start-up made out of the collector's reach (`aiostore serve` and `aiostore worker`, once
    set up). Modules, the app, its routes and models are some 250,000 objects that live as long as the
    process; every full collection traversed them all, a pause of 110-150 ms in the worker (measured
    during bench/propagation.py, seven in 40 s), during which no sale moved. Frozen, a full collection
    traverses only what the work itself allocated."""
    gc.collect()
    gc.freeze()


def release() -> bool:
    """Give freed heap pages back to the OS; True when the C library could."""
    trim = _libc()
    return bool(trim(0)) if trim is not None else False


GROWTH = 8 * 1024 * 1024  # resident bytes gained since the last trim that make the next one worth it
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_trimmed_at = 0  # the resident size after the last trim, or the lowest seen since


def resident() -> int | None:
    """This process's resident size in bytes (Linux); None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


async def release_grown() -> bool:
    """After a job: give freed heap pages back (in a thread) when the resident size has grown by `GROWTH`
    since the last trim (measured from the lowest size seen since); whether it was asked to."""
    global _trimmed_at
    now = resident()
    if now is not None:
        _trimmed_at = min(_trimmed_at, now)
        if now < _trimmed_at + GROWTH:
            return False
    await asyncio.to_thread(release)
    _trimmed_at = resident() or 0
    return True


LARGE = 1_000  # items of a change set above which a request's freed memory is given back
_noted = False


def note_large(items: int) -> None:
    """A request built `items` change-set items: when they are many, release once it has answered."""
    global _noted
    if items >= LARGE:
        _noted = True


async def release_noted() -> bool:
    """Give freed heap pages back (in a thread) if a request noted large work since the last time;
    whether it was asked to."""
    global _noted
    if not _noted:
        return False
    _noted = False
    await asyncio.to_thread(release)
    return True
