"""Ready-made job types: the examples of their page."""
