"""A GigQ job module, unchanged: job functions were always module-level functions."""


def resize(path, width=640):
    return {"path": path, "width": width}
