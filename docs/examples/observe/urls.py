"""A project's URLconf that serves django-gigq's metrics to Prometheus."""

# --8<-- [start:urls]
from django.urls import path

from django_gigq.metrics import metrics_view

urlpatterns = [
    # Counters of this web process (jobs submitted) and the queue gauges, read from the
    # database at each scrape. Serve it to your Prometheus only: keep it off the public
    # site (a private port, an allow-list in the proxy, or a check in a wrapper view).
    path("internal/metrics", metrics_view),
]
# --8<-- [end:urls]
