"""An ETL factory: one object that builds the three jobs of an extract-transform-load run."""

# --8<-- [start:factory]
from django_gigq import Workflow

from .jobs import Extract, Load, Transform


class EtlFactory:
    def __init__(self, source, destination):
        self.source = source
        self.destination = destination

    def workflow(self, name, query, rules, table):
        """Extract, then transform its rows, then load the result: three jobs in order."""
        workflow = Workflow(f"etl {name}")
        extract = Extract.to_job(source=self.source, query=query)
        transform = Transform.to_job(rules=rules)
        load = Load.to_job(destination=self.destination, table=table)
        workflow.add_job(extract)
        workflow.add_job(transform, depends_on=[extract])
        workflow.add_job(load, depends_on=[transform])
        return workflow
# --8<-- [end:factory]
