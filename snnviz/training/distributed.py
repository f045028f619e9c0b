"""Single-process and torchrun/DDP training from one code path.

Under ``torchrun`` (``WORLD_SIZE`` > 1 in the environment) :func:`setup` joins the
process group — NCCL on GPUs, Gloo on the CPU — binds each rank to its local GPU,
and :meth:`Context.wrap` wraps the model in DistributedDataParallel. Multi-node
runs are torchrun's business: start the same command on every node with
``--nnodes``, ``--node_rank`` and ``--rdzv_endpoint`` (see the README).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DistributedSampler

from snnviz.device import resolve_device

__all__ = ["Context", "setup", "make_sampler"]


@dataclass
class Context:
    """Where this process trains: its rank, the world size and its device."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    device: torch.device = torch.device("cpu")

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    def wrap(self, model: nn.Module) -> nn.Module:
        """The model as the training step should call it (DDP-wrapped when distributed)."""
        if not self.distributed:
            return model
        from torch.nn.parallel import DistributedDataParallel

        # snnTorch neurons keep a non-persistent per-call membrane buffer; it is not
        # model state, so buffers are not broadcast (BatchNorm statistics stay per rank
        # and rank 0's are saved, as with any DDP run without SyncBatchNorm).
        ids = [self.local_rank] if self.device.type == "cuda" else None
        return DistributedDataParallel(model, device_ids=ids, broadcast_buffers=False)

    def barrier(self) -> None:
        if self.distributed:
            dist.barrier()

    def close(self) -> None:
        if self.distributed and dist.is_initialized():
            dist.destroy_process_group()


def setup(device: str = "auto") -> Context:
    """Read torchrun's environment, join the process group if needed, pick the device."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return Context(device=resolve_device(device))
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    wanted = resolve_device(device)
    if wanted.type == "cuda":
        torch.cuda.set_device(local_rank)
        dev, backend = torch.device("cuda", local_rank), "nccl"
    else:
        dev, backend = torch.device("cpu"), "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    return Context(rank=rank, world_size=world, local_rank=local_rank, device=dev)


def make_sampler(dataset, ctx: Context, *, seed: int = 0):
    """A DistributedSampler when distributed, else None (the loader shuffles)."""
    if not ctx.distributed:
        return None
    return DistributedSampler(dataset, num_replicas=ctx.world_size, rank=ctx.rank, shuffle=True, seed=seed)
