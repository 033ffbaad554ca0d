"""Pictures of the graph: the mechanism map (`kg map`, `kg serve`'s `/map/QUERY`).

`mechmap` turns the answer of a canned query into typed nodes and evidence-backed edges (frozen records,
no drawing); `layout` places them in layers; `render` writes a static SVG and a self-contained HTML page.
Nothing here reads the network: the HTML embeds its SVG, style and script.
"""

from .mechmap import MAPPABLE, Edge, Evidence, MechanismMap, Node, build_map
from .render import to_html, to_svg

__all__ = ["MAPPABLE", "Edge", "Evidence", "MechanismMap", "Node", "build_map", "to_html", "to_svg"]
