"""Job functions of a small pipeline: extracts, a transform, a report."""

import json

# --8<-- [start:functions]
from django_gigq import task


def extract(source):
    # ... read the orders of one shop from its API ...
    orders = {"web": [12.5, 30.0], "store": [8.0]}[source]
    return {"source": source, "orders": orders}


def transform(parent_results):
    """``parent_results`` maps each dependency's job id to its result."""
    results = parent_results.values()
    orders = [order for result in results for order in result["orders"]]
    return {"count": len(orders), "total": sum(orders)}


@task(queue="reports")
def publish(channel, parent_results=None):
    (summary,) = parent_results.values()
    return f"{channel}: {summary['count']} orders, {summary['total']:.2f} EUR"
    # --8<-- [end:functions]


# --8<-- [start:import-orders]
def import_orders(path):
    with open(path) as file:  # FileNotFoundError until the file arrives
        return {"source": path, "orders": json.load(file)}
    # --8<-- [end:import-orders]
