"""Settings for a site whose web processes use PgBouncer in transaction mode."""

import os

# --8<-- [start:databases]
# Web processes go through PgBouncer in transaction mode (the defaults below).
# gigq_worker processes get DB_HOST and DB_PORT of the PostgreSQL server itself
# (or of a pool in session mode): LISTEN needs a server connection of its own.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "myproject",
        "USER": "myproject",
        "HOST": os.environ.get("DB_HOST", "pgbouncer.internal"),
        "PORT": os.environ.get("DB_PORT", "6432"),
        # Transaction pooling cannot keep a server-side cursor across transactions.
        "DISABLE_SERVER_SIDE_CURSORS": True,
    }
}
# --8<-- [end:databases]
