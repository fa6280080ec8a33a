"""Maintenance services that any live worker runs now and then.

Each is a small module with its defaults and a ``run_once()`` that tests call directly.
"""
