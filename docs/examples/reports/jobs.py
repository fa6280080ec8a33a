"""The quick start's job function: module level, in a module a worker can import."""


def send_report(recipient, period="weekly"):
    # A real job would build the report and email it; this one returns what it would send.
    return {"sent_to": recipient, "period": period}
