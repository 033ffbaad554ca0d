"""One data graph indexed for the lookups SHACL needs (`Data`), and SHACL property paths over it (`Path_`).

The index is built straight from N-Quads text (kg's own serializer, read with string splits) so ingest can
check every article before it is stored; anything unusual goes through Oxigraph's parser.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import AbstractSet, Callable, Iterable, Iterator

from .terms import RDF_TYPE, RDFS_SUBCLASS

_EMPTY: list[str] = []   # shared "no values"; never mutated


_NQ_LINE = re.compile(r"^(<[^>\s]*>|_:\S+) (<[^>\s]*>) (.+) (<[^>]*>) \.$", re.M)


def parse_nquads(text: str) -> list[tuple[str, str, str]]:
    """Triples of an N-Quads text in one named graph. A fast path for `kg`'s own serializer (one space
    between terms, one line per quad); anything else goes through Oxigraph's parser."""
    found = _NQ_LINE.findall(text)
    if len(found) == text.count("\n") and text.endswith("\n"):
        return [(s, p, o) for s, p, o, _ in found]
    import pyoxigraph as ox
    return [(str(q.subject), str(q.predicate), str(q.object))
            for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)]


def _index(spo: dict[str, dict[str, list[str]]], s: str, p: str, o: str) -> None:
    """Add one triple to a subject -> predicate -> objects index (objects kept unique, in order)."""
    d = spo.get(s)
    if d is None:
        spo[s] = {p: [o]}
        return
    v = d.get(p)
    if v is None:
        d[p] = [o]
    elif o not in v:
        v.append(o)


class Data:
    """One data graph, indexed for the lookups SHACL needs."""

    __slots__ = ("spo", "_inv", "_subclasses")

    def __init__(self, triples: Iterable[tuple[str, str, str]], keep: frozenset[str] | None = None) -> None:
        """`keep`: the only predicates worth indexing (those the shapes can look at); None keeps all."""
        spo: dict[str, dict[str, list[str]]] = {}
        for s, p, o in triples:
            if keep is None or p in keep:
                _index(spo, s, p, o)
        self.spo = spo
        self._inv: dict[str, dict[str, list[str]]] = {}
        self._subclasses: dict[str, set[str]] = {}

    @classmethod
    def from_nquads(cls, graph: str, text: str, keep: frozenset[str] | None = None,
                    inverse: frozenset[str] = frozenset()) -> "Data":
        """One named graph's N-Quads. Fast path for kg's own serializer (single spaces, every line in
        `graph`, a subject's triples together): two str.split calls per line, the subject looked up once per
        run of lines (measured: a regex, or splitting on the graph suffix, were slower); anything else
        goes through Oxigraph's parser. `inverse`: predicates whose object -> subjects index is built on
        the way (rdf:type, inverse paths), cheaper than one more pass over the graph each."""
        suffix = f" <{graph}> ."
        n = len(suffix)
        learned: set[str] = set()                   # predicates seen well formed, when all are kept
        known: AbstractSet[str] = keep if keep is not None else learned  # predicates known well formed
        if keep is not None:
            inverse = inverse & keep
        inv: dict[str, dict[str, list[str]]] = {p: {} for p in inverse}
        spo: dict[str, dict[str, list[str]]] = {}
        last: str | None = None                     # the subject of the previous line, and its index
        d: dict[str, list[str]] = {}
        try:
            for line in text.split("\n"):
                if not line:
                    continue
                s, p, rest = line.split(" ", 2)
                if not rest.endswith(suffix):
                    raise ValueError(line)
                if p not in known:
                    if p[0] != "<" or p[-1] != ">" or s[0] not in "<_":
                        raise ValueError(line)
                    if keep is not None:
                        continue
                    learned.add(p)
                if s != last:
                    if s[0] not in "<_":
                        raise ValueError(line)
                    got = spo.get(s)
                    if got is None:
                        got = spo[s] = {}
                    d = got
                    last = s
                o = rest[:-n]
                v = d.get(p)
                if v is None:
                    d[p] = [o]
                elif o not in v:
                    v.append(o)
                else:
                    continue                # a repeated triple
                if p in inverse:
                    subjects = inv[p].get(o)
                    if subjects is None:
                        inv[p][o] = [s]
                    else:
                        subjects.append(s)
        except (ValueError, IndexError):
            return cls(parse_nquads(text), keep)
        data = cls((), keep)
        data.spo = spo
        data._inv = inv
        return data

    def objects(self, s: str, p: str) -> list[str]:
        d = self.spo.get(s)
        return d.get(p, []) if d else []

    def inverse(self, p: str) -> dict[str, list[str]]:
        inv = self._inv.get(p)
        if inv is None:
            inv = defaultdict(list)
            for s, d in self.spo.items():
                for o in d.get(p, ()):
                    inv[o].append(s)
            self._inv[p] = inv = dict(inv)
        return inv

    def subjects(self, p: str, o: str) -> list[str]:
        return self.inverse(p).get(o, [])

    def subjects_of(self, p: str) -> list[str]:
        return [s for s, d in self.spo.items() if p in d]

    def objects_of(self, p: str) -> list[str]:
        return list(self.inverse(p))

    def subclasses(self, c: str) -> set[str]:
        """c and every class below it by rdfs:subClassOf in the data graph."""
        got = self._subclasses.get(c)
        if got is None:
            got = {c}
            inv = self.inverse(RDFS_SUBCLASS)
            if inv:
                todo = [c]
                while todo:
                    for sub in inv.get(todo.pop(), ()):
                        if sub not in got:
                            got.add(sub)
                            todo.append(sub)
            self._subclasses[c] = got
        return got

    def instances(self, c: str) -> list[str]:
        inv = self.inverse(RDF_TYPE)
        if not self.inverse(RDFS_SUBCLASS):      # the usual data graph: no class hierarchy of its own
            return inv.get(c, _EMPTY)
        classes = self.subclasses(c)
        if len(classes) == 1:
            return inv.get(c, _EMPTY)
        return list(dict.fromkeys(x for k in classes for x in inv.get(k, ())))

    def has_class(self, node: str, c: str) -> bool:
        types = self.objects(node, RDF_TYPE)
        if not types:
            return False
        if c in types:
            return True
        if not self.inverse(RDFS_SUBCLASS):
            return False
        classes = self.subclasses(c)
        return len(classes) > 1 and any(t in classes for t in types)

    def triples(self) -> Iterator[tuple[str, str, str]]:
        for s, d in self.spo.items():
            for p, os_ in d.items():
                for o in os_:
                    yield s, p, o


# ---- paths ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Path_:
    kind: str            # "pred", "inverse", "alt", "seq", "zeroOrMore", "oneOrMore", "zeroOrOne"
    pred: str = ""
    parts: tuple["Path_", ...] = ()

    def render(self) -> str:
        if self.kind == "pred":
            return self.pred
        if self.kind == "inverse":
            return "^" + self.parts[0].render()
        if self.kind == "alt":
            return "(" + "|".join(p.render() for p in self.parts) + ")"
        if self.kind == "seq":
            return "(" + "/".join(p.render() for p in self.parts) + ")"
        return self.parts[0].render() + {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}[self.kind]

    def values(self, data: Data, node: str) -> list[str]:
        k = self.kind
        if k == "pred":
            return data.objects(node, self.pred)
        if k == "inverse":
            inner = self.parts[0]
            if inner.kind == "pred":
                return data.subjects(inner.pred, node)
            return [s for s in _all_nodes(data) if node in inner.values(data, s)]
        if k == "alt":
            return list(dict.fromkeys(v for p in self.parts for v in p.values(data, node)))
        if k == "seq":
            cur = [node]
            for p in self.parts:
                cur = list(dict.fromkeys(v for n in cur for v in p.values(data, n)))
            return cur
        inner = self.parts[0]
        if k == "zeroOrOne":
            return list(dict.fromkeys([node] + inner.values(data, node)))
        seen: dict[str, None] = {node: None} if k == "zeroOrMore" else {}
        todo = list(inner.values(data, node))      # a copy: values() may return the index's own list
        while todo:
            n = todo.pop()
            if n not in seen:
                seen[n] = None
                todo.extend(inner.values(data, n))
        return list(seen)


def path_getter(path: Path_) -> Callable[[Data, str], list[str]]:
    """`path.values` specialised for the paths shapes mostly use (a predicate, its inverse, alternatives
    of predicates): no recursion and no copies where the index's own list will do."""
    if path.kind == "pred":
        pred = path.pred

        def objects(data: Data, node: str) -> list[str]:
            d = data.spo.get(node)
            return d.get(pred, _EMPTY) if d else _EMPTY
        return objects
    if path.kind == "inverse" and path.parts[0].kind == "pred":
        inner = path.parts[0].pred
        return lambda data, node: data.inverse(inner).get(node, _EMPTY)
    if path.kind == "alt" and all(p.kind == "pred" for p in path.parts):
        preds = tuple(p.pred for p in path.parts)

        def alternatives(data: Data, node: str) -> list[str]:
            d = data.spo.get(node)
            if not d:
                return _EMPTY
            found = [d[p] for p in preds if p in d]
            if len(found) < 2:
                return found[0] if found else _EMPTY
            return list(dict.fromkeys(v for vs in found for v in vs))
        return alternatives
    return path.values


def _all_nodes(data: Data) -> list[str]:
    nodes = dict.fromkeys(data.spo)
    for _, _, o in data.triples():
        nodes[o] = None
    return list(nodes)


# ---- compiled shapes ----------------------------------------------------------------------------------
