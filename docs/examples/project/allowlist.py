"""A project's own allowlist of packages whose functions workers may run."""

# --8<-- [start:allowlist]
GIGQ = {
    # Replaces the default list: only these packages, and what is under them.
    "ALLOWED_MODULES": ["myproject", "reports", "billing"],
}
# --8<-- [end:allowlist]
