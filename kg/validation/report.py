"""Validation results grouped into the report `kg validate` prints (text, JSON or a SHACL report in Turtle),
whichever engine produced them."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TypedDict

from .model import Result
from .terms import SH


class Example(TypedDict):
    """One result of a group, shortened for display."""

    focus: str
    path: str | None
    value: str | None


class Group(TypedDict):
    """Results of one (severity, shape, message), as `kg validate --format json` prints them."""

    severity: str
    shape: str
    message: str
    count: int
    pmids: list[str]
    examples: list[Example]


@dataclass
class Report:
    """Results grouped by (shape, message, severity), with counts and PMIDs."""

    results: list[Result]
    graphs: int = 0

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    def counts(self) -> Counter[str]:
        return Counter(r.severity for r in self.results)

    def groups(self) -> list[Group]:
        by: dict[tuple[str, str, str], list[Result]] = defaultdict(list)
        for r in self.results:
            by[(r.severity, r.shape, r.message)].append(r)
        order = {"Violation": 0, "Warning": 1, "Info": 2}
        out: list[Group] = []
        for (sev, shape, msg), rs in sorted(by.items(), key=lambda kv: (order.get(kv[0][0], 3), -len(kv[1]), kv[0][1])):
            pmids = sorted({r.pmid for r in rs if r.pmid}, key=lambda p: int(p))
            out.append({"severity": sev, "shape": _short(shape), "message": msg, "count": len(rs), "pmids": pmids,
                        "examples": [{"focus": _short(r.focus), "path": r.path and _short(r.path),
                                      "value": r.value} for r in rs[:3]]})
        return out

    def text(self, *, max_pmids: int = 20) -> str:
        c = self.counts()
        lines = [f"{self.graphs} graphs checked: {c['Violation']} violations, {c['Warning']} warnings, "
                 f"{c['Info']} info" + (" - conforms" if self.conforms else " - DOES NOT CONFORM")]
        for g in self.groups():
            pm = g["pmids"]
            more = f" (+{len(pm) - max_pmids} more)" if len(pm) > max_pmids else ""
            lines.append(f"\n{g['severity']}  {g['count']}x  {g['shape']}\n  {g['message']}")
            if pm:
                lines.append("  PMIDs: " + ", ".join(pm[:max_pmids]) + more)
            ex = g["examples"][0]
            lines.append(f"  e.g. {ex['focus']}" + (f" {ex['path']}" if ex["path"] else "")
                         + (f" = {ex['value']}" if ex["value"] else ""))
        return "\n".join(lines) + "\n"

    def json(self) -> str:
        c = self.counts()
        return json.dumps({"conforms": self.conforms, "graphs": self.graphs, "violations": c["Violation"],
                           "warnings": c["Warning"], "infos": c["Info"], "groups": self.groups()}, indent=2,
                          ensure_ascii=False) + "\n"

    def turtle(self) -> str:
        """A standard SHACL validation report (sh:ValidationReport), with kg:pmid on each result."""
        import pyoxigraph as ox
        from ..vocab import KG, PREFIXES
        lines = ["_:report a <http://www.w3.org/ns/shacl#ValidationReport> ; "
                 f"<{SH}conforms> {'true' if self.conforms else 'false'} ."]
        for i, r in enumerate(self.results):
            b = f"_:r{i}"
            lines.append(f"_:report <{SH}result> {b} .")
            lines.append(f"{b} a <{SH}ValidationResult> ; <{SH}focusNode> {r.focus} ; "
                         f"<{SH}sourceShape> {r.shape} ; <{SH}sourceConstraintComponent> <{r.component}> ; "
                         f"<{SH}resultSeverity> <{SH}{r.severity}> ; <{SH}resultMessage> {json.dumps(r.message)} .")
            if r.value:
                lines.append(f"{b} <{SH}value> {r.value} .")
            if r.path and r.path.startswith("<") and r.path.endswith(">") and " " not in r.path and "|" not in r.path:
                lines.append(f"{b} <{SH}resultPath> {r.path} .")
            if r.pmid:
                lines.append(f'{b} <{KG.pmid}> "{r.pmid}" .')
        triples = ox.parse("\n".join(lines).encode("utf-8"), format=ox.RdfFormat.TURTLE)
        text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={**PREFIXES, "kgsh": SHAPES_NS})
        assert text is not None               # no output file given: serialize returns the bytes
        return text.decode()


SHAPES_NS = "https://w3id.org/oncokg/shapes/"
_SHORT = {"https://w3id.org/oncokg/shapes/": "kgsh:", "https://w3id.org/oncokg/vocab/": "kg:",
          "https://w3id.org/oncokg/id/": "kgid:", "http://rdf.ncbi.nlm.nih.gov/pubmed/": "pubmed:"}


def _short(term: str) -> str:
    for base, pre in _SHORT.items():
        term = term.replace("<" + base, pre)
    return term.replace(">", "") if "kg" in term[:6] or term.startswith("pubmed:") else term



def problem(r: Result) -> str:
    """One result as the one-line problem `kg ingest` reports for a rejected article."""
    where = _short(r.focus) + (f" {_short(r.path)}" if r.path else "")
    return f"{r.message} [{_short(r.shape)} at {where}" + (f" = {r.value}" if r.value else "") + "]"
