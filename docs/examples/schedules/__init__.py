"""Periodic schedules: the examples of the schedules page."""
