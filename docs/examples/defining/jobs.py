"""Job functions for "Defining jobs": plain module-level functions."""

import asyncio


# --8<-- [start:plain]
def make_thumbnail(path, width, height=None):
    """Resize the image at ``path``; params arrive as keyword arguments."""
    height = height or width
    # ... open, resize and save the image ...
    return {"path": path, "size": [width, height]}
    # --8<-- [end:plain]


# --8<-- [start:async]
async def fetch_exchange_rate(currency):
    """A coroutine function: the worker runs it to completion."""
    await asyncio.sleep(0)  # stands in for an HTTP request
    return {"currency": currency, "rate": 1.08}
    # --8<-- [end:async]
