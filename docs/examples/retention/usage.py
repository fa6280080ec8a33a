"""Pruning from code, as ``manage.py gigq prune`` does from the command line."""

from io import StringIO

from django.core.management import call_command


def gigq(*args):
    """Run ``manage.py gigq ARGS`` and print what it printed."""
    output = StringIO()
    call_command("gigq", *args, stdout=output)
    print(output.getvalue().strip())


# --8<-- [start:command]
gigq("prune", "--older-than", "30", "--completed", "7", "--dry-run")
gigq("prune", "--older-than", "30", "--completed", "7")
# --8<-- [end:command]
