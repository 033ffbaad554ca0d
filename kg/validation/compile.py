"""A shapes graph compiled into Python closures (`ShapesGraph`): `validate(data)` gives the results pySHACL
would give, for the subset in `SUPPORTED`; shapes using anything else are refused (`ShapesError`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable, Sequence

from ..errors import ShapesError
from .checks import (_class_check, _count_check, _datatype_check, _has_value_check, _in_check, _length_check,
                     _logic_check, _node_check, _nodekind_check, _not_check, _pair_check, _pattern_check,
                     _range_check, quick_check)
from .data import _EMPTY, Data, Path_, path_getter
from .model import Context, Emit, NativeSparql, PlanStep, Result, Shape, SparqlConstraint
from .terms import _IGNORED, RDF_TYPE, RDFS_SUBCLASS, SH, SUPPORTED, nt_term

if TYPE_CHECKING:
    from rdflib import Graph, URIRef
    from rdflib.term import Node


class ShapesGraph:
    """A compiled shapes graph: `validate(data)` gives the results pySHACL would give."""

    def __init__(self, graph: Graph, native: Iterable[NativeSparql] = ()) -> None:
        """`native`: Python answers to known SPARQL constraints (see `NativeSparql`)."""
        self.graph = graph
        self.native = list(native)
        self._cache: dict[Node, Shape] = {}
        self.shapes: list[Shape] = []
        self._compile()
        self.sparql = [c for s in self._cache.values() for c in s.sparql]
        self.predicates = self._predicates()
        self.inverse_predicates = self._inverse_predicates()
        self.sparql_predicates = _union([c.predicates for c in self.sparql]) if self.sparql else None

    def _predicates(self) -> frozenset[str] | None:
        """Every predicate a shape can read (paths anywhere, targets, pair constraints, SPARQL), so data
        indexes can skip the rest; None when some path needs every triple."""
        from rdflib import URIRef
        g = self.graph
        found = {RDF_TYPE, RDFS_SUBCLASS}

        def walk(path: Path_) -> bool:
            if path.kind == "pred":
                found.add(path.pred)
                return True
            if path.kind == "inverse" and path.parts[0].kind != "pred":
                return False
            return all(walk(p) for p in path.parts)
        for node in set(g.objects(None, URIRef(SH + "path"))):
            if not walk(self._path(node)):
                return None
        for name in ("targetSubjectsOf", "targetObjectsOf", "equals", "disjoint", "lessThan", "lessThanOrEquals"):
            found.update(nt_term(o) for o in g.objects(None, URIRef(SH + name)))
        for c in self.sparql:
            if c.predicates is None:
                return None
            found.update(c.predicates)
        return frozenset(found)

    def _inverse_predicates(self) -> frozenset[str]:
        """The predicates evaluation looks up from the object side (classes, inverse paths, objects-of
        targets): `Data.from_nquads` indexes them while parsing."""
        from rdflib import URIRef
        g = self.graph
        found = {RDF_TYPE, RDFS_SUBCLASS}

        def walk(path: Path_) -> None:
            if path.kind == "inverse" and path.parts[0].kind == "pred":
                found.add(path.parts[0].pred)
            for part in path.parts:
                walk(part)
        for node in set(g.objects(None, URIRef(SH + "path"))):
            walk(self._path(node))
        found.update(nt_term(o) for o in g.objects(None, URIRef(SH + "targetObjectsOf")))
        return frozenset(found)

    # -- compilation --------------------------------------------------------------------------------
    def _compile(self) -> None:
        from rdflib import RDF, RDFS, URIRef
        g = self.graph
        sh = _sh
        roots: dict[Node, None] = {}
        for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf"):
            for s in g.subjects(sh(p), None):
                roots[s] = None
        for s in g.subjects(RDF.type, sh("NodeShape")):
            if (s, RDF.type, RDFS.Class) in g or (s, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in g:
                roots[s] = None
        for s in g.subjects(RDF.type, sh("PropertyShape")):
            if any(g.value(s, sh(t)) is not None for t in ("targetClass", "targetNode", "targetSubjectsOf",
                                                            "targetObjectsOf")):
                roots[s] = None
        self.shapes = [self.shape(s) for s in roots]
        self.targeted = [s for s in self.shapes if s.has_targets and not s.deactivated]

    def shape(self, node: Node) -> Shape:
        got = self._cache.get(node)
        if got is not None:
            return got
        from rdflib import RDF, RDFS, URIRef, Literal
        g = self.graph
        sh = _sh
        shp = Shape(node=node, name=nt_term(node))
        self._cache[node] = shp
        path = g.value(node, sh("path"))
        if path is not None:
            shp.path = self._path(path)
            shp.path_text = shp.path.render()
        shp.targets_class = [nt_term(t) for t in g.objects(node, sh("targetClass"))]
        if (node, RDF.type, RDFS.Class) in g or (node, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in g:
            shp.targets_class.append(nt_term(node))
        shp.targets_node = [nt_term(t) for t in g.objects(node, sh("targetNode"))]
        shp.targets_subjects_of = [nt_term(t) for t in g.objects(node, sh("targetSubjectsOf"))]
        shp.targets_objects_of = [nt_term(t) for t in g.objects(node, sh("targetObjectsOf"))]
        if len(shp.targets_class) == 1 and not (shp.targets_node or shp.targets_subjects_of
                                                or shp.targets_objects_of):
            shp.single_class = shp.targets_class[0]
        sev = g.value(node, sh("severity"))
        shp.severity = str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation"
        msgs = sorted(g.objects(node, sh("message")), key=str)
        shp.message = str(msgs[0]) if msgs else None
        shp.deactivated = bool(g.value(node, sh("deactivated")) == Literal(True))
        used = {str(p)[len(SH):] for p in g.predicates(node, None) if str(p).startswith(SH)}
        unknown = used - SUPPORTED - _IGNORED - {"qualifiedMinCount", "qualifiedMaxCount"} - {"languageIn", "uniqueLang"}
        if unknown or used & {"qualifiedValueShape", "closed", "languageIn", "uniqueLang"}:
            bad = sorted(unknown | (used & {"qualifiedValueShape", "closed", "languageIn", "uniqueLang"}))
            raise ShapesError(f"shape {nt_term(node)} uses SHACL features the fast validator does not implement: "
                              + ", ".join("sh:" + b for b in bad))
        for prop in g.objects(node, sh("property")):
            shp.properties.append(self.shape(prop))
        self._checks(shp, used)
        for c in g.objects(node, sh("sparql")):
            if g.value(c, sh("deactivated")) == Literal(True):
                continue
            shp.sparql.append(self._sparql(shp, c))
        shp.empty_checks = [c for c in shp.checks if c.on_empty]
        shp.lo, shp.hi, shp.quick = quick_check(shp)
        if shp.path is not None:
            shp.getter = path_getter(shp.path)
            shp.leaf = not shp.properties and not shp.sparql and not shp.deactivated
            if shp.leaf and shp.path.kind == "pred":
                shp.inline_pred = shp.path.pred
        return shp

    def _path(self, node: Node) -> Path_:
        from rdflib import URIRef
        from rdflib.collection import Collection
        g = self.graph
        sh = _sh
        if isinstance(node, URIRef):
            return Path_("pred", nt_term(node))
        if (node, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#first"), None) in g:
            return Path_("seq", parts=tuple(self._path(x) for x in Collection(g, node)))
        for kind in ("inversePath", "zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
            inner = g.value(node, sh(kind))
            if inner is not None:
                name = {"inversePath": "inverse"}.get(kind, kind[:-4])
                return Path_(name, parts=(self._path(inner),))
        alt = g.value(node, sh("alternativePath"))
        if alt is not None:
            return Path_("alt", parts=tuple(self._path(x) for x in Collection(g, alt)))
        raise ShapesError(f"unsupported property path {node!r}")

    def _list(self, node: Node) -> list[Node]:
        from rdflib.collection import Collection
        return list(Collection(self.graph, node))

    def _checks(self, shp: Shape, used: set[str]) -> None:
        g = self.graph
        node = shp.node
        sh = _sh
        add = shp.checks.append
        for c in g.objects(node, sh("class")):
            add(_class_check(nt_term(c)))
        for d in g.objects(node, sh("datatype")):
            add(_datatype_check(str(d)))
        for k in g.objects(node, sh("nodeKind")):
            add(_nodekind_check(str(k)[len(SH):]))
        for v in g.objects(node, sh("minCount")):
            add(_count_check(int(str(v)), None))
        for v in g.objects(node, sh("maxCount")):
            add(_count_check(None, int(str(v))))
        for name, op in (("minInclusive", "ge"), ("maxInclusive", "le"), ("minExclusive", "gt"),
                         ("maxExclusive", "lt")):
            for v in g.objects(node, sh(name)):
                add(_range_check(name, op, nt_term(v)))
        for v in g.objects(node, sh("minLength")):
            add(_length_check("MinLength", int(str(v)), None))
        for v in g.objects(node, sh("maxLength")):
            add(_length_check("MaxLength", None, int(str(v))))
        for v in g.objects(node, sh("pattern")):
            flags = g.value(node, sh("flags"))
            add(_pattern_check(str(v), str(flags) if flags is not None else ""))
        for v in g.objects(node, sh("in")):
            add(_in_check(frozenset(nt_term(x) for x in self._list(v))))
        for v in g.objects(node, sh("hasValue")):
            add(_has_value_check(nt_term(v)))
        for v in g.objects(node, sh("node")):
            add(_node_check(self, v))
        for v in g.objects(node, sh("not")):
            add(_not_check(self, v))
        for v in g.objects(node, sh("and")):
            add(_logic_check(self, "And", self._list(v)))
        for v in g.objects(node, sh("or")):
            add(_logic_check(self, "Or", self._list(v)))
        for v in g.objects(node, sh("xone")):
            add(_logic_check(self, "Xone", self._list(v)))
        for name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for v in g.objects(node, sh(name)):
                add(_pair_check(name, nt_term(v)))

    def _sparql(self, shp: Shape, c: Node) -> SparqlConstraint:
        g = self.graph
        sh = _sh
        select = g.value(c, sh("select"))
        if select is None:
            raise ShapesError(f"SPARQL constraint of {shp.name} has no sh:select")
        prefixes: dict[str, str] = {}
        for pnode in g.objects(c, sh("prefixes")):
            for decl in g.objects(pnode, sh("declare")):
                prefixes[str(g.value(decl, sh("prefix")))] = str(g.value(decl, sh("namespace")))
        head = "".join(f"PREFIX {k}: <{v}>\n" for k, v in sorted(prefixes.items()))
        query = head + str(select)
        sev = g.value(shp.node, sh("severity"))   # severity belongs to the shape, never to the constraint node
        msgs = sorted(g.objects(c, sh("message")), key=str) or sorted(g.objects(shp.node, sh("message")), key=str)
        native = next((n for n in self.native if n.matches(shp.name, str(select), prefixes)), None)
        return SparqlConstraint(shape=shp, node=c, query=query, predicates=_query_predicates(str(select), prefixes),
                                severity=str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation",
                                message=str(msgs[0]) if msgs else None, native=native)

    def sparql_native(self, data: Data, context: Context) -> tuple[list[Result], list[tuple[int, str]]]:
        """The SPARQL constraints on one data graph that Python can answer, and the (constraint index,
        focus node) pairs it cannot: those need the query itself (`kg.validation.api` runs it per batch)."""
        results: list[Result] = []
        deferred: list[tuple[int, str]] = []
        for i, c in enumerate(self.sparql):
            if c.shape.deactivated:
                continue
            foci = self.focus_nodes(c.shape, data)
            if not foci:
                continue
            native = c.native
            extra = context.predicates - native.context_predicates if native is not None else frozenset()
            if native is None or (extra and (c.predicates is None or not extra.isdisjoint(c.predicates))):
                deferred.extend((i, f) for f in foci)
                continue
            for f in foci:
                values = native.run(data, f, context.data)
                if values is None:
                    deferred.append((i, f))
                else:
                    results.extend(c.result(f, v) for v in values)
        return results, deferred

    # -- evaluation ---------------------------------------------------------------------------------
    def focus_nodes(self, shp: Shape, data: Data) -> list[str]:
        """The shape's focus nodes, each once. Usually one target yields them all (a class's instances):
        then that list itself, not a merged copy."""
        if shp.single_class is not None:
            return data.instances(shp.single_class)
        found = [data.instances(c) for c in shp.targets_class]
        found.extend([n] for n in shp.targets_node)
        found.extend(data.subjects_of(p) for p in shp.targets_subjects_of)
        found.extend(data.objects_of(p) for p in shp.targets_objects_of)
        found = [f for f in found if f]
        if len(found) < 2:
            return found[0] if found else _EMPTY
        return list(dict.fromkeys(n for f in found for n in f))

    def evaluate(self, shp: Shape, data: Data, focus: str, out: list[Result] | None) -> bool:
        """Check one focus node; append results to `out` (None: stop at the first failure). True if it conforms."""
        if shp.deactivated:
            return True
        path = shp.path
        getter = shp.getter                   # set exactly when the shape has a path
        values = [focus] if getter is None else getter(data, focus)
        n = len(values)
        ok = (shp.lo <= n <= shp.hi and (shp.quick is None or shp.quick(data, focus, values))) \
            or self._run_checks(shp, data, focus, values, out)
        if not ok and out is None:
            return False
        if shp.properties:
            plan = shp.plan if shp.plan is not None else self._plan(shp)
            spo = data.spo
            for v in ([focus] if path is None else values):
                d = spo.get(v)
                for pred, getter, lo, hi, quick, prop in plan:
                    # the common case, inlined: a property shape without shapes of its own, that conforms
                    if pred is not None:
                        vals = d.get(pred, _EMPTY) if d else _EMPTY
                    elif getter is not None:
                        vals = getter(data, v)
                    else:
                        if not self.evaluate(prop, data, v, out):
                            ok = False
                            if out is None:
                                return False
                        continue
                    n = len(vals)
                    if lo <= n <= hi and (quick is None or quick(data, v, vals)):
                        continue
                    if not self._run_checks(prop, data, v, vals, out):
                        ok = False
                        if out is None:
                            return False
        if shp.sparql and out is None:
            # nested SPARQL constraints (inside sh:node / sh:or) would need the batch store: refused
            raise ShapesError(f"{shp.name}: SPARQL constraints are supported on targeted shapes only")
        return ok

    @staticmethod
    def _plan(shp: Shape) -> list[PlanStep]:
        """(predicate, getter, lo, hi, quick, shape) per property shape: the predicate of a plain-predicate
        leaf, else the getter of another leaf, else neither (evaluated in full). Built on first use, when
        every property shape is compiled."""
        shp.plan = [(p.inline_pred, p.getter if p.leaf else None, p.lo, p.hi, p.quick, p) for p in shp.properties]
        return shp.plan

    def _run_checks(self, shp: Shape, data: Data, focus: str, values: list[str], out: list[Result] | None) -> bool:
        """The shape's own constraints (not its property shapes), one by one in order, reporting each
        failure; True if none fails. Only run when the quick check cannot say the values conform."""
        checks = shp.checks if values else shp.empty_checks
        fails: Emit = []
        for check in checks:
            check.run(data, focus, values, fails)
            if fails and out is None:
                return False
        if not fails:
            return True
        assert out is not None                # with no output list the first failure returned above
        self._report(shp, focus, fails, out)
        return False

    @staticmethod
    def _report(shp: Shape, focus: str, fails: Emit, out: list[Result]) -> None:
        for value, comp in fails:
            out.append(Result(focus, shp.path_text, value, shp.name, SH + comp + "ConstraintComponent",
                              shp.severity, shp.message or comp))

    def validate(self, data: Data, *, graph: str | None = None) -> list[Result]:
        out: list[Result] = []
        for shp in self.targeted:
            for f in self.focus_nodes(shp, data):
                self.evaluate(shp, data, f, out)
        return out


def _sh(name: str) -> URIRef:
    """The IRI of a term of the SHACL vocabulary."""
    from rdflib import URIRef
    return URIRef(SH + name)


def _union(sets: Sequence[frozenset[str] | None]) -> frozenset[str] | None:
    """The union of the sets, None (any) when one of them is None."""
    found: list[frozenset[str]] = []
    for x in sets:
        if x is None:
            return None
        found.append(x)
    return frozenset[str]().union(*found)


def _query_predicates(select: str, prefixes: dict[str, str]) -> frozenset[str] | None:
    """The constant predicates a SPARQL constraint mentions, so a batch store need only hold those.
    None (load everything) when the query may use a variable predicate or a negated property set."""
    body = re.sub(r'"[^"]*"', '""', select)
    body = body[body.find("{"):]                       # the patterns, not the SELECT clause
    if re.search(r"[?$]\w+\s+[?$]\w+\s+\S", body) or "!" in re.sub(r"!=|!BOUND|!\(", "", body):
        return None
    found = {m for m in re.findall(r"<[^>\s]+>", body)}
    for pre, local in re.findall(r"\b([A-Za-z][\w-]*):([A-Za-z_][\w-]*)", body):
        if pre in prefixes:
            found.add(f"<{prefixes[pre]}{local}>")
    if re.search(r"(?<![\w:?$])a(?![\w:])|rdf:type", body):
        found.add(RDF_TYPE)
    return frozenset(found)

