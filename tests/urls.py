from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("gigq/", include("django_gigq.urls")),
    # The example project's pages (tests/test_example_project.py).
    path("demo/", include("demo.urls")),
]
