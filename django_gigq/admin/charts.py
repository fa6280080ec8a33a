"""Charts drawn as inline SVG on the server: no JavaScript, no CDN.

Colours come from classes (``gigq-status-completed`` ...) styled in
``django_gigq/admin.css``, the one place that gives each status its colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 540
HEIGHT = 220
MARGIN_LEFT = 44
MARGIN_RIGHT = 12
MARGIN_TOP = 28
MARGIN_BOTTOM = 34


@dataclass(frozen=True)
class MinuteCounts:
    """How many jobs completed and failed (or timed out) in one minute (local time)."""

    minute: datetime
    completed: int
    failed: int


def nice_ceiling(value: float) -> int:
    """Return the smallest of 1, 2, 5, 10, 20, 50, ... that is at least ``value``."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return int(step * magnitude)
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def finished_per_minute_chart(buckets: Sequence[MinuteCounts]) -> SafeString:
    """Return an SVG bar chart of jobs completed and failed per minute, oldest left.

    Each bar stacks failed on completed; hovering a bar shows its minute and counts.
    """
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    top = nice_ceiling(max((b.completed + b.failed for b in buckets), default=0))
    slot = plot_width / max(len(buckets), 1)
    bar = max(slot - 2, 1)
    scale = plot_height / top
    base = MARGIN_TOP + plot_height

    parts = [
        f'<svg class="gigq-chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="Jobs completed and failed per minute">'
    ]
    for fraction in (0, 0.5, 1):
        y = base - fraction * plot_height
        value = top * fraction
        label = f"{value:g}"
        parts.append(
            f'<line class="gigq-grid" x1="{MARGIN_LEFT}" y1="{y:.1f}" '
            f'x2="{WIDTH - MARGIN_RIGHT}" y2="{y:.1f}"/>'
            f'<text class="gigq-axis" x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{label}</text>'
        )
    for index, bucket in enumerate(buckets):
        x = MARGIN_LEFT + index * slot + 1
        completed_height = bucket.completed * scale
        failed_height = bucket.failed * scale
        tip = escape(f"{bucket.minute:%H:%M}: {bucket.completed} completed, {bucket.failed} failed")
        parts.append(f"<g><title>{tip}</title>")
        parts.append(
            f'<rect class="gigq-status-completed" x="{x:.1f}" '
            f'y="{base - completed_height:.1f}" width="{bar:.1f}" height="{completed_height:.1f}"/>'
        )
        if bucket.failed:
            parts.append(
                f'<rect class="gigq-status-failed" x="{x:.1f}" '
                f'y="{base - completed_height - failed_height:.1f}" width="{bar:.1f}" '
                f'height="{failed_height:.1f}"/>'
            )
        # An invisible full-height target, so empty minutes show their tooltip too.
        parts.append(
            f'<rect class="gigq-hit" x="{x:.1f}" y="{MARGIN_TOP}" width="{bar:.1f}" '
            f'height="{plot_height}"/></g>'
        )
    for index, bucket in enumerate(buckets):
        if index % 10 == 0 or index == len(buckets) - 1:
            x = MARGIN_LEFT + index * slot + slot / 2
            parts.append(
                f'<text class="gigq-axis" x="{x:.1f}" y="{base + 16}" '
                f'text-anchor="middle">{bucket.minute:%H:%M}</text>'
            )
    parts.append(
        f'<line class="gigq-axis-line" x1="{MARGIN_LEFT}" y1="{base}" '
        f'x2="{WIDTH - MARGIN_RIGHT}" y2="{base}"/>'
    )
    parts.append(_legend())
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped or numeric


def _legend() -> str:
    items = []
    x = MARGIN_LEFT
    for status, label in (("completed", "completed"), ("failed", "failed or timed out")):
        items.append(
            f'<rect class="gigq-status-{status}" x="{x}" y="8" width="12" height="12"/>'
            f'<text class="gigq-axis" x="{x + 17}" y="18">{label}</text>'
        )
        x += 30 + 7 * len(label)
    items.append(
        f'<text class="gigq-axis" x="{WIDTH - MARGIN_RIGHT}" y="18" text-anchor="end">'
        "jobs per minute</text>"
    )
    return "".join(items)
