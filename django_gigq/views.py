"""Views that projects can mount with ``include("django_gigq.urls")``: the health check."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .conf import gigq_settings
from .health import check_health


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the jobs are healthy, 503 when not, with the report as JSON.

    ``?max_age=SECONDS`` overrides ``GIGQ["HEALTH_MAX_AGE"]``; a value that is not a
    number above 0 answers 400. The body names queues and counts jobs but holds no job
    data: mount it where your probes reach it.
    """
    max_age = None
    if "max_age" in request.GET:
        text = request.GET["max_age"]
        try:
            max_age = float(text)
        except ValueError:
            max_age = float("nan")
        if not max_age > 0:
            return JsonResponse(
                {"error": f"max_age must be a number of seconds above 0; got {text!r}"},
                status=400,
            )
    report = check_health(using=gigq_settings.DATABASE, max_age=max_age)
    return JsonResponse(report.as_dict(), status=200 if report.healthy else 503)
