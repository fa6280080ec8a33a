"""Paused queues in the admin: their list, and the pause / resume buttons of the dashboard.

Both buttons post here and end in ``JobQueue.pause`` / ``JobQueue.resume``, as the CLI and
the API do. They need the ``django_gigq.pause_queue`` permission.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from ..models import PausedQueue
from ..queue import JobQueue
from .dashboard import can_pause_queues
from .jobs import ADMIN_CSS
from .mixins import ReadOnlyMixin


@admin.register(PausedQueue)
class PausedQueueAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("queue", "paused_at", "paused_by", "reason")
    search_fields = ("queue", "reason")
    fields = ("queue", "paused_at", "paused_by", "reason")
    readonly_fields = fields
    actions = ["resume_selected"]

    class Media:
        css = ADMIN_CSS

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) or can_pause_queues(request)

    def has_pause_queue_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_pause_queues(request)

    @admin.action(permissions=["pause_queue"], description="Resume selected queues")
    def resume_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        queue = JobQueue(using=queryset.db)
        names = list(queryset.values_list("queue", flat=True))
        resumed = [name for name in names if queue.resume(name)]
        for name in resumed:
            self.message_user(request, f"Resumed queue {name}.", messages.SUCCESS)
        if not resumed:
            self.message_user(request, "No paused queue was selected.", messages.INFO)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "pause/",
                self.admin_site.admin_view(self.pause_view),
                name="{}_{}_pause".format(*info),
            ),
            path(
                "resume/",
                self.admin_site.admin_view(self.resume_view),
                name="{}_{}_resume".format(*info),
            ),
        ]
        return own + super().get_urls()

    def pause_view(self, request: HttpRequest) -> HttpResponse:
        """Pause the posted ``queue`` (with an optional ``reason``)."""
        return self._button_view(request, self._pause)

    def resume_view(self, request: HttpRequest) -> HttpResponse:
        """Resume the posted ``queue``."""
        return self._button_view(request, self._resume)

    def _button_view(self, request: HttpRequest, operation) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not can_pause_queues(request):
            raise PermissionDenied
        queue = JobQueue(using=self.get_queryset(request).db)
        name = request.POST.get("queue", "")
        try:
            operation(request, queue, name)
        except (TypeError, ValueError) as exc:
            self.message_user(request, f"Nothing was changed: {exc}.", messages.ERROR)
        return HttpResponseRedirect(self._next_page(request))

    def _pause(self, request: HttpRequest, queue: JobQueue, name: str) -> None:
        reason = request.POST.get("reason", "").strip()
        if queue.pause(name, reason, paused_by=request.user.get_username()):
            self.message_user(
                request,
                f"Paused queue {name}: workers claim none of its jobs until it is resumed; "
                "running jobs finish.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, f"Queue {name} was already paused.", messages.INFO)

    def _resume(self, request: HttpRequest, queue: JobQueue, name: str) -> None:
        if queue.resume(name):
            self.message_user(request, f"Resumed queue {name}.", messages.SUCCESS)
        else:
            self.message_user(request, f"Queue {name} was not paused.", messages.INFO)

    def _next_page(self, request: HttpRequest) -> str:
        """Where to go back to: the posted ``next`` when it is on this site, else the list."""
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
