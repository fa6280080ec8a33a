#!/bin/sh
# Entrypoint of a worker container: `docker run IMAGE [gigq_worker options]`.
set -eu

PYTHON=${PYTHON:-python}

if [ "${RUN_MIGRATIONS:-0}" = 1 ]; then
    "$PYTHON" manage.py migrate --noinput
fi

# exec: the worker replaces the shell, so `docker stop`'s SIGTERM reaches it.
exec "$PYTHON" manage.py gigq_worker "$@"
