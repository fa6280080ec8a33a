"""django-gigq's management commands live in ``commands``."""
