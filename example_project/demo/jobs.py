"""The demo's job functions: a small ETL workflow, a slow job for the web form, receipts.

Job functions live at module level in an importable module, so a worker process can import
them by dotted path (``demo.jobs.extract``). Params and results are JSON values.
"""

from __future__ import annotations

import random
import time
from typing import Any

COUNTRIES = ("DE", "FR", "NL", "US", "JP")


def extract(source: str, rows: int = 20) -> dict[str, Any]:
    """Return the raw order records of ``source``.

    The records are made up (the same ones for the same source every time); a real job
    would read them from an API or a file.
    """
    rng = random.Random(source)
    records = [
        {
            "order": f"{source}-{number}",
            "country": rng.choice(COUNTRIES),
            "amount": f"{rng.randint(100, 20000) / 100:.2f}",
        }
        for number in range(1, rows + 1)
    ]
    return {"source": source, "records": records}


def transform(parent_results: dict[str, Any]) -> dict[str, Any]:
    """Total the amounts per country over every extract this job depends on.

    ``parent_results`` maps each dependency's job id to its result; django-gigq passes it
    because the function has a parameter of that name.
    """
    totals: dict[str, float] = {}
    sources, count = [], 0
    for extracted in parent_results.values():
        sources.append(extracted["source"])
        for record in extracted["records"]:
            country = record["country"]
            totals[country] = round(totals.get(country, 0.0) + float(record["amount"]), 2)
            count += 1
    return {"sources": sorted(sources), "records": count, "totals": dict(sorted(totals.items()))}


def load(parent_results: dict[str, Any]) -> dict[str, Any]:
    """Report what would be loaded into the warehouse from the transform's result."""
    (summary,) = parent_results.values()
    totals = summary["totals"]
    return {
        "loaded_rows": len(totals),
        "from_records": summary["records"],
        "top_country": max(totals, key=totals.get) if totals else None,
        "grand_total": round(sum(totals.values()), 2),
    }


def slow_square(n: int, seconds: float = 1) -> int:
    """Return ``n * n`` after ``seconds`` of pretending to work."""
    time.sleep(seconds)
    return n * n


def write_receipt(order_id: int) -> dict[str, Any]:
    """Write the receipt of order ``order_id`` (submitted when the order is saved).

    Jobs get JSON params, so the job carries the order's id and reads the order itself.
    """
    from .models import Order

    order = Order.objects.get(pk=order_id)
    order.receipt = (
        f"Receipt for order {order.pk}\n"
        f"Customer: {order.customer}\n"
        f"Amount:   {order.amount} EUR\n"
        f"Ordered:  {order.created_at:%Y-%m-%d %H:%M} UTC"
    )
    # update_fields: a plain save of an existing order, which submits no new job.
    order.save(update_fields=["receipt"])
    return {"order": order.pk, "lines": order.receipt.count("\n") + 1}
