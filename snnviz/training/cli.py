"""``snnviz train``: train a preset (or a JSON config) and write a checkpoint.

Examples::

    snnviz train --preset avdigits-arcface --out assets/models/avdigits-arcface.safetensors
    snnviz train --preset avdigits-arcface --set epochs=3 --set model.num_steps=4 --out quick.safetensors
    torchrun --nproc_per_node=4 -m snnviz train --preset cifar10av-resnet18-arcface --set root=DATA --out c.safetensors
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from snnviz.errors import ConfigError

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from snnviz.training.presets import PRESETS

    parser.add_argument("--preset", choices=list(PRESETS), help="a named recipe (see --list-presets)")
    parser.add_argument("--config", type=Path, help="a JSON file {'preset'?, 'model': {...}, 'train': {...}}")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a setting: 'epochs=3', 'model.num_steps=4', 'data.preset=clean'")
    parser.add_argument("--out", type=Path, help="where the .safetensors checkpoint is written")
    parser.add_argument("--resume", type=Path, help="continue from a '*.train.safetensors' state")
    parser.add_argument("--device", help="auto|cpu|cuda|mps (overrides the config)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars, summary lines only")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch intra-op threads (default: torch's choice; 1 is fastest on a busy machine)")
    parser.add_argument("--list-presets", action="store_true", help="print the presets and exit")
    parser.add_argument("--print-config", action="store_true", help="print the resolved config as JSON and exit")


def run(args: argparse.Namespace) -> int:
    from snnviz.training.presets import PRESETS, apply_overrides, get_preset, recipe_from_dict

    if args.list_presets:
        for name, recipe in PRESETS.items():
            print(f"{name:28s} {recipe.description}")
        return 0
    if args.config is not None:
        try:
            data = json.loads(args.config.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise ConfigError(f"Cannot read the training config {str(args.config)!r}: {err}.") from err
        if args.preset:
            data.setdefault("preset", args.preset)
        recipe = recipe_from_dict(data)
    elif args.preset:
        recipe = get_preset(args.preset)
    else:
        raise ConfigError("Give --preset NAME or --config FILE.json (see --list-presets).")
    overrides = list(args.overrides) + ([f"device={args.device}"] if args.device else [])
    recipe = apply_overrides(recipe, overrides)
    if args.print_config:
        print(json.dumps(recipe.to_dict(), indent=2))
        return 0
    if args.out is None:
        raise ConfigError("Give --out PATH.safetensors for the checkpoint.")
    from snnviz.training.loop import train

    if args.threads is not None:
        if args.threads < 1:
            raise ConfigError(f"The '--threads' option must be an int >= 1. Got {args.threads}.")
        import torch

        torch.set_num_threads(args.threads)

    train(recipe, args.out, resume=args.resume, quiet=args.quiet, preset=args.preset)
    return 0
