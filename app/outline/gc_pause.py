"""The cyclic garbage collector paused while an import builds a big, long-lived structure."""

# Parsing an outline allocates millions of objects that all stay alive until the deck is built
# (markdown-it's tokens, the blocks, the topics), as does writing its YAML (a node per value).
# Each of the collector's full passes walks every one of them again: on a 5 MB outline that was
# about 40% of the parse. Reference counting still frees everything at once; only reference
# cycles wait until the pause ends, and nothing here makes many.

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector is as it was afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
