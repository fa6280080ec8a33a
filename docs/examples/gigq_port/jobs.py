"""A GigQ job module, unchanged: GigQ job functions are module-level too."""


def resize(path, width=640):
    return {"path": path, "width": width}
