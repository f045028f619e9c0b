"""snnviz: a browser lab for trained multi-modal spiking neural networks."""

__version__ = "0.1.0"
