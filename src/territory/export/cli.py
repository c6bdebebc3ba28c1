"""`territory export` and `territory report` (being written)."""

from __future__ import annotations


def add_export_commands(sub, add_input) -> None:
    """Register the export commands on the main parser."""
