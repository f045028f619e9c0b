"""Record spikes and membrane potentials of every spiking layer, by wrapping.

:class:`Recorder` is a context manager that registers forward hooks on every
:class:`~snnviz.models.LIFLayer` of a model (and on its membrane probe), keeps
detached copies of what flows through, and removes the hooks when the block
ends, even on error. Outputs are unchanged: the hooks only read.

Examples
--------
>>> import torch
>>> from snnviz.models import build_model
>>> model = build_model().eval()
>>> with torch.inference_mode(), Recorder(model, max_neurons=64) as rec:
...     _ = model(torch.rand(1, 1, 40, 63), torch.rand(1, 1, 8, 8))
>>> rec.recording["visual.lif1"].spikes.shape     # (T, B, N)
torch.Size([8, 1, 64])
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import torch
from torch import nn

from snnviz.errors import RecordingError
from snnviz.models.neurons import LIFLayer

__all__ = ["LayerRecord", "Recording", "Recorder"]


@dataclass
class LayerRecord:
    """Spikes and membranes of one spiking layer over ``T`` steps for ``B`` samples.

    Attributes
    ----------
    name : str
        Dotted module name, e.g. ``"visual.layer2.0.lif1"``.
    branch : str
        ``"audio"``, ``"visual"`` or ``"fusion"``.
    spikes : Tensor, bool, (T, B, N)
    membrane : Tensor, float32 or float16, (T, B, N), or None when not recorded
    threshold : float
    shape : tuple of int
        Per-sample feature shape: ``(C, H, W)`` for conv layers, ``(F,)`` for fc layers.
    neuron_index : Tensor (N,) long, or None
        Indices into the flattened ``shape`` when a subset of neurons was kept.
    """

    name: str
    branch: str
    spikes: torch.Tensor
    membrane: torch.Tensor | None
    threshold: float
    shape: tuple[int, ...]
    neuron_index: torch.Tensor | None = None

    @property
    def num_neurons(self) -> int:
        """Neurons in the layer (not only those kept)."""
        n = 1
        for s in self.shape:
            n *= s
        return n

    @property
    def kind(self) -> str:
        """``"conv"`` for feature maps, ``"fc"`` otherwise."""
        return "conv" if len(self.shape) == 3 else "fc"

    def nbytes(self) -> int:
        """Bytes held by the recorded tensors."""
        total = self.spikes.element_size() * self.spikes.nelement()
        if self.membrane is not None:
            total += self.membrane.element_size() * self.membrane.nelement()
        return total


@dataclass
class Recording:
    """All recorded layers of one forward pass, in the order they ran."""

    layers: dict[str, LayerRecord] = field(default_factory=dict)
    num_steps: int = 0
    batch_size: int = 0

    @property
    def layer_names(self) -> list[str]:
        return list(self.layers)

    def __getitem__(self, name: str) -> LayerRecord:
        try:
            return self.layers[name]
        except KeyError:
            raise RecordingError(
                f"No layer {name!r} in this recording. Recorded layers: {', '.join(self.layers) or 'none'}."
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self.layers

    def __len__(self) -> int:
        return len(self.layers)

    def nbytes(self) -> int:
        """Bytes held by all recorded tensors."""
        return sum(layer.nbytes() for layer in self.layers.values())


class Recorder:
    """Context manager that records every spiking layer of ``model`` (see module docstring).

    Parameters
    ----------
    model : nn.Module
        Any module containing :class:`LIFLayer` s.
    layers : list of str, optional
        Names of the layers to record (default: all).
    max_neurons : int, optional
        Keep at most this many neurons per layer: a reproducible random subset
        (seeded by ``seed`` and the layer name), sorted by index.
    membrane : bool
        Record membrane potentials too (default True).
    membrane_dtype : torch.dtype
        ``torch.float32`` (default) or ``torch.float16`` to halve their memory.
    seed : int

    Notes
    -----
    Hooks are attached to the model object: while a Recorder is active, every
    forward pass through ``model`` is recorded, so callers sharing one model
    between threads must serialise record-and-forward.
    """

    def __init__(
        self,
        model: nn.Module,
        layers: list[str] | None = None,
        max_neurons: int | None = None,
        *,
        membrane: bool = True,
        membrane_dtype: torch.dtype = torch.float32,
        seed: int = 0,
    ) -> None:
        available = {name: mod for name, mod in model.named_modules() if isinstance(mod, LIFLayer)}
        if hasattr(model, "spiking_layers"):
            available = dict(model.spiking_layers())
        if layers is None:
            chosen = list(available)
        else:
            unknown = [name for name in layers if name not in available]
            if unknown:
                raise RecordingError(
                    f"Unknown spiking layer(s): {', '.join(unknown)}. Valid layers: {', '.join(available)}."
                )
            chosen = [name for name in available if name in set(layers)]
        if max_neurons is not None and (
            isinstance(max_neurons, bool) or not isinstance(max_neurons, int) or max_neurons < 1
        ):
            raise RecordingError(f"The 'max_neurons' parameter must be a positive int or None. Got {max_neurons!r}.")
        if membrane_dtype not in (torch.float32, torch.float16):
            raise RecordingError(
                f"The 'membrane_dtype' parameter must be torch.float32 or torch.float16. Got {membrane_dtype}."
            )
        self.model = model
        self.layers = chosen
        self.max_neurons = max_neurons
        self.membrane = membrane
        self.membrane_dtype = membrane_dtype
        self.seed = seed
        self._modules = {name: available[name] for name in chosen}
        self._handles: list = []
        self._spikes: dict[str, torch.Tensor] = {}
        self._membranes: dict[str, torch.Tensor] = {}
        self._index: dict[str, torch.Tensor | None] = {}
        self.recording: Recording | None = None

    # -- hooks -------------------------------------------------------------
    def _select(self, name: str, x: torch.Tensor) -> torch.Tensor:
        """``(T, B, ...) -> (T, B, N)`` keeping the chosen subset of neurons."""
        flat = x.detach().flatten(2)
        if name not in self._index:
            n = flat.shape[2]
            idx = None
            if self.max_neurons is not None and n > self.max_neurons:
                gen = torch.Generator().manual_seed(self.seed + zlib.crc32(name.encode()))
                idx = torch.randperm(n, generator=gen)[: self.max_neurons].sort().values
            self._index[name] = idx
        idx = self._index[name]
        return flat if idx is None else flat.index_select(2, idx.to(flat.device))

    def _spike_hook(self, name: str):
        def hook(module, inputs, output):
            self._shapes[name] = tuple(output.shape[2:])
            self._spikes[name] = self._select(name, output).to("cpu", torch.bool)

        return hook

    def _membrane_hook(self, name: str):
        def hook(module, inputs, output):
            self._membranes[name] = self._select(name, output).to("cpu", self.membrane_dtype)

        return hook

    # -- context -----------------------------------------------------------
    def __enter__(self) -> Recorder:
        self._spikes, self._membranes, self._index, self._shapes = {}, {}, {}, {}
        self.recording = None
        try:
            for name, module in self._modules.items():
                self._handles.append(module.register_forward_hook(self._spike_hook(name)))
                if self.membrane:
                    self._handles.append(module.mem_probe.register_forward_hook(self._membrane_hook(name)))
        except BaseException:
            self._remove()
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._remove()
        if exc_type is None:
            self.recording = self._build()

    def _remove(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def _build(self) -> Recording:
        rec = Recording()
        for name in self.layers:  # forward order
            if name not in self._spikes:
                continue  # layer did not run (e.g. a unimodal pass)
            spikes = self._spikes[name]
            rec.layers[name] = LayerRecord(
                name=name,
                branch=name.split(".", 1)[0],
                spikes=spikes,
                membrane=self._membranes.get(name),
                threshold=self._modules[name].threshold,
                shape=self._shapes[name],
                neuron_index=self._index.get(name),
            )
            rec.num_steps, rec.batch_size = spikes.shape[0], spikes.shape[1]
        return rec
