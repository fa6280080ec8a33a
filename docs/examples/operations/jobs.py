"""Jobs for the operations pages' examples."""


def send_newsletter(issue):
    return f"sent issue {issue}"


def resize_image(name):
    return f"resized {name}"
