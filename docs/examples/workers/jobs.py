"""Job functions for the workers page."""


def make_thumbnail(path, width):
    return {"path": path, "width": width}


def send_email(to):
    return {"to": to}
