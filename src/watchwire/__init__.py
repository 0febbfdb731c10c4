"""watchwire: self-hosted monitoring of what an internet presence depends on."""

__version__ = "0.1.0"
