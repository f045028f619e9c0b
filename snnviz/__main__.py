"""``python -m snnviz`` is the ``snnviz`` command (also what torchrun runs)."""

import sys

from snnviz.cli import main

sys.exit(main())
