"""Overview: what snnviz is, and the model card of the chosen model."""

from snnviz.ui import overview
from snnviz.ui.state import require_context

overview.intro()
ctx = require_context()
overview.model_card(ctx)
overview.accuracy_block(ctx)
overview.history_block(ctx)
overview.compactness_block(ctx)
