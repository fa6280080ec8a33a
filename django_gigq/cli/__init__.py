"""Helpers for the ``gigq`` management command: argument parsing and human output."""
