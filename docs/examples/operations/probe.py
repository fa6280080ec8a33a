"""Reading the health view as a monitoring check would."""

# --8<-- [start:probe]
import json
import urllib.error
import urllib.request


def jobs_health(url: str) -> tuple[bool, str]:
    """Return whether django-gigq's health view says healthy, and its one-line reason."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:  # 503: unhealthy, with the same JSON body
        body = json.load(error)
    return body["healthy"], body["reason"]


# --8<-- [end:probe]
