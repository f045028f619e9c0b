"""Run by tests/test_training.py under torchrun: train a tiny recipe and dump each rank's weights."""

import sys
from pathlib import Path

from safetensors.torch import save_file

from snnviz.training import apply_overrides, get_preset, train

if __name__ == "__main__":
    out, overrides = Path(sys.argv[1]), sys.argv[2:]
    recipe = apply_overrides(get_preset("avdigits-arcface"), [*overrides, "device=cpu"])
    result = train(recipe, out, quiet=True)
    import os

    import torch.distributed as dist  # noqa: F401  (process group is closed by train)

    rank = int(os.environ["RANK"])
    state = {k: v.detach().contiguous().clone() for k, v in result["model"].state_dict().items()}
    save_file(state, str(out.with_name(f"rank{rank}.safetensors")))
