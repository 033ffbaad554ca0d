"""The mechanism map as a static SVG (for papers) and a self-contained HTML page (to explore).

The SVG carries everything a reader needs without a script: typed, coloured nodes; edges coloured by
polarity with the number of distinct PMIDs on them; and a `<title>` on every node and edge, which
browsers and most viewers show on hover, holding the evidence sentences and PMIDs. The HTML page embeds
that same SVG, a stylesheet, the evidence as JSON and a short inline script that lists an edge's (or a
node's) evidence in a side panel on click. It loads nothing: no fonts, scripts or images from anywhere,
so it opens offline and can be mailed as one file.

Every text from the store goes through `xml.sax.saxutils.escape` (SVG) or `json.dumps` with `<` escaped
(the embedded JSON), and the script writes it with `textContent`, so a sentence can never become markup.
"""

from __future__ import annotations

import json
import math
from xml.sax.saxutils import escape, quoteattr

from .layout import CHAR_W, GAP_Y, LINE_H, Box, layout
from .mechmap import COOCCURRENCE, KINDS, Edge, MechanismMap

KIND_STYLE = {  # fill, stroke (colour-blind-safe pairs, after ColorBrewer's qualitative sets)
    "disease": ("#fbb4ae", "#b2182b"), "site": ("#fed9a6", "#a6611a"), "pathway": ("#b3cde3", "#2166ac"),
    "process": ("#ccebc5", "#1b7837"), "gene": ("#decbe4", "#762a83"), "cell": ("#ffffcc", "#8c6d1f"),
    "chemical": ("#e5d8bd", "#5e4b1f"), "other": ("#f2f2f2", "#555555"),
}
POLARITY_STYLE = {  # colour, dash pattern, marker
    "positive": ("#1b7837", "", "arrow"), "negative": ("#b2182b", "", "tee"),
    "neutral": ("#444444", "", "arrow"), COOCCURRENCE: ("#8c8c8c", "5 4", ""),
}
ROW_PITCH = GAP_Y + 45  # typical distance between two rows' centres
EVIDENCE_IN_TITLE = 5  # sentences in a hover title; the HTML panel lists them all


def _curie(iri: str) -> str:
    from .. import prefixes
    return prefixes.curie(iri) or iri  # an IRI outside the prefix map is shown whole


def _edge_title(e: Edge, names: dict[str, str]) -> str:
    head = (f"{names[e.subject]} —{e.polarity}→ {names[e.object]} ({', '.join(e.predicates)}); "
            f"{len(e.pmids)} PMID{'s' if len(e.pmids) != 1 else ''}: {', '.join(e.pmids)}")
    lines = [head] + [f"PMID {ev.pmid}: {ev.sentence}" for ev in e.evidence[:EVIDENCE_IN_TITLE]]
    total = max(e.sentences, len(e.evidence))
    if total > EVIDENCE_IN_TITLE:
        lines.append(f"… and {total - EVIDENCE_IN_TITLE} more sentences")
    return "\n".join(lines)


def _clip(box: Box, tx: float, ty: float) -> tuple[float, float]:
    """Where the line from the box's centre towards (tx, ty) leaves the box."""
    dx, dy = tx - box.x, ty - box.y
    if dx == 0 and dy == 0:
        return box.x, box.y
    t = min(box.w / 2 / abs(dx) if dx else math.inf, box.h / 2 / abs(dy) if dy else math.inf)
    return box.x + dx * t, box.y + dy * t


def _edge_path(a: Box, b: Box, bend: float) -> tuple[str, float, float]:
    """A quadratic curve from box a to box b; `bend` pushes it sideways so parallel edges stay apart."""
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    if abs(dy) < 1:  # same row: arc above
        cx, cy = mx, my - 0.35 * length - 30 - bend
    else:
        cx, cy = mx - dy / length * bend, my + dx / length * bend
    x1, y1 = _clip(a, cx, cy)
    x2, y2 = _clip(b, cx, cy)
    # The PMID badge sits in the gap just above the lower end, not over a node of a layer in between
    # (an edge from a gene to a disease crosses the pathway row).
    span = max(1, round(abs(dy) / ROW_PITCH))
    t = 0.5 / span if y1 > y2 else 1 - 0.5 / span
    lx = (1 - t) ** 2 * x1 + 2 * (1 - t) * t * cx + t ** 2 * x2
    ly = (1 - t) ** 2 * y1 + 2 * (1 - t) * t * cy + t ** 2 * y2
    return f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}", lx, ly


def to_svg(m: MechanismMap) -> str:
    """The map as a standalone SVG document (UTF-8 text)."""
    boxes, width, height = layout(m)
    legend_h = 56.0
    total_h = height + legend_h
    names = {n.iri: n.label for n in m.nodes}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="kg-map" width="{width:.0f}" height="{total_h:.0f}" '
           f'viewBox="0 0 {width:.0f} {total_h:.0f}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">',
           f"<title>{escape(m.title)}</title>", "<defs>"]
    for pol, (colour, _, marker) in POLARITY_STYLE.items():
        mid = f"m-{pol}"
        if marker == "arrow":
            out.append(f'<marker id="{mid}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
                       f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
        elif marker == "tee":
            out.append(f'<marker id="{mid}" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" '
                       f'orient="auto"><path d="M7,0 L10,0 L10,10 L7,10 z" fill="{colour}"/></marker>')
    out.append("</defs>")
    out.append('<rect width="100%" height="100%" fill="#ffffff"/>')
    seen_pairs: dict[frozenset[str], int] = {}
    out.append('<g class="edges">')
    for i, e in enumerate(m.edges):
        pair = frozenset((e.subject, e.object))
        k = seen_pairs.get(pair, 0)
        seen_pairs[pair] = k + 1
        bend = (k + 1) // 2 * 26 * (1 if k % 2 else -1) if k else 0.0
        d, lx, ly = _edge_path(boxes[e.subject], boxes[e.object], bend)
        colour, dash, marker = POLARITY_STYLE[e.polarity]
        sw = 1.2 + math.log2(len(e.pmids) + 1)
        attrs = f' stroke-dasharray="{dash}"' if dash else ""
        attrs += f' marker-end="url(#m-{e.polarity})"' if marker else ""
        out.append(f'<g class="edge" id="e{i}" data-source={quoteattr(e.subject)} data-target={quoteattr(e.object)} '
                   f'data-polarity="{e.polarity}" data-pmids="{len(e.pmids)}">'
                   f"<title>{escape(_edge_title(e, names))}</title>"
                   f'<path d="{d}" fill="none" stroke="transparent" stroke-width="12"/>'
                   f'<path class="line" d="{d}" fill="none" stroke="{colour}" stroke-width="{sw:.1f}"{attrs}/>'
                   f'<circle cx="{lx:.1f}" cy="{ly:.1f}" r="8" fill="#ffffff" stroke="{colour}"/>'
                   f'<text x="{lx:.1f}" y="{ly + 3.5:.1f}" text-anchor="middle" font-size="10" fill="{colour}" pointer-events="none">'
                   f"{len(e.pmids)}</text></g>")
    out.append("</g>")
    out.append('<g class="nodes">')
    for i, n in enumerate(m.nodes):
        b = boxes[n.iri]
        fill, stroke = KIND_STYLE[n.kind]
        sw = 2.0 if n.in_answer else 1.0
        out.append(f'<g class="node" id="n{i}" data-iri={quoteattr(n.iri)} data-kind="{n.kind}" '
                   f'data-label={quoteattr(n.label)}>'
                   f"<title>{escape(f'{n.label} ({_curie(n.iri)}), {n.kind}')}</title>"
                   f'<rect x="{b.x - b.w / 2:.1f}" y="{b.y - b.h / 2:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" '
                   f'rx="7" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>')
        top = b.y - (len(b.lines) - 1) * LINE_H / 2 + 4
        for j, line in enumerate(b.lines):
            out.append(f'<text x="{b.x:.1f}" y="{top + j * LINE_H:.1f}" text-anchor="middle" fill="#111111">'
                       f"{escape(line)}</text>")
        out.append("</g>")
    out.append("</g>")
    out.extend(_legend(m, width, height))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend(m: MechanismMap, width: float, y0: float) -> list[str]:
    out = ['<g class="legend" font-size="10">']
    x, y = 20.0, y0 + 14
    for kind in KINDS:
        if not any(n.kind == kind for n in m.nodes):
            continue
        fill, stroke = KIND_STYLE[kind]
        out.append(f'<rect x="{x:.0f}" y="{y - 9:.0f}" width="14" height="11" rx="3" fill="{fill}" stroke="{stroke}"/>'
                   f'<text x="{x + 18:.0f}" y="{y:.0f}">{kind}</text>')
        x += 26 + len(kind) * CHAR_W
    x, y = 20.0, y + 20
    for pol, (colour, dash, marker) in POLARITY_STYLE.items():
        attrs = f' stroke-dasharray="{dash}"' if dash else ""
        attrs += f' marker-end="url(#m-{pol})"' if marker else ""
        out.append(f'<path d="M{x:.0f},{y - 4:.0f} L{x + 28:.0f},{y - 4:.0f}" stroke="{colour}" stroke-width="2"{attrs}/>'
                   f'<text x="{x + 34:.0f}" y="{y:.0f}">{pol}</text>')
        x += 44 + len(pol) * CHAR_W
    out.append(f'<text x="{x + 10:.0f}" y="{y:.0f}" fill="#444444">number on an edge: distinct PMIDs</text>')
    out.append("</g>")
    return out


def _evidence_json(m: MechanismMap) -> str:
    data = {
        "nodes": {f"n{i}": {"iri": n.iri, "curie": _curie(n.iri), "label": n.label, "kind": n.kind}
                  for i, n in enumerate(m.nodes)},
        "edges": {f"e{i}": {"subject": e.subject, "object": e.object, "polarity": e.polarity,
                            "predicates": list(e.predicates), "pmids": list(e.pmids),
                            "sentences": max(e.sentences, len(e.evidence)),
                            "evidence": [{"pmid": ev.pmid, "sentence": ev.sentence, "section": ev.section,
                                          "negated": ev.negated, "hedged": ev.hedged} for ev in e.evidence]}
                  for i, e in enumerate(m.edges)},
    }
    # `<` escaped: no sentence can close the script element
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")


_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 0; color: #111; display: flex; flex-wrap: wrap; }
header { width: 100%; padding: 10px 16px; border-bottom: 1px solid #ddd; }
header h1 { font-size: 17px; margin: 0 0 4px 0; } header p { margin: 0; color: #555; font-size: 13px; }
#map { flex: 1 1 600px; overflow: auto; padding: 8px; } #map svg { max-width: 100%; height: auto; }
#evidence { flex: 0 0 360px; max-height: 100vh; overflow: auto; padding: 12px 16px; border-left: 1px solid #ddd;
            font-size: 13px; }
#evidence h2 { font-size: 14px; margin: 0 0 6px 0; }
#evidence li { margin-bottom: 8px; line-height: 1.35; } .pmid { font-weight: bold; } .flag { color: #b2182b; }
.edge, .node { cursor: pointer; } .edge:hover .line { stroke-width: 5; } .node:hover rect { stroke-width: 3; }
.selected .line { stroke-width: 5; } .node.selected rect { stroke-width: 3.5; }
"""

_SCRIPT = """
(function () {
  var data = JSON.parse(document.getElementById('kg-evidence').textContent);
  var panel = document.getElementById('evidence');
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls; return e; }
  function label(iri) { for (var k in data.nodes) if (data.nodes[k].iri === iri) return data.nodes[k].label; return iri; }
  function select(g) { document.querySelectorAll('.selected').forEach(function (s) { s.classList.remove('selected'); });
    g.classList.add('selected'); }
  function showEdge(id) {
    var e = data.edges[id]; panel.innerHTML = '';
    panel.appendChild(el('h2', label(e.subject) + ' \\u2014' + e.polarity + '\\u2192 ' + label(e.object)));
    panel.appendChild(el('p', e.predicates.join(', ') + '; ' + e.pmids.length + ' PMID' + (e.pmids.length === 1 ? '' : 's') +
                         ': ' + e.pmids.join(', '), 'pmids'));
    var ol = el('ol');
    e.evidence.forEach(function (ev) {
      var li = el('li'); li.appendChild(el('span', 'PMID ' + ev.pmid, 'pmid'));
      if (ev.section) li.appendChild(el('span', ' [' + ev.section + ']'));
      if (ev.negated) li.appendChild(el('span', ' negated', 'flag'));
      if (ev.hedged) li.appendChild(el('span', ' hedged', 'flag'));
      li.appendChild(el('div', ev.sentence, 'sentence')); ol.appendChild(li);
    });
    panel.appendChild(ol);
    if (e.sentences > e.evidence.length)
      panel.appendChild(el('p', 'Showing ' + e.evidence.length + ' of ' + e.sentences + ' sentences (kg map --max-evidence).'));
  }
  function showNode(id) {
    var n = data.nodes[id]; panel.innerHTML = '';
    panel.appendChild(el('h2', n.label)); panel.appendChild(el('p', n.kind + ', ' + n.curie, 'curie'));
    var ul = el('ul');
    Object.keys(data.edges).forEach(function (k) {
      var e = data.edges[k];
      if (e.subject !== n.iri && e.object !== n.iri) return;
      var li = el('li', label(e.subject) + ' \\u2014' + e.polarity + '\\u2192 ' + label(e.object) + ' (' +
                  e.pmids.length + ' PMID' + (e.pmids.length === 1 ? '' : 's') + ')');
      li.addEventListener('click', function () { select(document.getElementById(k)); showEdge(k); });
      ul.appendChild(li);
    });
    panel.appendChild(ul);
  }
  document.querySelectorAll('svg.kg-map .edge').forEach(function (g) {
    g.addEventListener('click', function () { select(g); showEdge(g.id); }); });
  document.querySelectorAll('svg.kg-map .node').forEach(function (g) {
    g.addEventListener('click', function () { select(g); showNode(g.id); }); });
})();
"""


def to_html(m: MechanismMap) -> str:
    """A self-contained page: the SVG, its evidence as JSON and the click-to-show script, all inline."""
    svg = to_svg(m)
    params = ", ".join(f"{k}={v}" for k, v in m.params) or "default parameters"
    summary = (f"{len(m.nodes)} entities, {len(m.edges)} associations. Click an edge or an entity to see "
               f"its evidence sentences and PMIDs.")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{escape(m.title)} - kg mechanism map</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>Mechanism map: {escape(m.query)}</h1><p>{escape(params)}. {escape(summary)}</p></header>\n"
        f'<div id="map">\n{svg}</div>\n'
        '<aside id="evidence"><p>Click an edge or an entity to see its evidence.</p></aside>\n'
        f'<script type="application/json" id="kg-evidence">{_evidence_json(m)}</script>\n'
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )
