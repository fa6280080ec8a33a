"""The quick start's job: a module-level function that a worker can import."""


def send_report(recipient, period="weekly"):
    # A real job would build the report and email it; this one says what it sent.
    return {"sent_to": recipient, "period": period}
