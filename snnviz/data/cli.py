"""``snnviz data``: describe datasets.

::

    snnviz data list
    snnviz data info av-digits [--set preset=clean] [--json]
    snnviz data info cifar10-av --root PATH
    snnviz data info paired-folders --vision-dir V --audio-dir A
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from snnviz.data.registry import available_datasets, dataset_description, load_dataset
from snnviz.errors import ConfigError

__all__ = ["add_arguments", "run", "dataset_summary"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``list`` and ``info`` actions to the ``snnviz data`` parser."""
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    sub.add_parser("list", help="list the available datasets")
    info = sub.add_parser("info", help="classes, counts per split and class, audio durations, corruption")
    info.add_argument("name", help="dataset name (see 'snnviz data list')")
    info.add_argument("--root", help="folder holding cifar10-av or urbansound8k-av")
    info.add_argument("--vision-dir", help="image root of a paired-folders dataset")
    info.add_argument("--audio-dir", help="audio root of a paired-folders dataset")
    info.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                      help="dataset option, e.g. preset=clean or snr_db=[0,10] (repeatable)")
    info.add_argument("--json", action="store_true", help="print the summary as JSON")


def _parse_set(items: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"The '--set' argument must look like KEY=VALUE. Got {item!r}.")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = text
        options[key.strip()] = tuple(value) if isinstance(value, list) else value
    return options


def _durations(ds: Any) -> dict[str, float] | None:
    """Min/mean/max duration in seconds of the original clips behind a split."""
    if hasattr(ds, "_manifest") and hasattr(ds, "_clip_of"):
        secs = np.array([ds._manifest[c]["duration"] for c in np.unique(ds._clip_of)])
    elif hasattr(ds, "audio_files"):
        from snnviz.data.audio import audio_info

        secs = np.array([audio_info(p)["duration"] for p in dict.fromkeys(ds.audio_files())])
    else:
        return None
    return {"clips": int(secs.size), "min_s": float(secs.min()), "mean_s": float(secs.mean()),
            "max_s": float(secs.max())}


def dataset_summary(name: str, **options: Any) -> dict[str, Any]:
    """Describe both splits of a dataset: counts per class, durations, options.

    Returns
    -------
    dict
        ``name``, ``description``, ``classes``, ``splits`` (per split: size,
        class_counts, audio_durations, dropped files if any), ``options``,
        ``audio_config`` and ``image_config``.
    """
    out: dict[str, Any] = {"name": name, "description": dataset_description(name), "splits": {}}
    for split in ("train", "test"):
        ds = load_dataset(name, split, **options)
        info = ds.describe()
        entry = {"size": info["size"], "class_counts": info["class_counts"], "audio_durations": _durations(ds)}
        if info.get("dropped"):
            entry["dropped"] = info["dropped"]
        if hasattr(ds, "voices"):
            entry["voices"] = len(ds.voices)
        out["splits"][split] = entry
        out.update(classes=info["classes"], options=info["options"], audio_config=ds.audio_config.to_dict(),
                   image_config=ds.image_config.to_dict())
    out["options"].pop("augment", None)
    return out


def _print_summary(s: dict[str, Any]) -> None:
    print(f"{s['name']}: {s['description']}")
    print(f"classes ({len(s['classes'])}): {', '.join(s['classes'])}")
    splits = list(s["splits"])
    width = max(len(c) for c in s["classes"] + ["class"])
    print("\n" + f"{'class':<{width}}  " + "  ".join(f"{sp:>7}" for sp in splits))
    for c in s["classes"]:
        print(f"{c:<{width}}  " + "  ".join(f"{s['splits'][sp]['class_counts'][c]:>7}" for sp in splits))
    print(f"{'total':<{width}}  " + "  ".join(f"{s['splits'][sp]['size']:>7}" for sp in splits))
    print()
    for sp in splits:
        entry = s["splits"][sp]
        d = entry["audio_durations"]
        voices = f", {entry['voices']} voices" if "voices" in entry else ""
        if d:
            print(f"{sp} audio: {d['clips']} clips{voices}, {d['min_s']:.2f}-{d['max_s']:.2f} s "
                  f"(mean {d['mean_s']:.2f} s)")
        for reason, n in sorted(entry.get("dropped", {}).items()):
            print(f"{sp} dropped: {n} {reason}")
    a, im = s["audio_config"], s["image_config"]
    print(f"audio input: {a['duration']} s at {a['sample_rate']} Hz -> log-mel ({a['n_mels']} mels, "
          f"hop {a['hop_length']}, top_db {a['top_db']})")
    print(f"image input: {im['channels']}x{im['size']}x{im['size']}, mean {im['mean']}, std {im['std']}")
    opts = s["options"]
    if "snr_db" in opts:
        snr = opts["snr_db"]
        print(f"corruption (preset '{opts['preset']}'): audio "
              + (f"white noise at SNR {snr[0]:g}..{snr[1]:g} dB" if snr else "none")
              + f"; image noise std {opts['image_noise']:g}, occlusion {opts['occlusion']}x{opts['occlusion']} px"
              + f"; clip offset {opts['offset']}; seed {opts['seed']}; {opts['pairs_per_image']} clip(s) per image")
    else:
        print("options: " + ", ".join(f"{k}={v}" for k, v in sorted(opts.items())))


def run(args: argparse.Namespace) -> int:
    """Run ``snnviz data ACTION``; returns the exit status."""
    action = getattr(args, "action", None)
    if action == "list":
        for name in available_datasets():
            print(f"{name:<16} {dataset_description(name)}")
        return 0
    if action != "info":
        print("usage: snnviz data {list,info} ...")
        return 2
    options = _parse_set(args.set)
    for key in ("root", "vision_dir", "audio_dir"):
        if getattr(args, key, None):
            options[key] = getattr(args, key)
    summary = dataset_summary(args.name, **options)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        _print_summary(summary)
    return 0
