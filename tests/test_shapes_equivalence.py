"""The fast validator reports exactly what pySHACL reports on the whole graph.

Data: fatcat's real baseline sample renumbered to 1,000 articles, about 1% of them broken three ways each
(tests/shapes_broken.py), 5% carrying mentions and assertions; then a smaller set where every mutation of
the catalogue occurs. Reference: pySHACL (advanced mode, for the SPARQL-based constraints) on the union
of all graphs in one rdflib Graph. Our IRIs are per article, so the union equals validating each named
graph alone, which is what the fast validator does; the broken articles get journals of their own for
the same reason.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from kg import validation as S
from shacl_paths import path_text, rdflib_form

pytestmark = pytest.mark.shared

SH = S.SH


def pyshacl_keys(triples_text: str, shapes_graph, extra_nt: str = "") -> set[tuple]:
    """Result keys of pySHACL run on the union of every graph in `triples_text` (N-Quads)."""
    import pyshacl
    import rdflib
    ds = rdflib.Dataset()
    ds.parse(data=triples_text, format="nquads")
    g = rdflib.Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    if extra_nt:
        g.parse(data=extra_nt, format="nt")
    _, rg, _ = pyshacl.validate(g, shacl_graph=shapes_graph, advanced=True)
    ns = rdflib.Namespace(SH)
    keys = set()
    for r in rg.subjects(rdflib.RDF.type, ns.ValidationResult):
        v = rg.value(r, ns.value)
        keys.add((rg.value(r, ns.focusNode).n3(), path_text(rg, rg.value(r, ns.resultPath)),
                  v.n3() if v is not None else None, rg.value(r, ns.sourceShape).n3(),
                  str(rg.value(r, ns.sourceConstraintComponent)), str(rg.value(r, ns.resultSeverity)).split("#")[1],
                  str(rg.value(r, ns.resultMessage))))
    return keys



def our_keys(results) -> set[tuple]:
    return {(r.focus, r.path, rdflib_form(r.value), r.shape, r.component, r.severity, r.message) for r in results}


@pytest.fixture(scope="module")
def base(shared_data):
    from shapes_broken import base_articles
    return base_articles(shared_data)


@pytest.fixture(scope="module")
def mined(shared_data):
    from shapes_broken import base_articles
    return base_articles(shared_data, nlp=True)


def test_same_results_as_pyshacl_on_1000_articles_1_percent_broken(base, mined):
    from shapes_broken import make_graphs
    graphs, broken = make_graphs(base, 1000, broken_fraction=0.01, mined=mined)
    text = "".join(t for _, t in graphs)
    assert text.count("/vocab/Mention>") > 100 and text.count("/vocab/Association>") > 10   # the tagger's own
    assert len(broken) == 10
    kinds = {m for ms in broken.values() for m in ms}
    assert len(kinds) >= 25, kinds                       # many different ways, not one repeated

    t = time.perf_counter()
    ours = S.validate_graphs(graphs)
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    ref = pyshacl_keys("".join(text for _, text in graphs), S.load_shapes_graph())
    t_ref = time.perf_counter() - t
    mine = our_keys(ours)
    assert mine == ref, {"only pySHACL": sorted(ref - mine)[:10], "only ours": sorted(mine - ref)[:10]}
    # every broken article is caught, and no other article has a violation
    flagged = {r.pmid for r in ours if r.severity == "Violation"}
    assert flagged <= set(broken)
    assert len(flagged) >= 9
    print(f"\n1000 articles: fast validator {t_ours:.2f}s, pySHACL {t_ref:.1f}s, {len(ref)} results")


def test_every_mutation_is_reported_the_same_way(base):
    from shapes_broken import MUTATIONS, make_graphs
    graphs, broken = make_graphs(base, 160, broken_fraction=0.25, seed=11)
    kinds = {m for ms in broken.values() for m in ms}
    assert kinds >= set(MUTATIONS)                       # the whole catalogue, each at least once
    ours = S.validate_graphs(graphs)
    ref = pyshacl_keys("".join(text for _, text in graphs), S.load_shapes_graph())
    assert our_keys(ours) == ref
    per_pmid = Counter(r.pmid for r in ours)
    assert all(per_pmid[p] for p in broken), [p for p in broken if not per_pmid[p]]


def test_allowable_qualifier_with_mesh_vocabulary(base, shared_data):
    """With the MeSH vocabulary as context, a qualifier MeSH does not allow for the descriptor is a warning."""
    from shapes_broken import make_graphs
    graphs, _ = make_graphs(base, 20, broken_fraction=0.0, annotated_fraction=0.0)
    allowed = [ln for ln in (shared_data / "hhs-meshrdf" / "samples.nt").read_text().splitlines()
               if "vocab#allowableQualifier" in ln]
    context = [tuple(ln.rstrip(" .").split(" ", 2)) for ln in allowed]

    def put_heading(text: str, qualifier: str) -> str:
        # the first heading with a qualifier becomes Calcimycin (D000001) with `qualifier`
        import re
        m = re.search(r"<(https://w3id\.org/oncokg/id/pubmed/\d+/mesh/\d+)/1> <https://w3id\.org/oncokg/vocab/pairTerm> <http://id\.nlm\.nih\.gov/mesh/(D\d+)(Q\d+)>", text)
        assert m, "fixture article has a qualified heading"
        h, d, q = m.groups()
        text = text.replace(f"<{h}> <https://w3id.org/oncokg/vocab/descriptor> <http://id.nlm.nih.gov/mesh/{d}>",
                            f"<{h}> <https://w3id.org/oncokg/vocab/descriptor> <http://id.nlm.nih.gov/mesh/D000001>")
        text = text.replace(f"<{h}/1> <https://w3id.org/oncokg/vocab/qualifierTerm> <http://id.nlm.nih.gov/mesh/{q}>",
                            f"<{h}/1> <https://w3id.org/oncokg/vocab/qualifierTerm> <http://id.nlm.nih.gov/mesh/{qualifier}>")
        return text.replace(f"<{h}/1> <https://w3id.org/oncokg/vocab/pairTerm> <http://id.nlm.nih.gov/mesh/{d}{q}>",
                            f"<{h}/1> <https://w3id.org/oncokg/vocab/pairTerm> <http://id.nlm.nih.gov/mesh/D000001{qualifier}>")

    with_q = [(g, t) for g, t in graphs if "vocab/pairTerm>" in t]
    bad_graph, bad_text = with_q[0]
    good_graph, good_text = with_q[1]
    edited = dict(graphs)
    edited[bad_graph] = put_heading(bad_text, "Q000235")      # genetics: not allowed for Calcimycin
    edited[good_graph] = put_heading(good_text, "Q000008")    # administration & dosage: allowed
    items = list(edited.items())

    sg = S.shapes_for(context)
    ours = S.validate_graphs(items, shapes=sg, context=context)
    hits = [r for r in ours if r.shape.endswith("AllowableQualifier>")]
    found = {(r.pmid, r.value, r.severity) for r in hits}
    bad_pmid, good_pmid = bad_graph.rsplit("/", 1)[1], good_graph.rsplit("/", 1)[1]
    assert (bad_pmid, "<http://id.nlm.nih.gov/mesh/D000001Q000235>", "Warning") in found
    assert not [f for f in found if f[0] == good_pmid and "D000001" in f[1]]
    # a real one too: "diagnostic imaging" (Q000000981, MeSH 2016) is newer than the sample vocabulary
    assert all(r.severity == "Warning" for r in hits)
    ref = pyshacl_keys("".join(t for _, t in items), S.load_shapes_graph(S.CORE_SHAPES + S.MESH_VOCABULARY_SHAPES),
                       extra_nt="\n".join(allowed) + "\n")
    mine = our_keys(ours)
    assert mine == ref, {"only pySHACL": sorted(ref - mine), "only ours": sorted(mine - ref)}
    # without the vocabulary the check says nothing
    assert not [r for r in S.validate_graphs(items) if r.shape.endswith("AllowableQualifier>")]
