"""Unique jobs: the examples of the unique jobs page."""
