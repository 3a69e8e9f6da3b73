"""A local social networking service for a municipality."""

__version__ = "0.1.0"
