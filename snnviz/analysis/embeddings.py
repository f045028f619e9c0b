"""Embeddings of a whole dataset: every modality, logits, predictions, labels, ids.

:func:`extract_embeddings` runs a model over a dataset once and returns an
:class:`EmbeddingSet`; with a cache it stores the result on disk, keyed by the
model's content hash, the dataset fingerprint and the code version, so the
second call is a file read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from snnviz.analysis.cache import get_cache, make_key, model_fingerprint

__all__ = ["EmbeddingSet", "extract_embeddings"]

_ORDER = ("audio", "visual", "fused")
_FORMAT = 1  # bump when the stored layout or the extraction changes


@dataclasses.dataclass(frozen=True)
class EmbeddingSet:
    """Per-sample embeddings and head outputs of one model on one dataset.

    Attributes
    ----------
    embeddings : dict of str to ndarray (N, D) float32
        Per modality (``audio``, ``visual``, ``fused``).
    logits : dict of str to ndarray (N, C) float32
        Per modality; the cosines ``cos(theta_j)`` when ``head == "cosine"``.
    predictions : dict of str to ndarray (N,) int64
        ``argmax`` of the logits.
    labels : ndarray (N,) int64
    sample_ids : list of str
    classes : list of str
    head : str
        ``"cosine"`` or ``"linear"``.
    """

    embeddings: dict[str, np.ndarray]
    logits: dict[str, np.ndarray]
    predictions: dict[str, np.ndarray]
    labels: np.ndarray
    sample_ids: list[str]
    classes: list[str]
    head: str

    def __post_init__(self) -> None:
        n = len(self.labels)
        if len(self.sample_ids) != n:
            raise ValueError(f"EmbeddingSet has {n} labels but {len(self.sample_ids)} sample ids.")
        for field in ("embeddings", "logits", "predictions"):
            for m, arr in getattr(self, field).items():
                if arr.shape[0] != n:
                    raise ValueError(f"EmbeddingSet {field}['{m}'] has {arr.shape[0]} rows, expected {n}.")

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def modalities(self) -> list[str]:
        """Modalities present, in the order audio, visual, fused."""
        return [m for m in _ORDER if m in self.embeddings] + [m for m in self.embeddings if m not in _ORDER]

    def _check_modality(self, modality: str) -> None:
        if modality not in self.embeddings:
            raise ValueError(f"The 'modality' parameter must be one of {', '.join(self.modalities)}. "
                             f"Got {modality!r}.")

    def accuracy(self, modality: str = "fused") -> float:
        """Fraction of samples whose ``modality`` prediction equals the label (0.0 when empty)."""
        self._check_modality(modality)
        if not len(self):
            return 0.0
        return float(np.mean(self.predictions[modality] == self.labels))

    def margins(self, modality: str = "fused") -> np.ndarray:
        """Classification margins ``cos(theta_y) - max_{j != y} cos(theta_j)`` (cosine heads only)."""
        from snnviz.analysis.sphere import classification_margins

        self._check_modality(modality)
        if self.head != "cosine":
            raise ValueError(f"Margins need a cosine head; this model's head is {self.head!r}.")
        return classification_margins(self.logits[modality], self.labels)

    def subset(self, mask: Any) -> EmbeddingSet:
        """A new set with the samples selected by a boolean mask (N,) or an index array."""
        sel = np.asarray(mask)
        if sel.dtype == bool:
            if sel.shape != (len(self),):
                raise ValueError(f"A boolean 'mask' must have shape ({len(self)},). Got {sel.shape}.")
            sel = np.flatnonzero(sel)
        sel = sel.astype(np.int64).reshape(-1)
        return EmbeddingSet(
            embeddings={m: a[sel] for m, a in self.embeddings.items()},
            logits={m: a[sel] for m, a in self.logits.items()},
            predictions={m: a[sel] for m, a in self.predictions.items()},
            labels=self.labels[sel], sample_ids=[self.sample_ids[i] for i in sel], classes=list(self.classes),
            head=self.head,
        )

    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Split into plain arrays and JSON metadata (for :class:`~snnviz.analysis.cache.DiskCache`)."""
        arrays = {"labels": self.labels}
        for field in ("embeddings", "logits", "predictions"):
            arrays.update({f"{field}.{m}": a for m, a in getattr(self, field).items()})
        meta = {"sample_ids": list(self.sample_ids), "classes": list(self.classes), "head": self.head,
                "modalities": self.modalities}
        return arrays, meta

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> EmbeddingSet:
        """Inverse of :meth:`to_arrays`."""
        mods = list(meta["modalities"])
        return cls(
            embeddings={m: arrays[f"embeddings.{m}"] for m in mods},
            logits={m: arrays[f"logits.{m}"] for m in mods},
            predictions={m: arrays[f"predictions.{m}"] for m in mods},
            labels=arrays["labels"], sample_ids=[str(s) for s in meta["sample_ids"]],
            classes=[str(c) for c in meta["classes"]], head=str(meta["head"]),
        )


def _dataset_key(dataset: Any) -> str:
    fingerprint = getattr(dataset, "fingerprint", None)
    if not callable(fingerprint):
        raise ValueError(f"Caching embeddings needs a dataset with a fingerprint() method; "
                         f"{type(dataset).__name__} has none. Pass cache=None.")
    return str(fingerprint())


def _run(model: Any, dataset: Any, batch_size: int, device: Any,
         progress: Callable[[int, int], Any] | None) -> EmbeddingSet:
    import torch
    from torch.utils.data import DataLoader

    from snnviz.device import resolve_device

    dev = resolve_device(device)
    total = len(dataset)
    chunks: dict[str, dict[str, list[np.ndarray]]] = {"embeddings": {}, "logits": {}}
    labels: list[np.ndarray] = []
    was_training = model.training
    model.eval()
    first = next(model.parameters(), None)
    if first is not None and first.device != dev:
        model.to(dev)
    done = 0
    if progress is not None:
        progress(0, total)
    try:
        with torch.inference_mode():
            for batch in DataLoader(dataset, batch_size=batch_size, shuffle=False):
                out = model(batch["audio"].to(dev), batch["image"].to(dev))
                for field in chunks:
                    for m, t in getattr(out, field).items():
                        chunks[field].setdefault(m, []).append(t.float().cpu().numpy())
                labels.append(np.asarray(batch["label"], dtype=np.int64).reshape(-1))
                done += len(labels[-1])
                if progress is not None:
                    progress(done, total)
    finally:
        model.train(was_training)
    emb = {m: np.concatenate(v).astype(np.float32) for m, v in chunks["embeddings"].items()}
    logits = {m: np.concatenate(v).astype(np.float32) for m, v in chunks["logits"].items()}
    config = getattr(model, "config", None)
    n_classes = next(iter(logits.values())).shape[1] if logits else 0
    classes = list(getattr(dataset, "classes", None) or [str(c) for c in range(n_classes)])
    ids = getattr(dataset, "sample_ids", None)
    return EmbeddingSet(
        embeddings=emb, logits=logits, predictions={m: a.argmax(axis=1).astype(np.int64) for m, a in logits.items()},
        labels=np.concatenate(labels) if labels else np.zeros(0, dtype=np.int64),
        sample_ids=[str(s) for s in ids] if ids is not None else [str(i) for i in range(total)],
        classes=[str(c) for c in classes], head=str(getattr(config, "head", "linear")),
    )


def extract_embeddings(model: Any, dataset: Any, *, batch_size: int = 256, device: Any = "cpu",
                       progress: Callable[[int, int], Any] | None = None, cache: Any = None,
                       model_hash: str | None = None) -> EmbeddingSet:
    """Run ``model`` over every sample of ``dataset`` and collect embeddings and head outputs.

    The model runs under ``eval()`` and :func:`torch.inference_mode`, on
    ``device`` (it is moved there if needed), and is put back in its previous
    train/eval mode afterwards.

    Parameters
    ----------
    model : AVSpikeNet
        Called as ``model(audio, image)``, returning logits and embeddings per modality.
    dataset : torch Dataset
        Yields ``{"audio": (1, n_mels, frames), "image": (C, H, W), "label": int}``; its
        ``classes``, ``sample_ids`` and ``fingerprint()`` are used when present.
    batch_size : int, default=256
    device : str or torch.device, default="cpu"
        See :func:`snnviz.device.resolve_device`.
    progress : callable, optional
        ``progress(done, total)`` after every batch (and once with ``done=0``), e.g. to drive a
        terminal bar or ``st.progress``. Not called on a cache hit.
    cache : None, True, str, path or DiskCache, default=None
        None disables caching; True uses ``$SNNVIZ_CACHE_DIR`` or the user cache directory;
        a path or :class:`~snnviz.analysis.cache.DiskCache` names the place. Corrupt entries are rebuilt.
    model_hash : str, optional
        The model's content hash (e.g. ``snnviz.checkpoint.file_sha256(path)``); when None it is
        computed from the weights and config with :func:`~snnviz.analysis.cache.model_fingerprint`.

    Returns
    -------
    EmbeddingSet

    Raises
    ------
    ValueError
        If ``batch_size`` is not a positive int, or caching is asked for a dataset without ``fingerprint()``.

    Examples
    --------
    >>> emb = extract_embeddings(model, dataset, cache=True)  # doctest: +SKIP
    >>> emb.accuracy("fused"), emb.embeddings["fused"].shape  # doctest: +SKIP
    (0.98, (500, 64))
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"The 'batch_size' parameter must be an int >= 1. Got {batch_size!r}.")
    store = get_cache(cache)
    key = None
    if store is not None:
        data_key = _dataset_key(dataset)
        key = make_key("embeddings", _FORMAT, model=model_hash or model_fingerprint(model), data=data_key)
        hit = store.load(key)
        if hit is not None:
            try:
                found = EmbeddingSet.from_arrays(*hit)
            except (KeyError, ValueError, TypeError):
                found = None  # written by an incompatible version: rebuild
            if found is not None and len(found) == len(dataset):
                return found
    result = _run(model, dataset, batch_size, device, progress)
    if store is not None and key is not None:
        arrays, meta = result.to_arrays()
        store.save(key, arrays, meta)
    return result
