"""The job context: the examples of the "From inside a job" page."""
