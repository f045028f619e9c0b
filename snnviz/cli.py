"""The ``snnviz`` command line: ``snnviz train|eval|report|data|app``.

Each sub-command lives in the module that owns its concept and exposes
``add_arguments(parser)`` and ``run(args) -> int``; this file only wires them up,
importing each lazily so ``snnviz --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from snnviz.errors import SnnvizError

# sub-command -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "train": ("snnviz.training.cli", "train a model from a preset or a JSON config"),
    "eval": ("snnviz.report", "print per-modality accuracy of a checkpoint on its test split"),
    "report": ("snnviz.report", "write a self-contained HTML report of a checkpoint"),
    "data": ("snnviz.data.cli", "describe a dataset (classes, counts, durations, corruption)"),
    "app": ("snnviz.app_launcher", "start the Streamlit app"),
}


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every available sub-command."""
    from snnviz import __version__

    parser = argparse.ArgumentParser(
        prog="snnviz", description="A browser lab for multi-modal spiking neural networks."
    )
    parser.add_argument("--version", action="version", version=f"snnviz {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name and err.name.startswith("snnviz"):
                continue  # that part of snnviz is not built yet
            raise
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        getattr(module, f"add_{name}_arguments", module.add_arguments)(cmd)
        cmd.set_defaults(_run=getattr(module, f"run_{name}", getattr(module, "run", None)))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``snnviz`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except SnnvizError as err:
        print(f"snnviz {args.command}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
