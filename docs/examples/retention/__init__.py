"""Retention: the examples of the retention page."""
