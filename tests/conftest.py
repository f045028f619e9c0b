"""Shared fixtures: seeded RNGs and tiny model inputs (CPU only)."""

from __future__ import annotations

import pytest
import torch

# one intra-op thread: tiny tensors gain nothing from more, and a busy machine makes OpenMP spin
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
    yield


@pytest.fixture
def av_batch():
    """A random (audio, image) batch of 3 for the default AV-Digits config."""
    gen = torch.Generator().manual_seed(1)
    return torch.rand(3, 1, 40, 63, generator=gen), torch.rand(3, 1, 8, 8, generator=gen)


def pytest_collection_modifyitems(config, items):
    if not torch.cuda.is_available():
        skip = pytest.mark.skip(reason="needs a CUDA GPU")
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(skip)
