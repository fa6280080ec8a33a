"""List filters and the paginator that keep the job list fast at millions of rows."""

from __future__ import annotations

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from ..models import Job

#: How many of the newest jobs the queue and function filters read for their choices.
CHOICES_SAMPLE = 5000

#: The job list counts matching rows up to this many, and pages no further.
COUNT_LIMIT = 10_000


class BoundedCountPaginator(Paginator):
    """A paginator that counts at most ``COUNT_LIMIT + 1`` rows.

    ``COUNT(*)`` over millions of matching rows costs a scan on every page view, and deep
    ``OFFSET`` pages are as slow; nobody pages through 10,000 jobs, they filter. When more
    rows match, ``count`` is ``COUNT_LIMIT`` and ``count_is_bounded`` is true, so the list
    says "10,000+" and links to the first 10,000 rows.
    """

    count_limit = COUNT_LIMIT
    count_is_bounded = False

    @cached_property
    def count(self) -> int:
        object_list = self.object_list
        if not isinstance(object_list, QuerySet):
            return min(len(object_list), self.count_limit)
        # COUNT(*) over a LIMIT subquery: reads at most count_limit + 1 rows.
        found = object_list.order_by()[: self.count_limit + 1].count()
        self.count_is_bounded = found > self.count_limit
        return min(found, self.count_limit)


class _RecentValuesFilter(admin.SimpleListFilter):
    """Choices from the newest jobs, plus the value in use: never a DISTINCT over the table."""

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        values = self.recent_values(model_admin.get_queryset(request))
        if self.value() and self.value() not in values:
            values = sorted([*values, self.value()])
        return [(value, value) for value in values]

    def recent_values(self, jobs) -> list[str]:
        raise NotImplementedError


class QueueFilter(_RecentValuesFilter):
    """Filter jobs by queue; the choices come from the newest ``CHOICES_SAMPLE`` jobs."""

    title = "queue"
    parameter_name = "queue"

    def recent_values(self, jobs) -> list[str]:
        return jobs.recent_queues(CHOICES_SAMPLE)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Job]) -> QuerySet[Job]:
        return queryset.in_queue(self.value()) if self.value() else queryset


class FunctionFilter(_RecentValuesFilter):
    """Filter jobs by function; the choices come from the newest ``CHOICES_SAMPLE`` jobs."""

    title = "function"
    parameter_name = "function"

    def recent_values(self, jobs) -> list[str]:
        return jobs.recent_functions(CHOICES_SAMPLE)

    def queryset(self, request: HttpRequest, queryset: QuerySet[Job]) -> QuerySet[Job]:
        return queryset.for_function(self.value()) if self.value() else queryset
