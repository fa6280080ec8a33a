"""An email backend for tests: locmem, except that it refuses one domain."""

import smtplib

from django.core.mail.backends import locmem


class RefusingBackend(locmem.EmailBackend):
    """Refuse messages to ``@unreachable.example``, as a mail server that is down would."""

    def send_messages(self, messages):
        for message in messages:
            if any(address.endswith("@unreachable.example") for address in message.to):
                raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")
        return super().send_messages(messages)
