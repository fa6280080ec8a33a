"""Class-based jobs: each is a ``JobType`` subclass a worker imports by its path."""

import csv
import json
import logging
import os

from django.core.mail import mail_admins, send_mail

from django_gigq import JobType

logger = logging.getLogger(__name__)


# --8<-- [start:data-processing]
class DataProcessingJob(JobType):
    """Copy a text file, cleaning each line on the way."""

    queue = "data"
    timeout = 600

    def run(self, input_file, output_file):
        with open(input_file) as source, open(output_file, "w") as target:
            lines = [line.strip().lower() for line in source if line.strip()]
            target.write("\n".join(lines) + "\n")
        return {"input": input_file, "output": output_file, "lines": len(lines)}
# --8<-- [end:data-processing]


# --8<-- [start:file-conversion]
class FileConversionJob(JobType):
    """Convert CSV to JSON and back; refuses at submit what it could not convert."""

    SUPPORTED = {".csv": ".json", ".json": ".csv"}

    def __init__(self, source_file, target_format):
        base, extension = os.path.splitext(source_file)
        if not os.path.exists(source_file):
            raise ValueError(f"source file not found: {source_file}")
        if self.SUPPORTED.get(extension) != f".{target_format}":
            raise ValueError(f"cannot convert {extension or 'a file without extension'} "
                             f"to {target_format}; supported: {self.SUPPORTED}")
        # Public attributes are the job's params: the worker gets them back as they are.
        self.source_file = source_file
        self.target_file = f"{base}.{target_format}"

    def run(self):
        if self.source_file.endswith(".csv"):
            with open(self.source_file, newline="") as source:
                rows = list(csv.DictReader(source))
            with open(self.target_file, "w") as target:
                json.dump(rows, target)
        else:
            with open(self.source_file) as source:
                rows = json.load(source)
            with open(self.target_file, "w", newline="") as target:
                writer = csv.DictWriter(target, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
        return {"source": self.source_file, "target": self.target_file, "rows": len(rows)}
# --8<-- [end:file-conversion]


# --8<-- [start:retry-strategy]
class CallFlakyApi(JobType):
    """Exponential backoff from class attributes: about 2 s, 4 s, 8 s... at most 30 s."""

    max_attempts = 5
    retry_delay = 2
    retry_backoff = "exponential"
    retry_max_delay = 30

    def run(self, url):
        raise ConnectionError(f"{url} did not answer")

    def on_retry(self, exc, attempt, delay):
        logger.warning("attempt %s failed (%s); next in %.0f s", attempt, exc, delay)


class CallFlakyApiOnMyTerms(CallFlakyApi):
    """A policy of your own: 10 s, then 60 s, then 5 minutes."""

    DELAYS = [10, 60, 300]

    def next_retry_delay(self, attempt, exc):
        return self.DELAYS[min(attempt, len(self.DELAYS)) - 1]
# --8<-- [end:retry-strategy]


# --8<-- [start:prioritized]
class PrioritizedJob(JobType):
    """A base class whose jobs take their priority from a category."""

    PRIORITIES = {"critical": 100, "high": 50, "normal": 0, "low": -50, "background": -100}

    def __init__(self, category="normal", **params):
        if category not in self.PRIORITIES:
            raise ValueError(f"unknown category {category!r}; use one of {list(self.PRIORITIES)}")
        super().__init__(category=category, **params)

    def job_options(self):
        return {**super().job_options(), "priority": self.PRIORITIES[self.category]}


class RebuildSearchIndex(PrioritizedJob):
    def run(self, category, index):
        return f"rebuilt {index} ({category})"
# --8<-- [end:prioritized]


# --8<-- [start:send-email]
class SendEmailJob(JobType):
    """Laravel's names work too: handle() is run(), failed() is on_failure()."""

    queue = "emails"
    max_attempts = 3
    timeout = 30
    retry_delay = 10

    def __init__(self, to, subject, body):
        self.to = to
        self.subject = subject
        self.body = body

    async def handle(self):
        send_mail(self.subject, self.body, "shop@example.com", [self.to])
        return {"to": self.to}

    def failed(self, exception):
        mail_admins("Email not sent", f"to {self.to}: {exception}")
# --8<-- [end:send-email]


# --8<-- [start:etl]
class Extract(JobType):
    queue = "etl"

    def run(self, source, query):
        return {"rows": [{"region": "north", "amount": "12.50"},
                         {"region": "south", "amount": "7.25"},
                         {"region": "north", "amount": "3.00"}]}


class Transform(JobType):
    queue = "etl"

    def run(self, rules, parent_results):
        (extracted,) = parent_results.values()
        totals = {}
        for row in extracted["rows"]:
            totals[row["region"]] = totals.get(row["region"], 0) + float(row["amount"])
        return {"totals": totals, "rules": rules}


class Load(JobType):
    queue = "etl"

    def run(self, destination, table, parent_results):
        (transformed,) = parent_results.values()
        return {"table": f"{destination}.{table}", "rows_loaded": len(transformed["totals"])}
# --8<-- [end:etl]
