"""Class-based jobs: the examples of the class-based jobs page."""
