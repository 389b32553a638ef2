"""A computation graph as a picture, without Graphviz: a layered layout drawn with matplotlib.

The layout is the classic one for DAGs (Sugiyama): each node gets a layer (here: as late as
possible, so a leaf sits right before the op that uses it), edges that skip layers get invisible
bend points, the nodes of each layer are ordered by the barycenter of their neighbours (a few
sweeps both ways, which removes most crossings), and layers are stacked left to right
(``rankdir="LR"``) or top to bottom (``"TB"``). matplotlib's object API draws it, so no pyplot
figure is opened (nothing pops up in Jupyter twice, no global backend is changed).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

FONT = 9  # points
CHAR_W = 0.56 * FONT / 72  # inches per character, for the default sans font
LINE_H = 1.35 * FONT / 72
GAP_LAYER, GAP_NODE, MARGIN = 0.55, 0.3, 0.2  # inches
STYLE = {  # kind -> (face colour, box style)
    "leaf": ("#cfe2f3", "round,pad=0.02,rounding_size=0.08"),
    "tensor": ("#ffffff", "square,pad=0.02"),
    "output": ("#d9ead3", "square,pad=0.02"),
    "op": ("#eeeeee", None),  # an ellipse
}


@dataclass
class Node:
    key: str
    kind: str  # "leaf", "tensor", "output" or "op"
    label: str


@dataclass
class Picture:
    """Where everything goes, in inches: node centres and sizes, edge polylines."""

    width: float
    height: float
    boxes: dict = field(default_factory=dict)  # key -> (x, y, w, h)
    paths: list = field(default_factory=list)  # (points, label, src key, dst key)


def _size(node: Node) -> tuple[float, float]:
    lines = node.label.split("\n")
    w = max(len(s) for s in lines) * CHAR_W + 0.25
    h = len(lines) * LINE_H + 0.16
    return (w * 1.12, h * 1.3) if node.kind == "op" else (w, h)


def _layers(keys: list, edges: list) -> dict:
    """Layer of each node: sinks last, every other node one layer before its earliest user."""
    succ = {k: [] for k in keys}
    for a, b, _ in edges:
        succ[a].append(b)
    depth: dict = {}
    for start in keys:  # iterative DFS: depth = longest path to a sink
        stack = [(start, False)]
        while stack:
            k, done = stack.pop()
            if k in depth:
                continue
            if done:
                depth[k] = 1 + max((depth[s] for s in succ[k]), default=-1)
                continue
            stack.append((k, True))
            stack.extend((s, False) for s in succ[k] if s not in depth)
    top = max(depth.values(), default=0)
    return {k: top - d for k, d in depth.items()}


def layout(nodes: list, edges: list, rankdir: str = "LR") -> Picture:
    """Place ``nodes`` ([Node]) joined by ``edges`` ([(src key, dst key, label)])."""
    keys = [n.key for n in nodes]
    size = {n.key: _size(n) for n in nodes}
    layer = _layers(keys, edges)
    # long edges get one bend point per skipped layer
    chains, order_src = [], {}
    for i, (a, b, lab) in enumerate(edges):
        chain = [a]
        for li in range(layer[a] + 1, layer[b]):
            d = f"_bend{i}_{li}"
            layer[d], size[d] = li, (0.0, 0.0)
            chain.append(d)
        chains.append((chain + [b], lab))
    nbrs_left: dict = {k: [] for k in layer}
    nbrs_right: dict = {k: [] for k in layer}
    for chain, _ in chains:
        for u, v in zip(chain, chain[1:]):
            nbrs_right[u].append(v)
            nbrs_left[v].append(u)
    n_layers = max(layer.values(), default=0) + 1
    rows: list = [[] for _ in range(n_layers)]
    for k in keys + [k for k in layer if k.startswith("_bend")]:
        if k not in order_src:
            order_src[k] = len(order_src)
            rows[layer[k]].append(k)
    pos = {k: i for row in rows for i, k in enumerate(row)}
    for sweep in range(8):  # barycenter heuristic, alternating directions
        rng = range(n_layers - 2, -1, -1) if sweep % 2 == 0 else range(1, n_layers)
        for li in rng:
            nb = nbrs_right if sweep % 2 == 0 else nbrs_left
            bary = {k: (sum(pos[m] for m in nb[k]) / len(nb[k]) if nb[k] else pos[k])
                    for k in rows[li]}
            rows[li].sort(key=lambda k: (bary[k], pos[k]))
            pos.update({k: i for i, k in enumerate(rows[li])})
    horizontal = rankdir.upper() != "TB"
    ext = {k: size[k][1 if horizontal else 0] for k in layer}  # extent across the layer
    along = [max((size[k][0 if horizontal else 1] for k in row), default=0.0) for row in rows]
    across = _align(rows, ext, nbrs_left, nbrs_right)
    pic = Picture(0.0, 0.0)
    centre: dict = {}
    t = MARGIN
    for li, row in enumerate(rows):
        c = t + along[li] / 2
        for k in row:
            centre[k] = (c, across[k]) if horizontal else (across[k], c)
        t += along[li] + GAP_LAYER
    total_along = t - GAP_LAYER + MARGIN
    total_across = max((across[k] + ext[k] / 2 for k in layer), default=0.0) + MARGIN
    pic.width, pic.height = (total_along, total_across) if horizontal else (
        total_across, total_along)
    flip = lambda p: (p[0], pic.height - p[1])  # noqa: E731 - first rows at the top
    for n in nodes:
        x, y = flip(centre[n.key])
        pic.boxes[n.key] = (x, y, *size[n.key])
    for chain, lab in chains:
        pic.paths.append(([flip(centre[k]) for k in chain], lab, chain[0], chain[-1]))
    return pic


def _align(rows: list, ext: dict, left: dict, right: dict) -> dict:
    """Positions across the layers: each node as close as it can get to the mean of its
    neighbours (so chains come out straight), keeping the order and a gap between nodes."""
    pos: dict = {}
    for row in rows:  # start: each layer stacked from 0
        s = 0.0
        for k in row:
            pos[k] = s + ext[k] / 2
            s += ext[k] + GAP_NODE
    for sweep in range(6):
        nb = left if sweep % 2 == 0 else right
        for row in rows if sweep % 2 == 0 else rows[::-1]:
            want = [sum(pos[m] for m in nb[k]) / len(nb[k]) if nb[k] else pos[k] for k in row]
            placed = []
            for i, k in enumerate(row):
                lo = placed[-1] + (ext[row[i - 1]] + ext[k]) / 2 + GAP_NODE if i else -1e9
                placed.append(max(want[i], lo))
            shift = sum(w - p for w, p in zip(want, placed)) / max(len(row), 1)
            pos.update({k: p + shift for k, p in zip(row, placed)})
    low = min((pos[k] - ext[k] / 2 for k in pos), default=0.0)
    return {k: v - low + MARGIN for k, v in pos.items()}


def _clip(p, q, box, kind):
    """The point where the segment from p (outside) to the centre q of ``box`` enters it."""
    x, y, w, h = box
    dx, dy = p[0] - q[0], p[1] - q[1]
    if dx == 0 and dy == 0:
        return q
    if kind == "op":  # ellipse: scale the direction onto it
        import math

        t = 1 / math.sqrt((dx / (w / 2)) ** 2 + (dy / (h / 2)) ** 2)
    else:
        t = min(abs((w / 2) / dx) if dx else float("inf"), abs((h / 2) / dy) if dy else
                float("inf"))
    t = min(t, 1.0)
    return (q[0] + dx * t, q[1] + dy * t)


def figure(nodes: list, edges: list, rankdir: str = "LR"):
    """A matplotlib ``Figure`` of the graph (not registered with pyplot)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

    pic = layout(nodes, edges, rankdir)
    fig = Figure(figsize=(pic.width, pic.height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, pic.width)
    ax.set_ylim(0, pic.height)
    ax.axis("off")
    kinds = {n.key: n.kind for n in nodes}
    for points, lab, src, dst in pic.paths:
        pts = list(points)
        pts[0] = _clip(pts[1], pts[0], pic.boxes[src], kinds[src])
        pts[-1] = _clip(pts[-2], pts[-1], pic.boxes[dst], kinds[dst])
        for a, b in zip(pts[:-2], pts[1:-1]):
            ax.plot([a[0], b[0]], [a[1], b[1]], color="#555555", lw=1.0, zorder=1)
        ax.add_patch(FancyArrowPatch(pts[-2], pts[-1], arrowstyle="-|>", mutation_scale=10,
                                     color="#555555", lw=1.0, zorder=1, shrinkA=0, shrinkB=1))
        if lab:
            (ax_, ay), (bx, by) = pts[-2], pts[-1]
            ax.text(ax_ + 0.7 * (bx - ax_), ay + 0.7 * (by - ay) + 0.06, lab, fontsize=FONT - 2,
                    color="#444444", ha="center", va="bottom", zorder=3)
    for n in nodes:
        x, y, w, h = pic.boxes[n.key]
        face, box = STYLE[n.kind]
        if box is None:
            ax.add_patch(Ellipse((x, y), w, h, facecolor=face, edgecolor="#333333", lw=1.0,
                                 zorder=2))
        else:
            ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=box,
                                        facecolor=face, edgecolor="#333333", lw=1.0, zorder=2))
        ax.text(x, y, n.label, ha="center", va="center", fontsize=FONT, zorder=4,
                linespacing=1.15)
    return fig


def render(nodes: list, edges: list, fmt: str, rankdir: str = "LR", dpi: int = 100) -> bytes:
    """The picture as ``fmt`` bytes ("png", "svg", "pdf")."""
    fig = figure(nodes, edges, rankdir)
    buf = io.BytesIO()
    meta = {"Date": None} if fmt == "svg" else {}
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta or None)
    return buf.getvalue()
