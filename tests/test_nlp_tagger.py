"""Dictionary tagger: the normalisations issue 3 lists, abbreviations, ambiguity; relations; annotate()."""

from __future__ import annotations

import pytest

from kg.nlp import lexicon as lx
from kg.nlp.normalize import name_keys
from kg.nlp.relations import relations, sentences
from kg.nlp.tagger import Lexicon, Tagger


@pytest.fixture(scope="module")
def tagger():
    extra = [lx.Concept("HGNC:2222", "gene", "CAT", "hgnc", [("wsymbol", "CAT"), ("label", "catalase")])]
    return Tagger(Lexicon(list(lx.curated(lx.curated_path())) + extra))


def tags(tagger, text):
    return [(m.text, m.concept.curies[0]) for m in tagger.tag_document([("t", text)])]


@pytest.mark.parametrize("text,curie", [
    ("c-MET", "HGNC:7029"), ("cMET", "HGNC:7029"), ("c-Met", "HGNC:7029"), ("MET", "HGNC:7029"),
    ("TGF-β", "FPLX:TGFB"), ("TGF-beta", "FPLX:TGFB"), ("TGFβ", "FPLX:TGFB"), ("TGF β", "FPLX:TGFB"),
    ("TGF-β1", "HGNC:11766"), ("Notch1", "HGNC:7881"), ("NOTCH1", "HGNC:7881"),
    ("exosomes", "GO:0070062"), ("TAMs", "MESH:D000084582"), ("tumour-associated macrophages", "MESH:D000084582"),
    ("HGF/c-MET signalling pathways", "GO:0048012"), ("HGF/c\u2010MET signaling pathway", "GO:0048012"),
    ("epithelial-mesenchymal transition", "GO:0001837"), ("TGF-β pathway", "GO:0007179"),
])
def test_normalisation_variants(tagger, text, curie):
    got = tags(tagger, f"In colorectal cancer, {text} was studied.")
    assert (text, curie) in got, got


def test_slash_splits_two_genes(tagger):
    got = tags(tagger, "HGF/c-MET binding was measured in cancer cells.")
    assert ("HGF", "HGNC:4893") in got and ("c-MET", "HGNC:7029") in got


def test_case_matters_for_symbols(tagger):
    assert tags(tagger, "We met in the tumor clinic.") == []
    assert ("MET", "HGNC:7029") in tags(tagger, "MET amplification in tumors.")
    # A symbol that is an English word only in capitals, never as the word.
    assert tags(tagger, "The cat sat.") == [] and tags(tagger, "The Cat sat.") == []
    assert ("CAT", "HGNC:2222") in tags(tagger, "CAT activity rose.")


def test_short_ambiguous_alias_needs_context(tagger):
    assert ("GC", "MONDO:0001056") in tags(tagger, "Patients with GC had gastric tumours.")  # oncology text
    assert tags(tagger, "GC screening in a sexual health clinic.") == []                  # no context
    # Schwartz-Hearst: a short form is defined only where its letters occur in order in the long form;
    # 'C' is not in "Gonorrhoea", so GC stays undefined (and, with no oncology context, untagged).
    assert tags(tagger, "Gonorrhoea (GC) screening.") == [("Gonorrhoea", "MONDO:0004277")]
    assert tags(tagger, "Gastric cancer (GC) screening; GC recurred.") == [
        ("Gastric cancer", "MONDO:0001056"), ("GC", "MONDO:0001056"), ("GC", "MONDO:0001056")]


def test_abbreviation_defined_in_text(tagger):
    got = tags(tagger, "Colorectal liver metastasis (CRLM) is lethal. CRLM patients were treated.")
    assert got.count(("CRLM", "MONDO:0005575")) == 2
    # a short form the text defines as something else silences the lexicon's meaning
    assert tags(tagger, "The gene cluster (GC) was sequenced in cancer. GC size varied.") == []


def test_longest_match_and_offsets(tagger):
    text = "Colorectal liver metastasis is common."
    (m,) = [m for m in tagger.tag_document([("t", text)])]
    assert (m.start, m.end) == (0, 27) and text[m.start:m.end] == m.text
    assert m.concept.curies == ("MONDO:0005575", "MESH:D009362", "UBERON:0002107")


def test_name_keys_fold_variants():
    assert name_keys("c-MET") == name_keys("cMET") == ["cmet"]
    assert name_keys("TGF-β")[0] == name_keys("TGF-beta")[0] == name_keys("TGFB")[0]
    assert "exosome" in name_keys("exosomes")


def test_sentences_keep_abbreviations():
    text = "Zhou et al. showed it. HGF (Fig. 4) binds MET! Next one."
    spans = [text[a:b] for a, b in sentences(text)]
    assert spans == ["Zhou et al. showed it.", "HGF (Fig. 4) binds MET!", "Next one."]


def rels(tagger, text):
    ms = tagger.tag_document([("t", text)])
    out = []
    for s in sentences(text):
        for r in relations(text, ms, s):
            out.append((r.subject.concept.curies[0], r.trigger.direction, r.object.concept.curies[0],
                        r.negated, r.hedged))
    return out


def test_relations_polarity_negation_hedging(tagger):
    assert rels(tagger, "Crizotinib inhibits the HGF/c-MET signaling pathway in CRC.") == [
        ("CHEBI:64310", "decreased", "GO:0048012", False, False)]
    assert rels(tagger, "TGF-β did not promote EMT in cancer.") == [
        ("FPLX:TGFB", "increased", "GO:0001837", True, False)]
    assert rels(tagger, "TAMs may promote liver metastasis via the Notch pathway.") == [
        ("MESH:D000084582", "increased", "MESH:D009362", False, True),
        ("GO:0007219", "means", "MESH:D009362", False, True)]
    assert rels(tagger, "Exosomes are associated with liver metastasis.") == [
        ("GO:0070062", "associated", "MESH:D009362", False, False)]


def test_annotate_article_triples_parse(tagger):
    import pyoxigraph as ox
    from kg.nlp import annotate
    from kg.records import AbstractSection, Article
    art = Article(pmid="42", title="Notch signalling in colorectal liver metastasis",
                  abstract=(AbstractSection("Crizotinib inhibits the HGF/c-MET pathway in CRC. "
                                            "TAMs promote liver metastasis."),))
    triples = list(annotate(art, tagger=tagger))
    g = ox.Store()
    g.load("".join(f"{s} {p} {o} .\n" for s, p, o in triples).encode(), format=ox.RdfFormat.N_TRIPLES)
    q = lambda s: list(g.query(s))  # noqa: E731
    # one body per annotation, selectors consistent with the passage text
    assert not q("""PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?m WHERE { ?m oa:hasBody ?a, ?b FILTER(?a != ?b) }""")
    rows = q("""PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX kg: <https://w3id.org/oncokg/vocab/>
        SELECT ?exact ?text ?s ?e WHERE { ?t oa:hasSource/kg:text ?text ; oa:hasSelector ?p, ?x .
          ?p oa:start ?s ; oa:end ?e . ?x oa:exact ?exact }""")
    assert rows and all(r["text"].value[int(r["s"].value):int(r["e"].value)] == r["exact"].value for r in rows)
    # the direct RO triple and its reified association
    assert bool(g.query("""ASK { <http://purl.obolibrary.org/obo/CHEBI_64310> <http://purl.obolibrary.org/obo/RO_0002212>
                      <http://purl.obolibrary.org/obo/GO_0048012> }"""))
    assert bool(g.query("""PREFIX biolink: <https://w3id.org/biolink/vocab/>
        ASK { ?a a biolink:Association ; biolink:subject <http://purl.obolibrary.org/obo/GO_0007219> ;
              biolink:predicate biolink:occurs_together_in_literature_with ;
              biolink:object <http://purl.obolibrary.org/obo/MONDO_0005575> . }"""))
    anat = q("""PREFIX biolink: <https://w3id.org/biolink/vocab/>
        SELECT ?u WHERE { ?a biolink:anatomical_context_qualifier ?u ; biolink:object_direction_qualifier "increased" }""")
    assert {r["u"].value for r in anat} == {"http://purl.obolibrary.org/obo/UBERON_0002107"}


def test_user_terms_file(tmp_path):
    f = tmp_path / "my-terms.tsv"
    f.write_text("# my lab's names\nHGNC:7029\tgene\tMET\tscatter factor receptor|~SFR\n")
    t = Tagger(Lexicon.from_files(lx.curated_path(), f))
    assert ("scatter factor receptor", "HGNC:7029") in tags(t, "The scatter factor receptor in tumours.")
    with pytest.raises(ValueError, match="unknown type"):
        list(lx.curated(_bad(tmp_path)))


def _bad(tmp_path):
    p = tmp_path / "bad.tsv"
    p.write_text("X:1\tthing\tlabel\n")
    return p
