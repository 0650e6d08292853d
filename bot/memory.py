"""What the process loads once at start and keeps for good: loaded quickly, kept out of the collector's way,
and the memory its loading used only for a moment given back.

At 100,000 chats and 1,000 cases the load builds millions of objects. With the garbage collector on, its
passes over the growing heap would double the load time; once loaded, the objects would be walked again by
every later full pass, stopping the event loop for over 100 ms now and then. And the raw files parsed on
the way (tens of MB) leave free memory in the C heap that the allocator keeps unless asked to return it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def loading_for_good() -> Iterator[None]:
    """Around loading what lives as long as the process: the collector is off while it loads, what was
    loaded is frozen (never walked by the collector again), and the heap's free memory is given back."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
        give_back_free_memory()


def give_back_free_memory() -> bool:
    """Return the C heap's free pages to the system (glibc's `malloc_trim`); False where there is none."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None)
    if trim is None:
        return False
    trim(0)
    return True
