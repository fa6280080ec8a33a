"""Every code example of the documentation, as files the test suite runs.

Pages include these files (or sections of them, between ``--8<-- [start:NAME]`` and
``--8<-- [end:NAME]`` markers) with pymdownx.snippets; ``tests/test_docs_examples.py``
runs them against the test database and checks what the pages say about them. A line
``print(...)  # TEXT`` promises that it prints TEXT (``...`` stands for anything).
"""
