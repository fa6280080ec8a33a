from django.urls import path

from . import views

app_name = "demo"
urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/<uuid:job_id>/", views.job_status, name="job"),
    path("orders/", views.create_order, name="create_order"),
    path("orders/<int:order_id>/", views.order_status, name="order"),
    path("tasks/", views.count_words, name="count_words"),
    path("tasks/<uuid:result_id>/", views.task_status, name="task"),
    path("etl/", views.run_etl, name="run_etl"),
]
