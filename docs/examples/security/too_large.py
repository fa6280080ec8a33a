"""Params are limited in size (GIGQ["MAX_PARAMS_BYTES"], 1 MiB by default)."""

from django_gigq import Job

# --8<-- [start:too-large]
try:
    Job("import", "myproject.jobs.import_rows", params={"rows": ["x" * 100] * 20_000})
except ValueError as error:
    print(error)
    # params are ... bytes as JSON, over the limit of 1048576; store large data elsewhere ...
# --8<-- [end:too-large]
