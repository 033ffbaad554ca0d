"""A small deterministic layered layout for the mechanism map: no layout engine, no randomness.

The layers follow how the map is read, top to bottom: what is being explained (disease, site), the
mechanisms (pathways, processes), and their actors (genes, cell types, chemicals, other). Within a layer
nodes are ordered once by the mean position of their neighbours in the layers above (the barycentre
heuristic), which removes most crossings on maps of this size; a long layer wraps onto several rows.
The same map always gives the same picture, so SVGs diff cleanly and tests can check positions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .mechmap import KINDS, MechanismMap, Node

LAYER = {"disease": 0, "site": 0, "pathway": 1, "process": 1, "gene": 2, "cell": 2, "chemical": 2, "other": 2}
CHAR_W, LINE_H, PAD_X, PAD_Y = 6.6, 15.0, 10.0, 8.0
WRAP = 26  # characters per label line
MAX_PER_ROW = 5
GAP_X, GAP_Y, MARGIN, TOP_ROOM = 36.0, 90.0, 30.0, 50.0


@dataclass(frozen=True)
class Box:
    x: float  # centre
    y: float  # centre
    w: float
    h: float
    lines: tuple[str, ...]


def wrap(label: str, width: int = WRAP, max_lines: int = 3) -> tuple[str, ...]:
    """Word-wrap a label; a label longer than `max_lines` lines ends with an ellipsis."""
    lines: list[str] = []
    cur = ""
    for word in label.split():
        while len(word) > width:  # a single very long word is cut
            if cur:
                lines.append(cur)
                cur = ""
            lines.append(word[:width])
            word = word[width:]
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}".strip()
    if cur:
        lines.append(cur)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1] + "…"
    return tuple(lines) or ("",)


def layout(m: MechanismMap) -> tuple[dict[str, Box], float, float]:
    """Node IRI -> Box, plus the drawing's width and height."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for e in m.edges:
        neighbours[e.subject].add(e.object)
        neighbours[e.object].add(e.subject)
    layers: dict[int, list[Node]] = defaultdict(list)
    for n in m.nodes:
        layers[LAYER.get(n.kind, 2)].append(n)
    rows: list[list[Node]] = []
    placed_x: dict[str, float] = {}
    for level in sorted(layers):
        nodes = layers[level]

        def bary(n: Node, placed: dict[str, float] = dict(placed_x)) -> float:
            xs = [placed[o] for o in neighbours[n.iri] if o in placed]
            return sum(xs) / len(xs) if xs else float("inf")

        nodes = sorted(nodes, key=lambda n: (bary(n), KINDS.index(n.kind), n.label.lower(), n.iri))
        for i in range(0, len(nodes), MAX_PER_ROW):
            row = nodes[i:i + MAX_PER_ROW]
            rows.append(row)
            for j, n in enumerate(row):
                placed_x[n.iri] = j - (len(row) - 1) / 2
    shown = display_labels(m)
    sized = [[(n, wrap(shown[n.iri])) for n in row] for row in rows]
    widths = [sum(_w(lines) for _, lines in row) + GAP_X * (len(row) - 1) for row in sized]
    width = max(widths, default=200.0) + 2 * MARGIN
    boxes: dict[str, Box] = {}
    y = MARGIN + TOP_ROOM  # room for the arcs between nodes of the first row
    for boxed, rw in zip(sized, widths):
        h = max(_h(lines) for _, lines in boxed)
        x = (width - rw) / 2
        for n, lines in boxed:
            w = _w(lines)
            boxes[n.iri] = Box(x + w / 2, y + h / 2, w, _h(lines), lines)
            x += w + GAP_X
        y += h + GAP_Y
    height = y - GAP_Y + MARGIN
    return boxes, width, max(height, 2 * MARGIN)


def display_labels(m: MechanismMap) -> dict[str, str]:
    """Labels as drawn: two entities with one label (MeSH and GO "extracellular exosome") get their
    CURIE prefix added, so the picture does not show what looks like one thing twice."""
    from .. import prefixes

    count: dict[str, int] = defaultdict(int)
    for n in m.nodes:
        count[n.label.lower()] += 1
    out = {}
    for n in m.nodes:
        extra = ""
        if count[n.label.lower()] > 1:
            curie = prefixes.curie(n.iri)
            extra = f" ({curie.split(':', 1)[0]})" if curie else ""
        out[n.iri] = n.label + extra
    return out


def _w(lines: tuple[str, ...]) -> float:
    return max(len(s) for s in lines) * CHAR_W + 2 * PAD_X


def _h(lines: tuple[str, ...]) -> float:
    return len(lines) * LINE_H + 2 * PAD_Y
