"""Job functions that go wrong in the ways the errors page describes."""


def charge_card(order_id):
    raise ConnectionError("payment gateway unreachable")


def export_tags(article_id):
    return {"article": article_id, "tags": {"django", "jobs"}}  # a set: not JSON


def greet(name):
    return f"Hello, {name}"
