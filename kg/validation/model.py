"""What compiled shapes are made of: `Shape`, `SparqlConstraint`, the native mirrors' `NativeSparql`,
the read-only `Context`, and the `Result` every engine reports."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

from .data import Data, Path_
from .terms import SH

if TYPE_CHECKING:
    from rdflib.term import Node

#: A failure a check reports: (the value at fault or None, the component's local name, e.g. "MinCount").
Fail = tuple[str | None, str]
Emit = list[Fail]
#: A per-value component's verdict on one value: ok(data, value).
ValueOk = Callable[[Data, str], bool]
#: check.run(data, focus node, values at the path, failures): appends one `Fail` per failure.
CheckRun = Callable[[Data, str, list[str], Emit], None]
#: The quick check: quick(data, focus node, values) is True when the values surely conform.
QuickCheck = Callable[[Data, str, list[str]], bool]
#: A compiled property path: getter(data, node) gives the values (`data.path_getter`).
PathGetter = Callable[[Data, str], list[str]]


@dataclass(frozen=True)
class Check:
    """One compiled constraint component. What the quick check (`checks.quick_check`) may use instead of
    `run` is carried beside it: `ok` for components that judge each value on its own (`local`: from the
    value alone, so a verdict may be remembered), `count` for cardinality bounds; `on_empty`: the check can
    fail when the path has no values, so it runs even then."""

    run: CheckRun
    ok: ValueOk | None = None
    local: bool = False
    count: tuple[int | None, int | None] | None = None
    on_empty: bool = False


#: What the evaluation loop needs per property shape (`ShapesGraph._plan`): the predicate of a plain-predicate
#: leaf, else the getter of another leaf, else neither; the quick check's bounds and function; the shape.
PlanStep = tuple["str | None", "PathGetter | None", int, int, "QuickCheck | None", "Shape"]


@dataclass(frozen=True)
class Result:
    """One SHACL validation result, plus the graph and PMID it belongs to."""

    focus: str
    path: str | None
    value: str | None
    shape: str
    component: str
    severity: str
    message: str
    graph: str | None = None
    pmid: str | None = None

    def key(self) -> tuple[str, str | None, str | None, str, str, str, str]:
        """What pySHACL and this engine must agree on (tests/test_shapes_equivalence.py)."""
        return (self.focus, self.path, self.value, self.shape, self.component, self.severity, self.message)


@dataclass
class Shape:
    node: Node                         # rdflib node of the shape (identity)
    name: str                          # N-Triples form for reports
    path: Path_ | None = None
    targets_class: list[str] = field(default_factory=list)
    targets_node: list[str] = field(default_factory=list)
    targets_subjects_of: list[str] = field(default_factory=list)
    targets_objects_of: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    properties: list["Shape"] = field(default_factory=list)
    sparql: list["SparqlConstraint"] = field(default_factory=list)
    severity: str = "Violation"
    message: str | None = None
    deactivated: bool = False
    path_text: str | None = None
    empty_checks: list[Check] = field(default_factory=list)   # the checks that can fail with no values
    inline_pred: str | None = None     # set when the shape is a plain-predicate property shape (fast path)
    leaf: bool = False                 # a property shape with no nested shapes of its own (fast path)
    getter: PathGetter | None = None                                     # compiled `path.values`
    # the quick check (`quick_check`): value counts within [lo, hi] and quick(values) mean "conforms"
    lo: int = 0
    hi: int = sys.maxsize
    quick: QuickCheck | None = None
    plan: list[PlanStep] | None = None   # per property shape, what the evaluation loop needs (`_plan`)
    single_class: str | None = None    # the class, when instances of one class are all the targets

    @property
    def has_targets(self) -> bool:
        return bool(self.targets_class or self.targets_node or self.targets_subjects_of or self.targets_objects_of)


@dataclass
class SparqlConstraint:
    shape: Shape
    node: Node
    query: str
    predicates: frozenset[str] | None   # predicates the query can match; None: any
    severity: str
    message: str | None
    native: "NativeSparql | None" = None   # the same query answered in Python, when one is registered

    def result(self, focus: str, value: str | None, path: str | None = None) -> Result:
        """The validation result of one solution (focus, ?value, ?path) of the query."""
        return Result(focus, path, value, self.shape.name, SH + "SPARQLConstraintComponent", self.severity,
                      self.message or "SPARQL constraint")


@dataclass(frozen=True)
class NativeSparql:
    """A Python function that gives, for one data graph and focus node, the ?value of every solution of
    the SPARQL constraint of shape `shape` (an IRI), or None when it cannot be sure (an unusual term), so the
    query itself must run. It replaces loading each batch into a SPARQL store.

    `digest`: `query_digest` of the query it mirrors, read from the shapes file; any other query text for
    that shape (an edited .ttl) and the mirror stands aside. `context_predicates`: predicates it also reads
    from the context; any other predicate it reads must not occur in the context (the store would join
    it), otherwise the query runs."""

    shape: str
    digest: str
    run: Callable[["Data", str, "Data"], list[str] | None]
    context_predicates: frozenset[str] = frozenset()

    def matches(self, shape: str, select: str, prefixes: dict[str, str]) -> bool:
        return shape == f"<{self.shape}>" and query_digest(select, prefixes) == self.digest


def query_digest(select: str, prefixes: dict[str, str]) -> str:
    """A short fingerprint of a SPARQL constraint: its whitespace-normalised text and the prefixes it uses."""
    import hashlib
    used = sorted((k, v) for k, v in prefixes.items() if re.search(rf"(?<![\w:]){re.escape(k)}:", select))
    text = " ".join(select.split()) + "\n" + "\n".join(f"{k} {v}" for k, v in used)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Context:
    """Read-only triples that SPARQL constraints see beside each data graph (for kg: the MeSH vocabulary's
    allowable qualifiers), indexed once rather than per batch."""

    def __init__(self, triples: Iterable[tuple[str, str, str]] = ()) -> None:
        self.triples = list(triples)
        self.data = Data(self.triples)
        self.predicates = frozenset(p for _, p, _ in self.triples)
