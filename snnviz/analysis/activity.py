"""Spiking statistics per layer and an energy estimate from synaptic operations.

Two questions about a spiking network: how busy is each layer (firing rate,
dead and saturated neurons, spikes per sample), and what would it cost on
neuromorphic hardware compared with the same network run as an ANN.

Energy follows the usual convention of the SNN literature (e.g. Zhou et al.,
"Spikformer", 2023) with 45 nm figures from Horowitz (ISSCC 2014)::

    SOP_l = T · fr_in,l · MACs_l                 (layers fed with spikes)
    E_SNN = 0.9 pJ · Σ SOP_l + 4.6 pJ · Σ MAC_l  (MAC_l: layers fed with analogue values)
    E_ANN = 4.6 pJ · Σ MACs_l                    (every layer once, as an ANN)

``MACs_l`` are the multiply-accumulates of layer ``l`` for one sample and step;
``fr_in,l`` is the fraction of its inputs that spike. Layers with analogue input
(the direct-encoded first layer, read-outs of averaged rates) keep full MACs.
Only arithmetic is counted: memory traffic, which often dominates, is not.

Examples
--------
>>> import torch
>>> from torch import nn
>>> mac_count(nn.Linear(100, 10), torch.zeros(1, 100))
1000
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from snnviz.errors import RecordingError

__all__ = [
    "E_AC_PJ", "E_MAC_PJ", "ENERGY_CAVEAT", "LayerActivity", "ActivityAccumulator", "layer_activity",
    "split_activity", "LayerOps", "EnergyReport", "mac_count", "count_synaptic_ops",
]  # fmt: skip

E_AC_PJ = 0.9  # 32-bit float add, 45 nm (Horowitz 2014)
E_MAC_PJ = 4.6  # 32-bit float multiply (3.7 pJ) + add (0.9 pJ), 45 nm
ENERGY_CAVEAT = (
    "Arithmetic only (45 nm figures, Horowitz 2014): memory access, which often dominates, is not counted."
)


# --------------------------------------------------------------------------- activity
@dataclass(frozen=True)
class LayerActivity:
    """How one spiking layer behaved over the recorded samples and steps.

    ``firing_rate``: mean spikes per neuron per step, in [0, 1].
    ``dead_fraction``: neurons that never fired, on any sample at any step.
    ``saturated_fraction``: neurons that fired at every step of every sample.
    ``spikes_per_sample``: spikes of the whole layer per sample over all steps
    (scaled up from the recorded neurons when only ``recorded`` of ``neurons``
    were kept). ``samples``: samples the statistics come from.
    """

    name: str
    branch: str
    firing_rate: float
    dead_fraction: float
    saturated_fraction: float
    spikes_per_sample: float
    neurons: int
    recorded: int
    samples: int

    def to_dict(self) -> dict[str, Any]:
        """A table row."""
        return dict(self.__dict__)


@dataclass
class _Counts:
    branch: str
    neurons: int
    fired: torch.Tensor  # (N,) bool: fired at least once
    full: torch.Tensor  # (N,) bool: fired at every step of every sample so far
    spikes: int = 0
    samples: int = 0
    steps: int = 0


class ActivityAccumulator:
    """Accumulate :class:`LayerActivity` over several recordings (e.g. the batches of a split).

    Examples
    --------
    >>> acc = ActivityAccumulator()
    >>> # for each batch: with Recorder(model) as rec: model(a, v); acc.update(rec.recording)
    >>> acc.result()
    []
    """

    def __init__(self) -> None:
        self._layers: dict[str, _Counts] = {}

    def update(self, recording: Any) -> ActivityAccumulator:
        """Add one :class:`~snnviz.recording.Recording`; returns ``self``."""
        for name, layer in recording.layers.items():
            spikes = layer.spikes
            if spikes.dim() != 3:
                raise RecordingError(f"Layer {name!r} must hold spikes of shape (T, B, N). Got {tuple(spikes.shape)}.")
            spikes = spikes.bool()
            steps, batch, n = spikes.shape
            fired = spikes.any(dim=0).any(dim=0)
            full = spikes.all(dim=0).all(dim=0) if batch else torch.ones(n, dtype=torch.bool)
            counts = self._layers.get(name)
            if counts is None:
                counts = _Counts(layer.branch, layer.num_neurons, torch.zeros(n, dtype=torch.bool),
                                 torch.ones(n, dtype=torch.bool))
                self._layers[name] = counts
            elif counts.fired.shape[0] != n or (counts.steps and counts.steps != steps):
                raise RecordingError(
                    f"Layer {name!r} changed shape between recordings: {counts.fired.shape[0]} neurons over "
                    f"{counts.steps} steps before, {n} over {steps} now (record with the same max_neurons and seed)."
                )
            counts.fired |= fired
            counts.full &= full
            counts.spikes += int(spikes.sum())
            counts.samples += batch
            counts.steps = steps
        return self

    def result(self) -> list[LayerActivity]:
        """One :class:`LayerActivity` per layer, in forward order."""
        out = []
        for name, c in self._layers.items():
            recorded = c.fired.shape[0]
            cells = max(c.samples * c.steps * recorded, 1)
            per_sample = c.spikes / max(c.samples, 1) * (c.neurons / max(recorded, 1))
            out.append(LayerActivity(
                name=name, branch=c.branch, firing_rate=c.spikes / cells,
                dead_fraction=float((~c.fired).float().mean()) if recorded else 0.0,
                saturated_fraction=float(c.full.float().mean()) if recorded and c.samples else 0.0,
                spikes_per_sample=per_sample, neurons=c.neurons, recorded=recorded, samples=c.samples,
            ))  # fmt: skip
        return out


def layer_activity(recording: Any) -> list[LayerActivity]:
    """Per-layer firing statistics of one :class:`~snnviz.recording.Recording`.

    Parameters
    ----------
    recording : Recording
        From ``with Recorder(model) as rec: model(audio, image)``.

    Returns
    -------
    list of LayerActivity
        In forward order.

    Examples
    --------
    >>> import torch
    >>> from snnviz.models import build_model
    >>> from snnviz.recording import Recorder
    >>> model = build_model().eval()
    >>> with torch.inference_mode(), Recorder(model, membrane=False) as rec:
    ...     _ = model(torch.rand(2, 1, 40, 63), torch.rand(2, 1, 8, 8))
    >>> [a.name for a in layer_activity(rec.recording)][:2]
    ['audio.lif1', 'audio.lif2']
    """
    return ActivityAccumulator().update(recording).result()


def _unpack(batch: Any) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    if isinstance(batch, Mapping):
        return batch.get("audio"), batch.get("image")
    if isinstance(batch, (tuple, list)) and len(batch) >= 2:
        return batch[0], batch[1]
    raise TypeError(
        f"Each batch must be a dict with 'audio'/'image' or an (audio, image, ...) tuple. Got {type(batch).__name__}."
    )


def split_activity(
    model: nn.Module,
    batches: Iterable[Any],
    *,
    device: str | torch.device = "cpu",
    max_batches: int | None = None,
    max_neurons: int | None = None,
) -> list[LayerActivity]:
    """Per-layer firing statistics over many batches, e.g. a test split.

    Parameters
    ----------
    model : AVSpikeNet
        Any model with spiking layers; it is put in eval mode.
    batches : iterable
        Dicts with ``"audio"`` and ``"image"`` (a ``DataLoader`` over an snnviz
        dataset) or ``(audio, image, ...)`` tuples.
    device : str or torch.device
        Where to run the model (it must already be there).
    max_batches : int, optional
        Stop after this many batches.
    max_neurons : int, optional
        Record at most this many neurons per layer (same subset every batch).

    Returns
    -------
    list of LayerActivity
    """
    from snnviz.recording import Recorder  # the recording layer sits beside us; import when used

    model.eval()
    acc = ActivityAccumulator()
    with torch.inference_mode():
        for i, batch in enumerate(batches):
            if max_batches is not None and i >= max_batches:
                break
            audio, image = _unpack(batch)
            audio = None if audio is None else audio.to(device)
            image = None if image is None else image.to(device)
            with Recorder(model, max_neurons=max_neurons, membrane=False) as rec:
                model(audio, image)
            acc.update(rec.recording)
    return acc.result()


# --------------------------------------------------------------------------- energy
def mac_count(module: nn.Module, inputs: torch.Tensor) -> int:
    """Multiply-accumulates of ``module`` for one row of ``inputs`` (one sample, one step).

    ``Conv2d``: ``C_out · H_out · W_out · C_in / groups · kH · kW``; ``Linear``:
    ``in · out`` per input vector (an input ``(N, *, in)`` holds
    ``numel / in / N`` vectors per row). Biases are not counted.

    Parameters
    ----------
    module : nn.Conv2d or nn.Linear
    inputs : Tensor
        The module's input; its first dimension indexes rows (samples × steps).

    Returns
    -------
    int
    """
    if isinstance(module, nn.Conv2d):
        if inputs.dim() != 4:
            raise ValueError(f"A Conv2d input must be (N, C, H, W). Got shape {tuple(inputs.shape)}.")
        h, w = inputs.shape[-2:]
        kh, kw = module.kernel_size
        (sh, sw), (dh, dw) = module.stride, module.dilation
        if isinstance(module.padding, str):  # "same" keeps the size, "valid" pads nothing
            ph = pw = 0
            h_out, w_out = (h, w) if module.padding == "same" else (None, None)
        else:
            ph, pw = module.padding
            h_out = w_out = None
        if h_out is None:
            h_out = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
            w_out = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        per_output = module.in_channels // module.groups * kh * kw
        return int(module.out_channels * h_out * w_out * per_output)
    if isinstance(module, nn.Linear):
        rows = inputs.shape[0] if inputs.dim() > 1 else 1
        vectors = inputs.numel() // module.in_features // max(rows, 1)
        return int(vectors * module.in_features * module.out_features)
    raise TypeError(f"mac_count supports nn.Conv2d and nn.Linear. Got {type(module).__name__}.")


@dataclass(frozen=True)
class LayerOps:
    """Operations of one Conv2d/Linear layer, per sample (averaged over the batch).

    ``macs``: MACs for one sample and one step (the ANN cost). ``steps``: times
    the layer ran per sample (``T`` on the folded sequence, 1 when computed once,
    e.g. a constant direct-encoded input or a time-averaged read-out).
    ``binary_input``: every input was 0 or 1 (spikes); ``input_rate``: fraction
    of non-zero inputs. ``sops = macs · steps · input_rate`` for spiking input
    (else 0); ``mac_ops = macs · steps`` for analogue input (else 0).
    """

    name: str
    kind: str
    macs: int
    steps: float
    binary_input: bool
    input_rate: float
    sops: float
    mac_ops: float

    @property
    def energy_snn_pj(self) -> float:
        """Energy of this layer in the SNN, pJ per sample."""
        return E_AC_PJ * self.sops + E_MAC_PJ * self.mac_ops

    @property
    def energy_ann_pj(self) -> float:
        """Energy of this layer run once as an ANN, pJ per sample."""
        return E_MAC_PJ * self.macs


@dataclass(frozen=True)
class EnergyReport:
    """Synaptic operations and energy estimate of one forward pass (see module docstring).

    Energies are in picojoules per sample. ``ratio`` is ``energy_ann_pj /
    energy_snn_pj`` (how many times cheaper the SNN is; inf if it does nothing).
    """

    layers: tuple[LayerOps, ...]
    num_steps: int
    batch_size: int
    total_sops: float
    total_mac_ops: float
    ann_macs: int
    energy_snn_pj: float
    energy_ann_pj: float
    ratio: float
    caveat: str = field(default=ENERGY_CAVEAT)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (layers as a list of dicts)."""
        out = {k: v for k, v in self.__dict__.items() if k != "layers"}
        out["layers"] = [dict(op.__dict__) for op in self.layers]
        return out


def _batch_size(audio: Any, image: Any) -> int:
    for x in (audio, image):
        if isinstance(x, torch.Tensor) and x.dim() > 0:
            return int(x.shape[0])
    raise ValueError("count_synaptic_ops needs at least one of 'audio' and 'image' as a batched tensor.")


def count_synaptic_ops(model: nn.Module, audio: torch.Tensor | None, image: torch.Tensor | None) -> EnergyReport:
    """Count MACs and synaptic operations of every Conv2d/Linear layer in one forward pass.

    Forward hooks on every ``nn.Conv2d`` and ``nn.Linear`` read each layer's
    input during one pass under ``torch.inference_mode()``: its shape gives the
    MACs (:func:`mac_count`) and how many rows (samples × steps) it processed;
    its values give the spike rate. A binary input (all values in {0, 1}) is
    spikes and costs ``SOP = MACs · steps · rate`` accumulates; any other input
    (the direct-encoded first layer, average-pooled rates) costs full MACs.
    Hooks are removed afterwards, even on error.

    Parameters
    ----------
    model : nn.Module
        Called as ``model(audio, image)``; its time steps are
        ``model.config.num_steps`` when it has a config (layers see time folded
        into the batch, ``(T·B, ...)``).
    audio, image : Tensor or None
        One batch of inputs; results are per sample, averaged over the batch.

    Returns
    -------
    EnergyReport

    Notes
    -----
    A layer that runs once per sample (e.g. the first conv under direct
    encoding, whose input is the same at every step and is computed once) is
    counted once, not ``T`` times. An analogue input that happens to be
    binary (a black-and-white image under direct encoding) is counted as spikes,
    and an all-zero input costs nothing (an event-driven chip has no event to
    process).

    Examples
    --------
    >>> import torch
    >>> from snnviz.models import build_model
    >>> report = count_synaptic_ops(build_model().eval(), torch.rand(1, 1, 40, 63), torch.rand(1, 1, 8, 8))
    >>> report.layers[0].name, report.ann_macs > 0
    ('audio.conv1', True)
    """
    batch = _batch_size(audio, image)
    config = getattr(model, "config", None)
    num_steps = int(getattr(config, "num_steps", 1))
    seen: dict[str, dict[str, float]] = {}
    kinds: dict[str, str] = {}

    def make_hook(name: str):
        def hook(module: nn.Module, inputs: tuple[Any, ...], output: Any) -> None:
            x = inputs[0].detach()
            macs = mac_count(module, x)
            rows = x.shape[0] if x.dim() > 1 else 1
            nonzero = int(torch.count_nonzero(x))
            binary = bool(((x == 0) | (x == 1)).all())
            entry = seen.setdefault(name, {"macs": macs, "rows": 0, "nonzero": 0, "numel": 0, "binary": True})
            entry["rows"] += rows
            entry["nonzero"] += nonzero
            entry["numel"] += x.numel()
            entry["binary"] = entry["binary"] and binary

        return hook

    handles = []
    was_training = model.training
    try:
        for name, module in model.named_modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                kinds[name] = "conv" if isinstance(module, nn.Conv2d) else "linear"
                handles.append(module.register_forward_hook(make_hook(name)))
        model.eval()
        with torch.inference_mode():
            model(audio, image)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return _report(seen, kinds, num_steps, batch)


def _report(seen: dict[str, dict[str, float]], kinds: dict[str, str], num_steps: int, batch: int) -> EnergyReport:
    layers = []
    for name, e in seen.items():  # hooks fire in execution order
        steps = e["rows"] / batch
        rate = e["nonzero"] / e["numel"] if e["numel"] else 0.0
        binary = bool(e["binary"])
        macs = int(e["macs"])
        sops = macs * steps * rate if binary else 0.0
        mac_ops = 0.0 if binary else macs * steps
        layers.append(LayerOps(name, kinds[name], macs, steps, binary, rate, sops, mac_ops))
    total_sops = sum(op.sops for op in layers)
    total_mac_ops = sum(op.mac_ops for op in layers)
    ann = sum(op.macs for op in layers)
    e_snn = sum(op.energy_snn_pj for op in layers)
    e_ann = sum(op.energy_ann_pj for op in layers)
    ratio = e_ann / e_snn if e_snn > 0 else float("inf")
    return EnergyReport(tuple(layers), num_steps, batch, total_sops, total_mac_ops, ann, e_snn, e_ann, ratio)
