"""The documentation's sources; ``docs.examples`` holds the code the pages include."""
