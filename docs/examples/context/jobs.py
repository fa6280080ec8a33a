"""Jobs that use their context: progress, snooze, cancel, dependency results."""

from django_gigq import JobType

#: Stands in for the project's models in these examples.
APPROVED_ARTICLES: set[int] = set()
CANCELLED_ORDERS: set[int] = {7}
IMPORTED: list[str] = []
RESIZED: list[str] = []


# --8<-- [start:progress]
def import_contacts(rows, context):
    for number, row in enumerate(rows, start=1):
        IMPORTED.append(row)  # store the row
        context.set_progress(number / len(rows), f"{number} of {len(rows)} rows")
    return len(rows)
# --8<-- [end:progress]


# --8<-- [start:snooze]
def publish_article(article_id, context):
    if article_id not in APPROVED_ARTICLES:
        context.snooze(600)  # look again in ten minutes; the attempt is not used up
    return f"article {article_id} published"
# --8<-- [end:snooze]


# --8<-- [start:cancel]
def charge_order(order_id, context):
    if order_id in CANCELLED_ORDERS:
        context.cancel(f"order {order_id} was cancelled by the customer")
    return f"order {order_id} charged"
# --8<-- [end:cancel]


# --8<-- [start:dependencies]
def add_up(context):
    return sum(context.dependency_results.values())
# --8<-- [end:dependencies]


# --8<-- [start:job-type]
class ResizeImages(JobType):
    queue = "images"

    def run(self, paths):
        for done, path in enumerate(paths, start=1):
            RESIZED.append(path)  # resize the image
            self.context.set_progress(done / len(paths))
        return {"resized": len(paths), "attempt": self.context.attempt}
# --8<-- [end:job-type]
