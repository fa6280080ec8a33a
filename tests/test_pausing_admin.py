"""Pausing from the admin: the dashboard's buttons, their permission, and the paused list."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from django_gigq import Job
from django_gigq.models import PausedQueue
from tests import jobs

DASHBOARD = "admin:django_gigq_job_dashboard"
PAUSE = "admin:django_gigq_pausedqueue_pause"
RESUME = "admin:django_gigq_pausedqueue_resume"


def staff_client(django_user_model, *codenames: str, csrf_checks: bool = False) -> Client:
    user = django_user_model.objects.create_user("operator", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="django_gigq", codename__in=codenames)
    )
    client = Client(enforce_csrf_checks=csrf_checks)
    client.force_login(user)
    return client


def queue_row(response, name: str) -> dict:
    (row,) = [row for row in response.context["queues"] if row["name"] == name]
    return row


def test_dashboard_shows_paused_queues_and_offers_resume_and_pause(admin_client, queue):
    queue.submit(Job("mail", jobs.noop, queue="emails"))
    queue.submit(Job("work", jobs.noop))
    queue.pause("emails", "provider outage", paused_by="alice")
    queue.pause("reports")  # no jobs yet: listed all the same

    response = admin_client.get(reverse(DASHBOARD))

    html = response.content.decode()
    assert [row["name"] for row in response.context["queues"]] == ["default", "emails", "reports"]
    assert queue_row(response, "emails")["paused"].reason == "provider outage"
    assert queue_row(response, "default")["paused"] is None
    assert "provider outage" in html and "by alice" in html
    assert html.count(f'action="{reverse(RESUME)}"') == 2
    assert html.count(f'action="{reverse(PAUSE)}"') == 1
    assert "csrfmiddlewaretoken" in html


def test_pause_button_pauses_the_queue_and_goes_back_to_the_dashboard(admin_client, queue):
    queue.submit(Job("mail", jobs.noop, queue="emails"))
    dashboard = reverse(DASHBOARD)

    response = admin_client.post(
        reverse(PAUSE), {"queue": "emails", "reason": "incident 7", "next": dashboard}
    )

    assert response.status_code == 302 and response.url == dashboard
    (paused,) = queue.paused_queues()
    assert (paused["queue"], paused["reason"], paused["paused_by"]) == (
        "emails",
        "incident 7",
        "admin",
    )
    page = admin_client.get(dashboard)
    assert any("Paused queue emails" in str(message) for message in page.context["messages"])


def test_resume_button_resumes_the_queue(admin_client, queue):
    queue.pause("emails")

    response = admin_client.post(reverse(RESUME), {"queue": "emails"})

    assert response.status_code == 302
    assert response.url == reverse("admin:django_gigq_pausedqueue_changelist")
    assert queue.paused_queues() == []


def test_buttons_refuse_a_redirect_to_another_site(admin_client, queue):
    response = admin_client.post(
        reverse(PAUSE), {"queue": "emails", "next": "https://evil.example.com/"}
    )

    assert response.url == reverse("admin:django_gigq_pausedqueue_changelist")


def test_pause_button_reports_an_invalid_queue_name_and_changes_nothing(admin_client, db):
    response = admin_client.post(reverse(PAUSE), {"queue": "q" * 101}, follow=True)

    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Nothing was changed: queue must be at most 100 characters; got 101."]
    assert not PausedQueue.objects.exists()


def test_buttons_answer_only_post(admin_client, db):
    assert admin_client.get(reverse(PAUSE), {"queue": "emails"}).status_code == 405
    assert admin_client.get(reverse(RESUME), {"queue": "emails"}).status_code == 405
    assert not PausedQueue.objects.exists()


def test_staff_without_the_pause_permission_see_no_buttons_and_cannot_post(
    django_user_model, queue
):
    queue.submit(Job("mail", jobs.noop, queue="emails"))
    queue.pause("reports")
    client = staff_client(django_user_model, "view_job")

    html = client.get(reverse(DASHBOARD)).content.decode()

    assert "Paused" in html  # they see the state...
    assert reverse(PAUSE) not in html and reverse(RESUME) not in html  # ...not the buttons
    assert client.post(reverse(PAUSE), {"queue": "emails"}).status_code == 403
    assert client.post(reverse(RESUME), {"queue": "reports"}).status_code == 403
    assert [row["queue"] for row in queue.paused_queues()] == ["reports"]


def test_staff_with_the_pause_permission_pause_and_resume(django_user_model, queue):
    client = staff_client(django_user_model, "view_job", "pause_queue")

    client.post(reverse(PAUSE), {"queue": "emails"})
    assert [row["queue"] for row in queue.paused_queues()] == ["emails"]
    assert queue.paused_queues()[0]["paused_by"] == "operator"
    client.post(reverse(RESUME), {"queue": "emails"})
    assert queue.paused_queues() == []


def test_pause_without_a_csrf_token_is_refused(django_user_model, db):
    client = staff_client(django_user_model, "view_job", "pause_queue", csrf_checks=True)

    assert client.post(reverse(PAUSE), {"queue": "emails"}).status_code == 403
    assert not PausedQueue.objects.exists()


def test_paused_queue_list_is_read_only_and_resumes_by_action(admin_client, queue):
    queue.pause("emails", "outage")
    changelist = reverse("admin:django_gigq_pausedqueue_changelist")

    html = admin_client.get(changelist).content.decode()
    response = admin_client.post(
        changelist,
        {
            "action": "resume_selected",
            "_selected_action": [PausedQueue.objects.get().pk],
            "index": 0,
        },
    )

    assert "outage" in html
    assert admin_client.get(reverse("admin:django_gigq_pausedqueue_add")).status_code == 403
    assert response.status_code == 302
    assert queue.paused_queues() == []
