"""Presenting benchmark results: a readable table, JSON lines, and an SVG plot."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO


def describe(row: dict[str, Any]) -> str:
    """Return one line of the readable table for a result row."""
    kind = row["benchmark"]
    if kind in ("submit one by one", "submit_many"):
        line = f"{kind:<18} {row['jobs_per_s']:>10,.0f} jobs/s ({row['jobs']:,} jobs)"
        if "raw" in row:
            line += f" | raw INSERT {row['raw']:,.0f}/s, ratio {row['jobs_per_s'] / row['raw']:.2f}"
        return line
    if kind == "drain":
        line = (
            f"drain W={row['W']:<10} {row['jobs_per_s']:>10,.0f} jobs/s "
            f"({row['jobs_per_s_with_startup']:,.0f} with start-up; {row['jobs']:,} jobs, "
            f"{row['duplicates']} duplicates)"
        )
        if "raw" in row:
            line += (
                f" | raw 1/claim {row['raw']:,.0f}, 100/claim {row['raw_100']:,.0f}"
                f" | ours / raw 1 = {row['jobs_per_s'] / row['raw']:.2f}"
            )
        return line
    if kind == "pick-up":
        return (
            f"pick-up            p50 {row['pickup_p50_ms']:.1f} ms, p95 {row['pickup_p95_ms']:.1f} "
            f"ms, p99 {row['pickup_p99_ms']:.1f} ms ({row['jobs']} jobs 20 ms apart); "
            f"recorded {row['record_lag_p50_ms']:.1f} ms (p50) after it ran"
        )
    if kind == "scale":
        return (
            f"scale              {row['jobs_per_s']:>10,.0f} jobs/s draining {row['jobs']:,} "
            f"with {row['backlog']:,} more pending and {row['finished_rows']:,} finished rows "
            f"(W={row['W']})"
        )
    if kind == "fan-out/fan-in":
        return (
            f"fan-out/fan-in     {row['jobs'] / row['seconds']:>10,.0f} jobs/s: 1 -> "
            f"{row['jobs'] - 2:,} -> 1 in {row['seconds']:.2f} s "
            f"({row['seconds_with_startup']:.2f} s with start-up, W={row['W']})"
        )
    if kind == "gigq":
        return (
            f"GigQ 0.5.1 drain   {row['jobs_per_s']:>10,.0f} jobs/s ({row['jobs']:,} jobs, its "
            f"worker loop in-process) | django-gigq W=1 / GigQ = {row.get('ratio', 0):.2f}"
        )
    return json.dumps(row)


def print_report(
    context: dict[str, Any], rows: list[dict[str, Any]], checks: Iterable, out: TextIO
) -> None:
    """Print the context, a line per row, and the targets met or missed."""
    out.write(", ".join(f"{key}={value}" for key, value in context.items()) + "\n")
    for row in rows:
        out.write(describe(row) + "\n")
    checks = list(checks)
    if checks:
        if context.get("sizes") == "quick":
            # Short drains are mostly start-up: children still starting, batches still small.
            out.write("targets (judged at full sizes, --full; quick sizes say less):\n")
        else:
            out.write("targets:\n")
        for target, measured, met in checks:
            out.write(f"  [{'met' if met else 'NOT met'}] {target}: {measured}\n")


def write_json_lines(context: dict[str, Any], rows: list[dict[str, Any]], path: str) -> None:
    """Append the rows, each with the run's context, to ``path`` as JSON lines."""
    with open(path, "a") as output:
        for row in rows:
            output.write(json.dumps({**context, **row}) + "\n")


def plot_svg(rows: list[dict[str, Any]]) -> str:
    """Return an SVG of drain throughput against W, and against backlog and table size."""
    drains = sorted((r for r in rows if r["benchmark"] == "drain"), key=lambda r: r["W"])
    scales = [r for r in rows if r["benchmark"] == "scale"]
    series = {"django-gigq": [(r["W"], r["jobs_per_s"]) for r in drains]}
    if drains and "raw" in drains[0]:
        series["raw loop, 1 row per claim"] = [(r["W"], r["raw"]) for r in drains]
    panels = [_line_panel("drain rate by worker processes (W)", series, 0)]
    bars = [
        (f"{r['backlog']:,} pending / {r['finished_rows']:,} finished", r["jobs_per_s"])
        for r in scales
    ]
    panels.append(_bar_panel("drain rate by table contents", bars, 380))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="760" height="300" '
        'font-family="sans-serif" font-size="11">' + "".join(panels) + "</svg>"
    )


_COLOURS = ("#00897b", "#9e9e9e")


def _line_panel(title: str, series: dict[str, list[tuple[int, float]]], left: int) -> str:
    points = [point for values in series.values() for point in values]
    if not points:
        return ""
    top = max(value for _, value in points) * 1.1 or 1
    xs = sorted({x for x, _ in points})
    width, height, x0, y0 = 320, 220, left + 50, 260

    def place(x: int, value: float) -> tuple[float, float]:
        index = xs.index(x)
        px = x0 + (index / max(len(xs) - 1, 1)) * (width - 60)
        return px, y0 - value / top * height

    parts = [f'<text x="{left + 10}" y="16" font-weight="bold">{title}</text>']
    parts.append(f'<line x1="{x0}" y1="{y0}" x2="{x0 + width - 50}" y2="{y0}" stroke="#444"/>')
    parts.append(f'<text x="{left + 4}" y="{y0 - height + 4}">{top:,.0f}/s</text>')
    for x in xs:
        px, _ = place(x, 0)
        parts.append(f'<text x="{px - 8}" y="{y0 + 16}">W={x}</text>')
    for (name, values), colour, row in zip(series.items(), _COLOURS, range(2), strict=False):
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in (place(x, v) for x, v in values))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, v in values:
            px, py = place(x, v)
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
            parts.append(f'<text x="{px + 5:.1f}" y="{py - 5:.1f}">{v:,.0f}</text>')
        parts.append(f'<text x="{x0}" y="{34 + row * 14}" fill="{colour}">&#9632; {name}</text>')
    return "".join(parts)


def _bar_panel(title: str, bars: list[tuple[str, float]], left: int) -> str:
    if not bars:
        return ""
    top = max(value for _, value in bars) * 1.1 or 1
    parts = [f'<text x="{left + 10}" y="16" font-weight="bold">{title}</text>']
    for index, (label, value) in enumerate(bars):
        y = 40 + index * 70
        length = value / top * 300
        parts.append(
            f'<rect x="{left + 10}" y="{y}" width="{length:.1f}" height="26" fill="{_COLOURS[0]}"/>'
        )
        parts.append(f'<text x="{left + 10}" y="{y + 40}">{label}: {value:,.0f} jobs/s</text>')
    return "".join(parts)
