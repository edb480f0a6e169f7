"""credo: an accountable trust-rating system."""

__version__ = "0.1.0"
