from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # The health check for probes: /gigq/health/ answers 200 or 503 with JSON.
    path("gigq/", include("django_gigq.urls")),
    path("", include("demo.urls")),
]
