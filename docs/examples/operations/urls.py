"""Mounting django-gigq's health view in a project's URLconf."""

# --8<-- [start:urls]
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # GET /gigq/health/ answers 200 or 503, with JSON.
    path("gigq/", include("django_gigq.urls")),
]
# --8<-- [end:urls]
