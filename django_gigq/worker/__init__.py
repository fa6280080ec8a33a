"""Workers: run claimed jobs."""

from .inprocess import Worker

__all__ = ["Worker"]
