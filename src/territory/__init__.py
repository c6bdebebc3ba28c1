"""Territory: measure, map and check claims about territorial control over time."""

__version__ = "0.1.0"
