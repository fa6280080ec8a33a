"""URLs for projects to include: ``path("gigq/", include("django_gigq.urls"))``.

- ``health/`` (name ``django_gigq:health``): the health check as JSON, 200 or 503.
"""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "django_gigq"

urlpatterns = [
    path("health/", views.health, name="health"),
]
