"""Shapes and ontology as data; the fast SHACL engine against the W3C core test suite; `kg validate`;
validation inside `kg ingest`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import validation as S
from kg.resources import data_dir
from shacl_paths import path_text

ROOT = Path(__file__).resolve().parent.parent


# ---- shapes and ontology parse; terms are declared ------------------------------------------------------
@pytest.mark.parametrize("folder", ["shapes", "ontology"])
def test_every_turtle_file_parses(folder):
    import rdflib
    files = sorted(data_dir(folder).glob("*.ttl"))
    assert files
    for f in files:
        assert len(rdflib.Graph().parse(f, format="turtle")) > 0, f


def test_every_shapes_file_loads_by_name_and_compiles():
    names = S.shape_names()
    assert set(S.CORE_SHAPES + S.MESH_VOCABULARY_SHAPES) == set(names)
    sg = S.ShapesGraph(S.load_shapes_graph(names))
    assert len(sg.shapes) >= 15 and len(sg.sparql) == 3
    with pytest.raises(S.ShapesError, match="no shapes file"):
        S.load_shapes_graph(["no-such-shapes"])


def _declared_kg_terms() -> set[str]:
    import rdflib
    g = rdflib.Graph().parse(data_dir("ontology") / "kg.ttl", format="turtle")
    base = "https://w3id.org/oncokg/vocab/"
    return {str(s)[len(base):] for s in g.subjects() if str(s).startswith(base) and str(s) != base}


def _kg_terms_in_code() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path in sorted((ROOT / "kg").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for name in re.findall(r"(?<!`)\bKG\.([A-Za-z_][A-Za-z0-9_]*)", text):   # not ``doc`` examples
            if name not in ("term", "terms", "base"):
                used.setdefault(name, set()).add(str(path.relative_to(ROOT)))
        for name in re.findall(r"\bKG(?:\.term\(|\[)\"([A-Za-z]+)\"", text):
            used.setdefault(name, set()).add(str(path.relative_to(ROOT)))
        for name in re.findall(r"\bK\[\"([A-Za-z]+)\"\]", text):
            used.setdefault(name, set()).add(str(path.relative_to(ROOT)))
        for name in re.findall(r"https://w3id\.org/oncokg/vocab/([A-Za-z][A-Za-z0-9]*)", text):
            used.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return used


def _kg_terms_in_data(folder: str, suffix: str) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path in sorted(data_dir(folder).glob(f"*{suffix}")):
        text = re.sub(r"#[^\n<>\"]*\n", "\n", path.read_text(encoding="utf-8"))   # drop comments
        for name in re.findall(r"(?<![\w:])kg:([A-Za-z][A-Za-z0-9]*)", text):
            used.setdefault(name, set()).add(path.name)
        for name in re.findall(r"https://w3id\.org/oncokg/vocab/([A-Za-z][A-Za-z0-9]*)", text):
            used.setdefault(name, set()).add(path.name)
    return used


@pytest.mark.parametrize("where", ["code", "shapes", "queries"])
def test_every_kg_term_used_is_declared_in_the_ontology(where):
    declared = _declared_kg_terms()
    used = {"code": _kg_terms_in_code, "shapes": lambda: _kg_terms_in_data("shapes", ".ttl"),
            "queries": lambda: _kg_terms_in_data("queries", ".rq")}[where]()
    assert used, f"no kg: terms found in {where}: the scan is broken"
    missing = {t: sorted(files) for t, files in used.items() if t not in declared}
    assert not missing, f"kg: terms used in {where} but not declared in ontology/kg.ttl: {missing}"


def test_external_terms_in_shapes_belong_to_declared_vocabularies():
    """Shapes may only name terms of the vocabularies kg emits (closed lists in kg/vocab.py) or of the open
    vocabularies listed here (Biolink, MeSH vocabulary, SHACL, XSD, OWL)."""
    import rdflib
    from kg.vocab import BIOLINK, CLOSED_EXTERNAL, KG, MESHV, OWL, SH, XSD
    g = S.load_shapes_graph(S.shape_names())
    open_ns = [str(BIOLINK), str(MESHV), str(SH), str(XSD), str(OWL), "https://w3id.org/oncokg/shapes/",
               str(KG)]
    closed = {str(ns): ns.terms for ns in CLOSED_EXTERNAL}
    bad = []
    for t in {x for triple in g for x in triple if isinstance(x, rdflib.URIRef)}:
        iri = str(t)
        if any(iri.startswith(ns) for ns in open_ns):
            continue
        ns = max((n for n in closed if iri.startswith(n)), key=len, default=None)
        if ns is None:
            bad.append(iri)
        elif iri[len(ns):] not in closed[ns]:
            bad.append(iri)
    assert not bad, f"shapes use terms outside the declared vocabularies: {sorted(bad)}"


def test_shapes_conform_to_shacl_for_shacl():
    import pyshacl
    import rdflib
    shsh = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"
    meta = rdflib.Graph().parse(shsh, format="turtle")
    conforms, _, text = pyshacl.validate(S.load_shapes_graph(S.shape_names()), shacl_graph=meta)
    assert conforms, text


# ---- W3C SHACL core test suite, for the features the fast engine implements --------------------------------
SUITE = "w3c-shacl-test-suite/data-shapes-test-suite/tests/core"
# Cases left out, each for a feature `kg.validation.SUPPORTED` does not claim (the engine refuses such shapes).
UNSUPPORTED = {
    "node/closed-001", "node/closed-002",                       # sh:closed
    "node/languageIn-001", "property/languageIn-001",           # sh:languageIn
    "property/uniqueLang-001", "property/uniqueLang-002",       # sh:uniqueLang
    "node/qualified-001", "property/qualifiedMinCountDisjoint-001", "property/qualifiedValueShape-001",
    "property/qualifiedValueShapesDisjoint-001",                # sh:qualifiedValueShape
    "complex/personexample", "complex/shacl-shacl",             # sh:closed, sh:qualifiedValueShape
}
EXPECTED_CASES = 86


def _suite_cases() -> list[str]:
    from conftest import find_shared_data
    d = find_shared_data()
    if d is None:
        return []
    import rdflib
    mf = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
    cases = []
    for manifest in sorted((d / SUITE).glob("*/manifest.ttl")):
        g = rdflib.Graph().parse(manifest, format="turtle")
        for inc in g.objects(None, mf.include):
            name = str(inc).rsplit("/", 2)
            cases.append(f"{name[-2]}/{name[-1][:-4]}")
    return sorted(cases)


def _rdflib_norm(term: str | None) -> str | None:
    """The expected reports are read with rdflib, which normalises some literals ("none"^^xsd:boolean)."""
    if term is None or term[0] != '"':
        return term
    import rdflib
    lex, dt, lang = S.literal_parts(term)
    return S.nt_term(rdflib.Literal(lex, lang=lang) if lang else rdflib.Literal(lex, datatype=rdflib.URIRef(dt)))


def _blank(term: str | None) -> str | None:
    return "_:" if term and term.startswith("_:") else term


@pytest.mark.shared
def test_w3c_case_count():
    cases = _suite_cases()
    if not cases:
        pytest.skip("../shared/data is absent")
    supported = [c for c in cases if c not in UNSUPPORTED]
    assert len(cases) == EXPECTED_CASES + len(UNSUPPORTED) and len(supported) == EXPECTED_CASES


@pytest.mark.shared
@pytest.mark.parametrize("case", [c for c in _suite_cases() if c not in UNSUPPORTED] or ["(no shared data)"])
def test_w3c_shacl_core(case, shared_data):
    import rdflib
    mf = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
    sht = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")
    sh = rdflib.Namespace(S.SH)
    path = shared_data / SUITE / f"{case}.ttl"
    base = path.as_uri()
    g = rdflib.Graph().parse(path, format="turtle", publicID=base)
    entry = next(g.subjects(mf.action, None))
    action = g.value(entry, mf.action)

    def load(ref):
        if str(ref) == base:
            return g
        return rdflib.Graph().parse(path.parent / str(ref).rsplit("/", 1)[1], format="turtle",
                                    publicID=str(ref))
    data_g, shapes_g = load(g.value(action, sht.dataGraph)), load(g.value(action, sht.shapesGraph))
    expected_report = g.value(entry, mf.result)
    sg = S.ShapesGraph(shapes_g)
    # the data as written (Oxigraph keeps ill-typed literals as they are; rdflib would normalise some)
    import pyoxigraph as ox
    data_file = path if data_g is g else path.parent / str(g.value(action, sht.dataGraph)).rsplit("/", 1)[1]
    data = S.Data((str(t.subject), str(t.predicate), str(t.object)) for t in
                  ox.parse(path=str(data_file), format=ox.RdfFormat.TURTLE, base_iri=data_file.as_uri()))
    got = sg.validate(data)
    want = set()
    for r in g.objects(expected_report, sh.result):
        v = g.value(r, sh.value)
        want.add((_blank(S.nt_term(g.value(r, sh.focusNode))), path_text(g, g.value(r, sh.resultPath)),
                  _blank(S.nt_term(v)) if v is not None else None,
                  _blank(S.nt_term(g.value(r, sh.sourceShape))), str(g.value(r, sh.sourceConstraintComponent)),
                  str(g.value(r, sh.resultSeverity)).rsplit("#", 1)[1]))
    mine = {(_blank(r.focus), r.path, _blank(_rdflib_norm(r.value)),
             _blank(r.shape), r.component, r.severity) for r in got}
    conforms = g.value(expected_report, sh.conforms)
    assert (not got) == bool(conforms.toPython())
    assert mine == want


# ---- reports and `kg validate` ------------------------------------------------------------------------------
def _store_with(paths):
    from kg.pipeline import ingest
    from kg.stores.oxigraph import OxigraphStore
    st = OxigraphStore()
    ingest(paths, st)
    return st


@pytest.mark.shared
def test_real_records_have_no_violations(shared_data):
    st = _store_with([str(shared_data / "fatcat"), str(shared_data / "tipplerow-pubmed"),
                      str(shared_data / "biopython" / "Entrez"), str(shared_data / "seed")])
    report = S.validate_store(st)
    assert report.graphs > 200
    assert report.conforms, report.text()
    # warnings name the PMIDs, e.g. citations without any author
    groups = {g["shape"]: g for g in report.groups()}
    assert "1669026" in groups["kgsh:Article-creator-missing"]["pmids"]


@pytest.mark.shared
def test_kg_validate_cli_store_and_files(shared_data, tmp_path):
    from kg.cli import main
    from shapes_broken import base_articles, make_graphs
    runner = CliRunner()
    store = tmp_path / "store"
    r = runner.invoke(main, ["ingest", "--store", str(store), str(shared_data / "fatcat")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["validate", "--store", str(store)])
    assert r.exit_code == 0, r.output
    assert "conforms" in r.output and "kgsh:Article-creator-missing" in r.output

    graphs, broken = make_graphs(base_articles(shared_data), 60, broken_fraction=0.05, annotated_fraction=0)
    f = tmp_path / "broken.nq"
    f.write_text("".join(t for _, t in graphs), encoding="utf-8")
    r = runner.invoke(main, ["validate", str(f), "--format", "json"])
    assert r.exit_code == 1
    d = json.loads(r.output)
    assert d["conforms"] is False and d["graphs"] == 60 and d["violations"] > 0
    flagged = {p for g in d["groups"] if g["severity"] == "Violation" for p in g["pmids"]}
    assert flagged == set(broken)
    for g in d["groups"]:
        assert g["count"] >= len(g["pmids"]) and g["message"] and not g["message"].startswith("sh:")

    r = runner.invoke(main, ["validate", str(f), "--format", "ttl"])
    assert r.exit_code == 1
    import rdflib
    rg = rdflib.Graph().parse(data=r.output, format="turtle")
    results = list(rg.subjects(rdflib.RDF.type, rdflib.URIRef(S.SH + "ValidationResult")))
    assert len(results) == sum(g["count"] for g in d["groups"])
    pm = rdflib.URIRef("https://w3id.org/oncokg/vocab/pmid")
    assert {str(o) for o in rg.objects(None, pm)} >= flagged

    r = runner.invoke(main, ["validate", str(f)])
    assert r.exit_code == 1 and "DOES NOT CONFORM" in r.output and "PMIDs:" in r.output
    r = runner.invoke(main, ["validate", "--store", str(tmp_path / "nothing-here")])
    assert r.exit_code == 2 and "no store" in r.output


# ---- validation inside ingest ----------------------------------------------------------------------------------
@pytest.mark.shared
def test_ingest_validator_rejects_broken_articles_whole(shared_data):
    """A graph with a violation is rejected with its reasons and never stored; warnings never reject."""
    from kg.pipeline import ingest
    from kg.stores.oxigraph import OxigraphStore
    xml = shared_data / "fatcat" / "pubmedsample_2019.xml.gz"
    v = S.ingest_validator(workers=1)
    calls = []

    def breaking(graphs):
        # break the first article the way a mapping bug would: a second, different title
        g0, text = graphs[0]
        art = re.search(r"^(<http://rdf\.ncbi\.nlm\.nih\.gov/pubmed/\d+>) ", text, re.M).group(1)
        graphs = [(g0, text + f'{art} <http://purl.org/dc/terms/title> "Another title" <{g0}> .\n')] + graphs[1:]
        calls.append(len(graphs))
        bad = v(graphs)
        return bad
    st = OxigraphStore()
    rejected = []
    summary = ingest([str(xml)], st, validator=breaking, on_reject=rejected.append)
    assert calls and summary.rejected == 1
    assert "exactly one title" in rejected[0].problem and rejected[0].pmid
    assert st.version_of(rejected[0].pmid) is None            # not half-stored: not stored at all
    assert summary.articles == sum(calls) - 1                 # warnings (no authors: 7 here) never reject


@pytest.mark.shared
def test_ingest_validator_parallel_gives_the_same_answer(shared_data):
    from shapes_broken import base_articles
    graphs = [(f"https://w3id.org/oncokg/graph/pubmed/{pm}", "".join(lines)) for pm, lines in base_articles(shared_data)]
    broken = [(g, t.replace("<http://purl.org/spar/fabio/hasPubMedId>", "<http://purl.org/spar/fabio/hasPII>"))
              for g, t in graphs[:2]] + graphs[2:]
    one = S.IngestValidator(workers=1)(broken)
    par = S.IngestValidator(workers=2, parallel_min=1)
    try:
        two = par(broken)
    finally:
        par.close()
    assert one == two and len(one) == 2
    assert all("PMID" in p for probs in one.values() for p in probs)
    assert S.ingest_validator(workers=1)(graphs) == {}         # the real records themselves are valid


# ---- the Python answers to kg's SPARQL constraints -------------------------------------------------------------
ALL_SHAPES = S.CORE_SHAPES + S.MESH_VOCABULARY_SHAPES
_MESH = "http://id.nlm.nih.gov/mesh/"
_KGV = "https://w3id.org/oncokg/vocab/"
_OA = "http://www.w3.org/ns/oa#"
_XSD = "http://www.w3.org/2001/XMLSchema#"


def test_every_sparql_constraint_of_kg_shapes_has_a_python_answer():
    """Editing a query in shapes/ without editing kg.validation.mirrors.NATIVE_SPARQL would quietly bring back the
    per-batch SPARQL store (correct, but slow): this test says so instead."""
    sg = S.compiled(ALL_SHAPES)
    assert len(sg.sparql) == 3 and all(c.native is not None for c in sg.sparql)
    plain = S.ShapesGraph(S.load_shapes_graph(ALL_SHAPES))
    assert all(c.native is None for c in plain.sparql)


def test_a_mirror_follows_its_query_in_the_shapes_file():
    """Mirrors are keyed by shape IRI and pinned to the query's digest: re-indenting a query keeps its
    mirror; changing what it asks makes that mirror (only) stand aside, so the query itself runs."""
    import rdflib
    sh = rdflib.Namespace(S.SH)
    g = S.load_shapes_graph(ALL_SHAPES)
    for c in list(g.objects(None, sh.sparql)):
        g.set((c, sh.select, rdflib.Literal("\n  " + "\n    ".join(str(g.value(c, sh.select)).split("\n")))))
    assert all(c.native is not None for c in S.ShapesGraph(g, native=S.NATIVE_SPARQL).sparql)
    for c in list(g.objects(None, sh.sparql)):
        g.set((c, sh.select, rdflib.Literal(str(g.value(c, sh.select)).replace("STR(?value) !=", "STR(?value) ="))))
    by_shape = {c.shape.name.rsplit("/", 1)[1][:-1]: c.native for c in S.ShapesGraph(g, native=S.NATIVE_SPARQL).sparql}
    assert by_shape["MeshPairs"] is None
    assert by_shape["AllowableQualifier"] is not None and by_shape["TextTarget-offsets"] is not None


def _heading_graph(n: int, descriptor: str, qualifier: str, pair: str) -> tuple[str, str]:
    """An article graph with one heading and one qualifier, for the MeSH pair queries."""
    g = f"https://w3id.org/oncokg/graph/pubmed/{n}"
    art, h = f"<http://rdf.ncbi.nlm.nih.gov/pubmed/{n}>", f"<https://w3id.org/oncokg/id/pubmed/{n}/mesh/1>"
    a = f"<https://w3id.org/oncokg/id/pubmed/{n}/mesh/1/1>"
    t = [(art, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://purl.org/spar/fabio/JournalArticle>"),
         (art, f"<{_KGV}meshHeading>", h), (h, f"<{_KGV}descriptor>", descriptor), (h, f"<{_KGV}qualifier>", a),
         (a, f"<{_KGV}qualifierTerm>", qualifier), (a, f"<{_KGV}pairTerm>", pair)]
    return g, "".join(f"{s} {p} {o} <{g}> .\n" for s, p, o in t)


def _span_graph(n: int, start: str, end: str, exacts: list[str], text: str | None) -> tuple[str, str]:
    """An article graph with one span of text (position and quote selectors), for the offsets query."""
    g = f"https://w3id.org/oncokg/graph/pubmed/{n}"
    base = f"https://w3id.org/oncokg/id/pubmed/{n}/mention/1"
    tgt, pos, passage = f"<{base}/target>", f"<{base}/pos>", f"<https://w3id.org/oncokg/id/pubmed/{n}/passage/1>"
    t = [(tgt, "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{_OA}SpecificResource>"),
         (tgt, f"<{_OA}hasSource>", passage), (tgt, f"<{_OA}hasSelector>", pos),
         (pos, f"<{_OA}start>", start), (pos, f"<{_OA}end>", end)]
    for i, x in enumerate(exacts):
        q = f"<{base}/quote/{i}>"
        t += [(tgt, f"<{_OA}hasSelector>", q), (q, f"<{_OA}exact>", x)]
    if text is not None:
        t.append((passage, f"<{_KGV}text>", text))
    return g, "".join(f"{s} {p} {o} <{g}> .\n" for s, p, o in t)


def _int(v: int | str, dt: str = "nonNegativeInteger") -> str:
    return f'"{v}"^^<{_XSD}{dt}>'


EDGE_GRAPHS = [
    _heading_graph(1, f"<{_MESH}D000001>", f"<{_MESH}Q000235>", f"<{_MESH}D000001Q000235>"),      # right
    _heading_graph(2, f"<{_MESH}D000001>", f"<{_MESH}Q000235>", f"<{_MESH}D000002Q000235>"),      # wrong pair
    _heading_graph(3, f"<{_MESH}D000001>", "<http://example.org/Q1>", f"<{_MESH}D000001>"),        # no /mesh/
    _heading_graph(4, f"<{_MESH}D000001>", f"<{_MESH}Q000235>", f'"{_MESH}D000001Q000235"'),      # literal, equal
    _heading_graph(5, f"<{_MESH}D000001>", f"<{_MESH}Q000235>", "_:pair"),                         # blank node
    _heading_graph(6, "_:d", f"<{_MESH}Q000235>", f"<{_MESH}D000001Q000235>"),
    _heading_graph(7, f"<{_MESH}D000001>", f"<{_MESH}Q000600>", f"<{_MESH}D000001Q000600>"),      # not allowed
    _heading_graph(8, f"<{_MESH}D000009>", f"<{_MESH}Q000600>", f"<{_MESH}D000009Q000600>"),      # no vocabulary
    _span_graph(20, _int(0), _int(5), ['"c-MET"'], '"c-MET promotes liver metastasis."'),          # right
    _span_graph(21, _int(0), _int(7), ['"c-MET"'], '"c-MET promotes liver metastasis."'),          # wrong end
    _span_graph(22, _int(0), _int(5), ['"cMET!"'], '"c-MET promotes liver metastasis."'),          # wrong quote
    _span_graph(23, _int(0), _int(40), [], '"c-MET promotes liver metastasis."'),                  # past the end
    _span_graph(24, _int(0), _int(5), [], None),                                                     # nothing to compare
    _span_graph(25, '"0"', '"5"', ['"c-MET"'], '"c-MET promotes"'),                                 # strings, cast
    _span_graph(26, '"0"', '"6"', ['"c-MET"'], '"c-MET promotes"'),
    _span_graph(27, _int(-1, "integer"), _int(4, "integer"), ['"c-MET"'], '"c-MET promotes"'),     # negative
    _span_graph(28, _int(0), _int(5), ['"c-MET"@en'], '"c-MET promotes"'),                          # language tag
    _span_graph(29, _int(1), _int(3), ['"\\u00E9t"'], '"r\\u00E9t\\u00E9"'),                        # escapes, é
    _span_graph(30, _int(0), _int(5), ['"c-MET"', '"c-MEX"'], '"c-MET promotes"'),                  # two quotes
    _span_graph(31, '"0.0"^^<%sdecimal>' % _XSD, _int(5), ['"c-MET"'], '"c-MET promotes"'),
    _span_graph(32, "<http://example.org/zero>", _int(5), [], '"c-MET"'),
]


def test_python_answers_equal_the_sparql_queries_on_edge_cases():
    """Blank nodes, literals, casts, escapes, language tags, several quotes: the Python answers (or their
    deferral to the query when a term is unusual) give exactly what the queries give."""
    context = [(f"<{_MESH}D000001>", f"<{S.MESHV_ALLOWABLE[1:-1]}>", f"<{_MESH}Q000235>")]
    native = S.validate_graphs(EDGE_GRAPHS, shapes=S.compiled(ALL_SHAPES), context=context)
    plain = S.validate_graphs(EDGE_GRAPHS, shapes=S.ShapesGraph(S.load_shapes_graph(ALL_SHAPES)), context=context)
    sparql = {r for r in plain if r.component.endswith("SPARQLConstraintComponent")}
    assert {r for r in native if r.component.endswith("SPARQLConstraintComponent")} == sparql
    assert set(native) == set(plain)
    got = {(r.pmid, r.shape.rsplit("/", 1)[-1][:-1]) for r in sparql}
    assert got >= {("2", "MeshPairs"), ("7", "AllowableQualifier"), ("21", "TextTarget-offsets"),
                   ("22", "TextTarget-offsets"), ("23", "TextTarget-offsets"), ("26", "TextTarget-offsets")}
    assert not got & {("1", "MeshPairs"), ("4", "MeshPairs"), ("8", "AllowableQualifier"),
                      ("20", "TextTarget-offsets"), ("29", "TextTarget-offsets")}


def test_python_answers_defer_unusual_terms_to_the_query():
    """A term the Python answer cannot judge for certain (a string offset, a language-tagged quote) is
    left to the query; plain ones never are."""
    sg = S.compiled(ALL_SHAPES)
    ctx = S.Context()
    deferred = {}
    for graph, text in EDGE_GRAPHS:
        _, rest = sg.sparql_native(S.Data.from_nquads(graph, text, sg.predicates), ctx)
        deferred[graph.rsplit("/", 1)[1]] = bool(rest)
    assert deferred["25"] and deferred["28"] and deferred["31"]
    assert not any(deferred[n] for n in ("1", "2", "3", "20", "21", "22", "23", "24", "29", "30"))


# ---- the fast paths give what the slow ones give ----------------------------------------------------------------
@pytest.mark.parametrize("keep", [None, "shapes"])
def test_nquads_fast_path_reads_what_oxigraph_reads(keep):
    """kg's own N-Quads are read with string splits; other spacing, a line in another graph or a missing
    final newline must go to a real parser, never be misread."""
    import pyoxigraph as ox
    graph, text = EDGE_GRAPHS[0]
    preds = S.compiled().predicates if keep else None
    variants = [text, text.rstrip("\n"), text.replace("> <", ">  <", 1), text.replace(" <http", "\t<http", 1),
                text.replace(f"<{graph}> .", "<urn:other> .", 1), text.replace('> <http', '>\t<http', 2)]
    for t in variants:
        want = S.Data([(str(q.subject), str(q.predicate), str(q.object))
                       for q in ox.parse(t.encode(), format=ox.RdfFormat.N_QUADS)], preds)
        assert S.Data.from_nquads(graph, t, preds).spo == want.spo, t


def test_remembered_values_never_hide_a_failure_that_depends_on_the_graph():
    """The quick check remembers values that passed value-only checks; a check that looks at the graph
    (here sh:class) must still run: the same heading IRI, typed in one graph and untyped in the next."""
    n = 40
    g = f"https://w3id.org/oncokg/graph/pubmed/{n}"
    art, h = f"<http://rdf.ncbi.nlm.nih.gov/pubmed/{n}>", f"<https://w3id.org/oncokg/id/pubmed/{n}/mesh/1>"
    untyped = (f"{art} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://purl.org/spar/fabio/JournalArticle> <{g}> .\n"
               f"{art} <{_KGV}meshHeading> {h} <{g}> .\n")   # the heading node itself is not typed
    typed = untyped + f"{h} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{_KGV}MeshHeading> <{g}> .\n"
    sg = S.ShapesGraph(S.load_shapes_graph())

    def classes(text):
        return [r for r in S.validate_graphs([(g, text)], shapes=sg) if r.component.endswith("ClassConstraintComponent")]
    assert not classes(typed) and classes(untyped) and not classes(typed) and classes(untyped)


@pytest.mark.parametrize("keep", [None, "shapes"])
def test_nquads_fast_path_refuses_a_line_without_subject(keep):
    graph = "https://w3id.org/oncokg/graph/pubmed/1"
    text = f' <http://purl.org/dc/terms/title> "x" <{graph}> .\n'
    with pytest.raises(SyntaxError):
        S.Data.from_nquads(graph, text, S.compiled().predicates if keep else None)


def test_python_answers_see_each_graph_alone():
    """As pySHACL on a Dataset: a query sees one named graph (plus the context), never its batch. Here
    the heading's qualifier with a wrong pair is in another graph than the article pointing to the heading,
    so neither graph has the whole pattern (a store holding the batch's union found it)."""
    g1, text = _heading_graph(50, f"<{_MESH}D000001>", f"<{_MESH}Q000235>", f"<{_MESH}D000002Q000235>")
    lines = text.splitlines(keepends=True)
    g2 = "https://w3id.org/oncokg/graph/pmc/50"
    first = "".join(lines[:3])
    rest = "".join(ln.replace(f"<{g1}>", f"<{g2}>") for ln in lines[3:])
    assert [r for r in S.validate_graphs([(g1, text)]) if r.shape.endswith("MeshPairs>")]
    split = S.validate_graphs([(g1, first), (g2, rest)])
    assert not [r for r in split if r.shape.endswith("MeshPairs>")]


def test_inverse_indexes_built_while_parsing_equal_the_lazy_ones():
    """rdf:type and inverse-path predicates are indexed object -> subjects during the parse; the index must
    be the one a pass over the graph gives, repeated triples and scattered subjects included."""
    sg = S.compiled()
    graph, text = EDGE_GRAPHS[0]
    lines = text.splitlines(keepends=True)
    text = "".join(lines + lines[:2] + lines[3:] + lines[1:2])        # repeats, and subjects out of order
    parsed = S.Data.from_nquads(graph, text, sg.predicates, sg.inverse_predicates)
    lazy = S.Data.from_nquads(graph, text, sg.predicates)
    assert sg.inverse_predicates >= {"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{_KGV}meshHeading>"}
    for p in sg.inverse_predicates:
        assert {o: sorted(s) for o, s in parsed.inverse(p).items()} == \
               {o: sorted(s) for o, s in lazy.inverse(p).items()}, p
    assert parsed.inverse(f"<{_KGV}meshHeading>")
