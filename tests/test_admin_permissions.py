"""Cancel and requeue need their own permissions, in the list's actions and on the job's page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from django_gigq import JobStatus
from django_gigq.models import Job as JobRow
from tests.test_admin import CHANGELIST, make_ops_data, post_action


@pytest.fixture
def ops(queue, drain):
    return make_ops_data(queue, drain)


def staff_client(django_user_model, *codenames: str) -> Client:
    """Return a client logged in as staff holding only the given django_gigq permissions."""
    user = django_user_model.objects.create_user(f"staff-{'-'.join(codenames)}", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="django_gigq", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


def action_names(client) -> set[str]:
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    form = response.context["action_form"]
    if form is None:
        return set()
    return {name for name, _label in form.fields["action"].choices if name}


def job_page(client, job) -> str:
    response = client.get(reverse("admin:django_gigq_job_change", args=[job.id]))
    assert response.status_code == 200
    return response.content.decode()


def status(job) -> str:
    return JobRow.objects.get(id=job.id).status


def test_staff_who_may_only_view_jobs_get_no_actions_and_no_buttons(django_user_model, ops):
    client = staff_client(django_user_model, "view_job")

    assert action_names(client) == set()
    assert "Requeue job" not in job_page(client, ops.resize)
    assert "Cancel job" not in job_page(client, ops.emails[0])


def test_staff_without_requeue_permission_can_neither_see_nor_post_requeue(django_user_model, ops):
    client = staff_client(django_user_model, "view_job", "cancel_job")

    assert action_names(client) == {"cancel_selected"}
    assert "Requeue job" not in job_page(client, ops.resize)
    post_action(client, "requeue_selected", [ops.resize])
    button = client.post(reverse("admin:django_gigq_job_requeue", args=[ops.resize.id]))

    assert button.status_code == 403
    assert status(ops.resize) == JobStatus.FAILED


def test_staff_with_cancel_permission_cancel_from_the_list_and_the_page(django_user_model, ops):
    client = staff_client(django_user_model, "view_job", "cancel_job")

    assert "Cancel job" in job_page(client, ops.emails[0])
    post_action(client, "cancel_selected", [ops.emails[0]])
    client.post(reverse("admin:django_gigq_job_cancel", args=[ops.emails[1].id]))

    assert [status(job) for job in ops.emails] == ["cancelled", "cancelled", "pending"]


def test_staff_without_cancel_permission_can_neither_see_nor_post_cancel(django_user_model, ops):
    client = staff_client(django_user_model, "view_job", "requeue_job")

    assert action_names(client) == {"requeue_selected"}
    assert "Cancel job" not in job_page(client, ops.emails[0])
    post_action(client, "cancel_selected", [ops.emails[0]])
    button = client.post(reverse("admin:django_gigq_job_cancel", args=[ops.emails[0].id]))

    assert button.status_code == 403
    assert status(ops.emails[0]) == JobStatus.PENDING


def test_staff_who_cannot_view_jobs_cannot_use_the_buttons_or_the_dashboard(django_user_model, ops):
    client = staff_client(django_user_model, "requeue_job")

    button = client.post(reverse("admin:django_gigq_job_requeue", args=[ops.resize.id]))
    dashboard = client.get(reverse("admin:django_gigq_job_dashboard"))

    assert button.status_code == 403
    assert status(ops.resize) == JobStatus.FAILED
    assert dashboard.status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:django_gigq_job_dashboard") not in index


def test_job_page_buttons_require_a_csrf_token(admin_user, ops):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(reverse("admin:django_gigq_job_requeue", args=[ops.resize.id]))

    assert response.status_code == 403
    assert status(ops.resize) == JobStatus.FAILED


def test_nobody_may_add_change_or_delete_jobs_even_a_superuser(admin_client, ops):
    url = reverse("admin:django_gigq_job_delete", args=[ops.resize.id])

    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:django_gigq_job_add")).status_code == 403
    assert "delete_selected" not in action_names(admin_client)
    assert JobRow.objects.filter(id=ops.resize.id).exists()
