"""Run the teaching toys' tiny tensor ops on one intra-op thread.

On a small, busy machine, OpenMP threads waiting for each other make tensor ops
on a few thousand values 10-100x slower than one thread (a 720-angle margin map:
~125 ms with two threads, ~2 ms with one). With PyTorch's OpenMP backend the
setting belongs to the calling thread, and a Streamlit server runs each session
in its own thread, so each thread saves and restores its own value (nested
sections leave it alone).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import torch

_state = threading.local()


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Hold ``torch.set_num_threads(1)`` for the block (also usable as a decorator: ``@one_thread()``)."""
    depth = getattr(_state, "depth", 0)
    if depth == 0:
        _state.saved = torch.get_num_threads()
        torch.set_num_threads(1)
    _state.depth = depth + 1
    try:
        yield
    finally:
        _state.depth -= 1
        if _state.depth == 0:
            torch.set_num_threads(_state.saved)
