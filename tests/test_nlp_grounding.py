"""Grounding with the bundled lexicon: each class of error issue 12 found on real abstracts, with its
known answer (abbreviations, numbers and short aliases, cell lines, plurals, oncology abbreviations,
prefixed and lower-case gene names, one entity per span, pathways that are pathways)."""

from __future__ import annotations

import pytest

from kg.nlp.tagger import Tagger, default_lexicon


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(default_lexicon())


def tags(tagger: Tagger, text: str) -> list[tuple[str, str, str]]:
    return [(m.text, m.concept.curies[0], m.concept.type) for m in tagger.tag_document([("t", text)])]


def grounded(tagger: Tagger, text: str, words: str) -> set[str]:
    return {c for t, c, _ in tags(tagger, text) if t == words}


def test_gene_symbol_defined_with_a_disease_long_form_stays_a_gene(tagger):
    text = ("Mutations in the adenomatous polyposis coli (APC) gene occur early in colorectal cancer; "
            "APC loss activates Wnt signalling and APC expression falls.")
    assert grounded(tagger, text, "APC") == {"HGNC:583"}
    assert grounded(tagger, text, "adenomatous polyposis coli") == {"HGNC:583"}


def test_disease_abbreviation_does_not_take_the_gene_in_a_gene_context(tagger):
    text = "Familial adenomatous polyposis (FAP) patients carry germline APC mutations; FAP is rare in cancer."
    assert grounded(tagger, text, "FAP") == {"MONDO:0021055"}
    assert grounded(tagger, text, "APC") == {"HGNC:583"}


def test_abbreviation_bound_only_when_its_letters_are_in_the_long_form(tagger):
    text = "The v-Raf murine sarcoma viral oncogene homolog B1 (BRAF) V600E mutation in colorectal cancer."
    assert grounded(tagger, text, "BRAF") == {"HGNC:1097"}
    assert not any(c == "HGNC:9100" for _, c, _ in tags(tagger, text))  # PLXNB1


@pytest.mark.parametrize("text,banned", [
    ("Osteosarcoma MG-63 cells and 141 patients with 63 tumours were studied.", {"HGNC:9101", "HGNC:5715"}),
    ("GC patients had MHC class I loss and TNM stage III gastric cancer; MEFs were used.", set()),
])
def test_numbers_short_aliases_and_clinical_abbreviations_are_no_genes(tagger, text, banned):
    genes = [(t, c) for t, c, ty in tags(tagger, text) if ty in ("gene", "family")]
    assert genes == [], genes
    assert not banned & {c for _, c, _ in tags(tagger, text)}


def test_gastric_cancer_abbreviation_in_an_oncology_text(tagger):
    assert grounded(tagger, "GC patients with gastric cancer relapse.", "GC") == {"MONDO:0001056"}


@pytest.mark.parametrize("line", ["MDA-MB-231", "HCT116", "SW480", "HT-29", "MCF-7"])
def test_cell_lines_are_cell_lines_never_genes(tagger, line):
    found = tags(tagger, f"{line} cells were transfected with siRNA against STAT3 in breast cancer.")
    assert any(t.startswith(line) and ty == "cellline" for t, _, ty in found), found
    assert all(ty != "gene" for t, _, ty in found if t != "STAT3"), found


def test_plurals_and_inflections(tagger):
    text = "Carcinomas, melanomas and leukemias; hepatocellular carcinomas."
    found = {t: c for t, c, _ in tags(tagger, text)}
    assert found["melanomas"] == "MONDO:0005105"
    assert found["hepatocellular carcinomas"] == "MONDO:0007256"
    assert "Carcinomas" in found and "leukemias" in found


@pytest.mark.parametrize("abbrev,curie", [("NSCLC", "MONDO:0005233"), ("CRC", "MONDO:0005575"),
                                          ("AML", "MONDO:0018874"), ("HCC", "MONDO:0007256")])
def test_oncology_abbreviations_without_a_definition(tagger, abbrev, curie):
    assert grounded(tagger, f"Survival of {abbrev} patients after tumour resection.", abbrev) == {curie}


@pytest.mark.parametrize("text,words,curie", [
    ("c-kit is mutated in the tumour", "c-kit", "HGNC:6342"),
    ("Ki-ras mutations in colon cancer", "Ki-ras", "HGNC:6407"),
    ("myc expression rises in the tumour", "myc", "HGNC:7553"),
    ("c-Src activity in the tumour", "c-Src", "HGNC:11283"),
])
def test_prefixed_and_lower_case_gene_names(tagger, text, words, curie):
    assert grounded(tagger, text, words) == {curie}


def test_lower_case_symbol_needs_a_gene_context(tagger):
    assert not grounded(tagger, "the myc of the tumour", "myc")


def test_one_entity_per_span_with_mappings(tagger):
    text = ("Colorectal cancer and hepatocellular carcinoma treated with oxaliplatin, irinotecan, cisplatin "
            "and 5-fluorouracil; TP53 and KRAS mutations.")
    spans: dict[tuple[int, int], set[tuple[str, ...]]] = {}
    for m in tagger.tag_document([("t", text)]):
        spans.setdefault((m.start, m.end), set()).add(m.concept.curies)
    assert spans and all(len(v) == 1 for v in spans.values()), spans
    xrefs = tagger.lexicon.xrefs
    assert "NCBIGene:324" in xrefs["HGNC:583"]
    assert "MESH:D015179" in xrefs["MONDO:0005575"] or "DOID:9256" in xrefs["MONDO:0005575"]
    cisplatin = grounded(tagger, text, "cisplatin")
    assert len(cisplatin) == 1 and next(iter(cisplatin)).startswith("CHEBI:")
    assert any(x.startswith("MESH:") for x in xrefs[next(iter(cisplatin))])


@pytest.mark.parametrize("text,words,curie", [
    ("The PI3K/Akt/mTOR pathway drives growth.", "PI3K/Akt/mTOR pathway", "REACTOME:R-HSA-2219528"),
    ("MAPK/ERK signalling drives growth.", "MAPK/ERK signalling", "REACTOME:R-HSA-5673001"),
    ("Hedgehog signaling drives growth.", "Hedgehog signaling", "REACTOME:R-HSA-5358351"),
    ("The NF-kB pathway drives growth.", "NF-kB pathway", "GO:0007249"),
    ("HGF/c-MET signalling promotes metastasis.", "HGF/c-MET signalling", "GO:0048012"),
])
def test_named_pathways_are_one_pathway(tagger, text, words, curie):
    found = [(t, c, ty) for t, c, ty in tags(tagger, text) if t == words]
    assert found == [(words, curie, "pathway")], tags(tagger, text)


@pytest.mark.parametrize("text,words", [
    ("STAT3 signalling promotes invasion.", "STAT3 signalling"),
    ("The CXCL12/CXCR4 axis recruits cells.", "CXCL12/CXCR4 axis"),
    ("IL-6/STAT3 signaling drives EMT.", "IL-6/STAT3 signaling"),
])
def test_participant_pathways_are_pathways_not_genes(tagger, text, words):
    found = tags(tagger, text)
    hit = [(c, ty) for t, c, ty in found if t == words]
    assert len(hit) == 1 and hit[0][1] == "pathway", found
    assert not [t for t, _, ty in found if ty == "gene"], found


@pytest.mark.parametrize("word", ["Apoptosis", "cell cycle", "methylation", "digestion"])
def test_common_words_are_never_pathways(tagger, word):
    assert all(ty != "pathway" for _, _, ty in tags(tagger, f"{word} was measured in tumour cells."))


# -- which mentions may take part in an assertion (kg.nlp.mine) -------------------------------------------
def _assertions(tagger: Tagger, text: str) -> set[tuple[str, str, int]]:
    from kg.nlp import mine
    from kg.records import AbstractSection, Article
    mined = mine(Article(pmid="1", title="", abstract=(AbstractSection(text),)), tagger=tagger)
    assert mined is not None
    return {(a.subject, a.object, a.polarity) for a in mined.assertions}


def test_a_question_or_aim_asserts_nothing(tagger):
    assert not _assertions(tagger, "We assessed whether IL-6 was associated with colorectal cancer risk.")
    assert not _assertions(tagger, "The aim of this study was to test if STAT3 promotes colorectal cancer.")
    assert ("HGNC:6018", "MONDO:0005575", 0) in _assertions(tagger, "IL-6 was associated with colorectal cancer.")


def test_cell_lines_and_generic_tumours_are_not_participants(tagger):
    got = _assertions(tagger, "In HCT116 cells, knockdown of transgelin decreased liver metastasis.")
    assert got and all(not s.startswith("cellosaurus:") and not o.startswith("cellosaurus:") for s, o, _ in got)
    assert not _assertions(tagger, "Higher tumor grade promoted metastasis.")  # "tumor" acts on nothing


def test_a_disease_named_as_the_setting_is_not_the_subject(tagger):
    got = _assertions(tagger, "VDR overexpression in colorectal cancer is associated with KRAS mutations.")
    assert not any(s == "MONDO:0005575" for s, _, _ in got), got
