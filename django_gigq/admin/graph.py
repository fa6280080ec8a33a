"""A workflow's dependency graph as inline SVG: layered, left to right, drawn on the server.

The classic layered (Sugiyama) drawing, kept small:

1. A job's layer is its depth, the longest chain of dependencies in front of it, so every
   arrow points right.
2. An arrow that skips layers gets a waypoint in each layer it crosses, so it runs between
   the jobs of that layer instead of behind them.
3. Within a layer, jobs are sorted by the mean position of their neighbours, sweeping
   down and up a few times and keeping the order with the fewest crossings.

Colours come from the status classes in ``django_gigq/admin.css``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

NODE_WIDTH = 176
NODE_HEIGHT = 36
WAYPOINT_HEIGHT = 14
LAYER_GAP = 60
ROW_GAP = 10
PADDING = 12
#: Characters of a name that fit in a node at the font size of ``admin.css``.
NAME_CHARS = 23
SWEEPS = 8


@dataclass(frozen=True)
class Node:
    """A job in the graph."""

    id: Hashable
    name: str
    status: str
    status_label: str
    url: str


@dataclass(frozen=True)
class _Waypoint:
    """Where the arrow ``edge`` crosses a layer between its two ends."""

    edge: tuple
    layer: int


@dataclass
class Layout:
    """Layers of node ids and waypoints, and the waypoints of each arrow that skips layers."""

    layers: list[list]
    waypoints: dict[tuple, list[_Waypoint]]


def layer_nodes(node_ids: Sequence[Hashable], edges: Sequence[tuple]) -> list[list[Hashable]]:
    """Return ``node_ids`` grouped into layers by dependency depth, in drawing order.

    ``edges`` are ``(job, depends_on)`` pairs.
    """
    layout = lay_out(node_ids, edges)
    return [[n for n in layer if not isinstance(n, _Waypoint)] for layer in layout.layers]


def lay_out(node_ids: Sequence[Hashable], edges: Sequence[tuple]) -> Layout:
    """Place ``node_ids`` in layers and order each layer to limit crossings.

    Nodes caught in a cycle (which a workflow cannot make, but rows can) go to a last
    layer of their own.
    """
    parents: dict[Hashable, list] = {node: [] for node in node_ids}
    children: dict[Hashable, list] = {node: [] for node in node_ids}
    edges = [(j, d) for j, d in dict.fromkeys(edges) if j in parents and d in parents and j != d]
    for job, dependency in edges:
        parents[job].append(dependency)
        children[dependency].append(job)
    depth = _depths(node_ids, parents, children)
    last = max(depth.values(), default=-1) + 1
    layers: list[list] = [[] for _ in range(last)]
    for node in node_ids:
        if node in depth:
            layers[depth[node]].append(node)
    cyclic = [node for node in node_ids if node not in depth]
    if cyclic:
        layers.append(cyclic)
        depth.update(dict.fromkeys(cyclic, len(layers) - 1))

    # Arrows that skip layers pass through a waypoint in each layer between their ends.
    waypoints: dict[tuple, list[_Waypoint]] = {}
    for job, dependency in edges:
        if depth[job] - depth[dependency] > 1:
            chain = [
                _Waypoint((job, dependency), i) for i in range(depth[dependency] + 1, depth[job])
            ]
            waypoints[(job, dependency)] = chain
            for point in chain:
                layers[point.layer].append(point)
            path = [dependency, *chain, job]
            parents[job].remove(dependency)
            children[dependency].remove(job)
            for upper, lower in zip(path, path[1:], strict=False):
                parents.setdefault(lower, []).append(upper)
                children.setdefault(upper, []).append(lower)
    _order_by_barycentre(layers, parents, children)
    return Layout(layers, waypoints)


def _depths(node_ids: Sequence, parents: dict, children: dict) -> dict[Hashable, int]:
    """Return each node's depth, in Kahn's topological order; nodes in a cycle get none."""
    depth: dict[Hashable, int] = {}
    waiting = {node: len(parents[node]) for node in node_ids}
    ready = [node for node in node_ids if waiting[node] == 0]
    for node in ready:  # ``ready`` grows while we walk it.
        depth[node] = max((depth[parent] + 1 for parent in parents[node]), default=0)
        for child in children[node]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return depth


def _order_by_barycentre(layers: list[list], parents: dict, children: dict) -> None:
    """Sort the layers in place, keeping the sweep with the fewest crossings."""
    best = [list(layer) for layer in layers]
    fewest = _crossings(layers, children)
    for sweep in range(SWEEPS):
        if not fewest:
            break
        downward = sweep % 2 == 0
        indices = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for index in indices:
            reference = layers[index - 1] if downward else layers[index + 1]
            neighbours = parents if downward else children
            position = {node: i for i, node in enumerate(reference)}
            # Scaled to the reference layer, so a node without neighbours keeps its place.
            scale = len(reference) / max(len(layers[index]), 1)
            keys = {}
            for i, node in enumerate(layers[index]):
                placed = [position[n] for n in neighbours.get(node, ()) if n in position]
                own = i * scale
                keys[node] = (sum(placed) / len(placed) if placed else own, own)
            layers[index].sort(key=keys.__getitem__)
        crossings = _crossings(layers, children)
        if crossings < fewest:
            fewest, best = crossings, [list(layer) for layer in layers]
    layers[:] = best


def _crossings(layers: list[list], children: dict) -> int:
    """Count the pairs of arrows that cross between each two neighbouring layers."""
    total = 0
    for upper, lower in zip(layers, layers[1:], strict=False):
        below = {node: i for i, node in enumerate(lower)}
        pairs = sorted(
            (i, below[child])
            for i, node in enumerate(upper)
            for child in children.get(node, ())
            if child in below
        )
        # Arrows cross when one starts above another and ends below it: count, with a
        # Fenwick tree over end positions, the earlier arrows that end lower down.
        tree = [0] * (len(lower) + 1)
        for seen, (_start, end) in enumerate(pairs):
            at_or_above, i = 0, end + 1
            while i:
                at_or_above += tree[i]
                i -= i & -i
            total += seen - at_or_above
            i = end + 1
            while i <= len(lower):
                tree[i] += 1
                i += i & -i
    return total


def dependency_graph_svg(nodes: Sequence[Node], edges: Sequence[tuple]) -> SafeString:
    """Return the SVG picture of ``nodes`` and their ``(job, depends_on)`` ``edges``.

    Each node links to its job's admin page and shows its name and status.
    """
    by_id = {node.id: node for node in nodes}
    layout = lay_out([node.id for node in nodes], edges)
    places = _places(layout.layers)
    width = 2 * PADDING + len(layout.layers) * (NODE_WIDTH + LAYER_GAP) - LAYER_GAP
    height = max((y + _height(n) for n, (_x, y) in places.items()), default=0) + PADDING
    parts = [
        f'<svg class="gigq-graph" xmlns="http://www.w3.org/2000/svg" width="{max(width, 0)}" '
        f'height="{height:.0f}" viewBox="0 0 {max(width, 0)} {height:.0f}" role="img" '
        f'aria-label="Dependency graph of {len(nodes)} jobs">',
        '<defs><marker id="gigq-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path class="gigq-arrowhead" d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>',
    ]
    for job, dependency in dict.fromkeys(edges):
        if job in places and dependency in places and job != dependency:
            chain = layout.waypoints.get((job, dependency), [])
            parts.append(_edge([places[dependency], *(places[p] for p in chain), places[job]]))
    for node_id, (x, y) in places.items():
        if not isinstance(node_id, _Waypoint):
            parts.append(_node(by_id[node_id], x, y))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped or numeric


def _height(node) -> int:
    return WAYPOINT_HEIGHT if isinstance(node, _Waypoint) else NODE_HEIGHT


def _places(layers: list[list]) -> dict[Hashable, tuple[float, float]]:
    """Return the top-left corner of every node and waypoint, each layer centred."""
    heights = [sum(_height(n) + ROW_GAP for n in layer) - ROW_GAP for layer in layers]
    tallest = max(heights, default=0)
    places = {}
    for column, layer in enumerate(layers):
        x = PADDING + column * (NODE_WIDTH + LAYER_GAP)
        y = PADDING + (tallest - heights[column]) / 2
        for node in layer:
            places[node] = (x, y)
            y += _height(node) + ROW_GAP
    return places


def _edge(points: list[tuple[float, float]]) -> str:
    """Return an arrow from the first box's right side, through waypoints, to the last box."""
    (x, y), *between, (x_end, y_end) = points
    path = [f"M {x + NODE_WIDTH:.1f} {y + NODE_HEIGHT / 2:.1f}"]
    here = (x + NODE_WIDTH, y + NODE_HEIGHT / 2)
    for wx, wy in between:
        middle = wy + WAYPOINT_HEIGHT / 2
        path.append(_curve(here, (wx, middle)))
        path.append(f"L {wx + NODE_WIDTH:.1f} {middle:.1f}")
        here = (wx + NODE_WIDTH, middle)
    path.append(_curve(here, (x_end, y_end + NODE_HEIGHT / 2)))
    return f'<path class="gigq-edge" marker-end="url(#gigq-arrow)" d="{" ".join(path)}"/>'


def _curve(start: tuple[float, float], end: tuple[float, float]) -> str:
    middle = (start[0] + end[0]) / 2
    return f"C {middle:.1f} {start[1]:.1f}, {middle:.1f} {end[1]:.1f}, {end[0]:.1f} {end[1]:.1f}"


def _node(node: Node, x: float, y: float) -> str:
    name = node.name if len(node.name) <= NAME_CHARS else node.name[: NAME_CHARS - 1] + "…"
    return (
        f'<a href="{escape(node.url)}" class="gigq-node" data-job-id="{escape(str(node.id))}">'
        f"<title>{escape(node.name)}: {escape(node.status_label)}</title>"
        f'<rect class="gigq-status-{escape(node.status)}" x="{x:.1f}" y="{y:.1f}" '
        f'width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6"/>'
        f'<text class="gigq-node-name" x="{x + 10:.1f}" y="{y + 15:.1f}">{escape(name)}</text>'
        f'<text class="gigq-node-status" x="{x + 10:.1f}" y="{y + 29:.1f}">'
        f"{escape(node.status_label)}</text></a>"
    )
