from django.urls import path

from . import views

app_name = "demo"
urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/<uuid:job_id>/", views.job_status, name="job"),
]
