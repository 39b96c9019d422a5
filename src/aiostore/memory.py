"""Returning freed memory to the operating system after large work.

CPython frees objects into its own arenas and glibc's heap; after a job that held 10,000s of rows the
process keeps the freed pages (its resident size stays at the job's peak) until glibc is asked to trim
them. `release()` asks (malloc_trim(0), which also gives back free pages inside the heap, not only its
top); elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
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


def release() -> bool:
    """Give freed heap pages back to the OS; True when the C library could."""
    trim = _libc()
    return bool(trim(0)) if trim is not None else False
