"""Exports for reports: map images, PDF report, standalone HTML, animations, data."""
