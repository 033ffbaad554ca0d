"""Known answers for the relation reader (kg.nlp.relations), one group per error class of issue 12.

Mentions are built here directly (not through the tagger, which changes on its own), so each test says
exactly which spans are entities. `polarity` is the sign of the subject's effect on the object:
"knockdown of X reduced Y" is X raising Y (+1), BioRED's Positive_Correlation of X and Y.
"""

from __future__ import annotations

import pytest

from kg.nlp.relations import Relation, relations, sentences
from kg.nlp.tagger import Concept, Mention

TYPES = {"MKK3": "gene", "Mirk": "gene", "STAT3": "gene", "IL-6": "gene", "BRCA1": "gene", "CD44": "gene",
         "Wnt": "pathway", "TP53": "gene", "MDM2": "gene", "EGFR": "gene", "AKT": "gene", "ERK": "gene",
         "MYC": "gene", "cisplatin": "chemical", "nephrotoxicity": "disease", "gefitinib": "chemical",
         "apoptosis": "process", "breast cancer": "disease", "metformin": "chemical", "diabetes": "disease",
         "NF-kB": "gene", "TNF": "gene", "p21": "gene", "SIRT1": "gene", "lung cancer": "disease",
         "doxorubicin": "chemical", "cardiotoxicity": "disease", "KRAS": "gene", "PD-L1": "gene",
         "PD-1": "gene", "HIF1A": "gene", "VEGF": "gene", "cancers": "disease"}


def mentions(text: str, *names: str) -> list[Mention]:
    """Mentions of `names` in `text`, in order; a name may repeat (each takes the next occurrence)."""
    out, pos = [], {}
    for name in names:
        start = text.index(name, pos.get(name, 0))
        pos[name] = start + len(name)
        c = Concept((f"X:{name}",), TYPES[name], name, "test")
        out.append(Mention("a", start, start + len(name), name, c))
    return out


def read(text: str, *names: str) -> list[Relation]:
    ms = mentions(text, *names)
    return [r for s in sentences(text) for r in relations(text, ms, s)]


def triples(text: str, *names: str) -> list[tuple[str, int, str, str]]:
    return [(r.subject.text, r.polarity, r.object.text, r.relation_type) for r in read(text, *names)]


# -- direction -----------------------------------------------------------------------------------------
def test_active_voice_subject_first():
    assert triples("MKK3 activates Mirk in tumour cells.", "MKK3", "Mirk") == [
        ("MKK3", 1, "Mirk", "Positive_Correlation")]


@pytest.mark.parametrize("text", ["Mirk is activated by MKK3.", "Mirk was strongly activated by MKK3 in vitro.",
                                  "Mirk, activated by MKK3, is a kinase.", "Activation of Mirk by MKK3 was seen."])
def test_passive_voice_makes_the_agent_the_subject(text):
    (r,) = read(text, "Mirk", "MKK3")
    assert (r.subject.text, r.object.text, r.polarity, r.trigger.direction) == ("MKK3", "Mirk", 1, "increased")


def test_passive_decrease():
    assert triples("STAT3 phosphorylation was inhibited by gefitinib.", "STAT3", "gefitinib") == [
        ("gefitinib", -1, "STAT3", "Negative_Correlation")]


@pytest.mark.parametrize("suffix,polarity,rtype", [("induced", 1, "Positive_Correlation"),
                                                   ("mediated", 1, "Positive_Correlation"),
                                                   ("dependent", 1, "Positive_Correlation"),
                                                   # BioRED: a drug-associated disease is drug-induced
                                                   ("associated", 0, "Positive_Correlation")])
def test_compounds_x_induced_y(suffix, polarity, rtype):
    text = f"We studied cisplatin-{suffix} nephrotoxicity in rats."
    assert triples(text, "cisplatin", "nephrotoxicity") == [("cisplatin", polarity, "nephrotoxicity", rtype)]


def test_compound_with_a_signed_head_noun():
    # "X-induced decrease in Y": X lowers Y
    assert triples("TNF-induced decrease in SIRT1 was marked.", "TNF", "SIRT1") == [
        ("TNF", -1, "SIRT1", "Negative_Correlation")]


# -- polarity ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["Knockdown of STAT3 reduced IL-6 secretion.", "STAT3 knockdown reduced IL-6.",
                                  "Inhibition of STAT3 suppressed IL-6 expression.",
                                  "Blockade of STAT3 attenuated IL-6 production.",
                                  "Deletion of STAT3 decreased IL-6.", "siRNA against STAT3 inhibited IL-6."])
def test_switching_the_subject_off_flips_polarity(text):
    """Both negatives cancel: STAT3 raises IL-6, a Positive_Correlation in BioRED's terms."""
    assert triples(text, "STAT3", "IL-6") == [("STAT3", 1, "IL-6", "Positive_Correlation")]


def test_switched_off_subject_with_an_increase_trigger_is_negative():
    assert triples("Loss of TP53 increased MDM2 levels.", "TP53", "MDM2") == [
        ("TP53", -1, "MDM2", "Negative_Correlation")]


def test_switched_off_object_flips_polarity():
    assert triples("EGFR induced loss of p21 in these cells.", "EGFR", "p21") == [
        ("EGFR", -1, "p21", "Negative_Correlation")]


def test_drug_treats_disease_is_negative():
    assert triples("Metformin treats diabetes.".replace("Metformin", "metformin"), "metformin", "diabetes") == [
        ("metformin", -1, "diabetes", "Negative_Correlation")]


# -- nouns are not triggers ----------------------------------------------------------------------------
@pytest.mark.parametrize("text,names", [("Methylation of the BRCA1 promoter in CD44 cells.", ("BRCA1", "CD44")),
                                        ("We measured the Wnt target CD44 in tumours.", ("Wnt", "CD44")),
                                        ("EGFR receptor and AKT were measured.", ("EGFR", "AKT")),
                                        ("The regulation and EGFR and AKT.", ("EGFR", "AKT")),
                                        ("An increase in EGFR and AKT was seen.", ("EGFR", "AKT")),
                                        ("MYC inhibitor and EGFR were used.", ("MYC", "EGFR"))])
def test_nouns_are_not_triggers(text, names):
    assert read(text, *names) == []


def test_agentless_passive_list_relates_nothing():
    text = "AKT and ERK were increased and MYC was decreased."
    assert read(text, "AKT", "ERK", "MYC") == []


def test_agentless_passive_with_a_condition():
    # "Y was increased in Z": a rise of PD-L1 in lung cancer, a Positive_Correlation
    assert triples("PD-L1 was increased in lung cancer.", "PD-L1", "lung cancer") == [
        ("lung cancer", 1, "PD-L1", "Positive_Correlation")]


# -- negation and hedging ------------------------------------------------------------------------------
def test_negation_and_hedging_are_flags():
    (r,) = read("EGFR did not activate AKT.", "EGFR", "AKT")
    assert (r.negated, r.hedged, r.polarity) == (True, False, 1)
    (r,) = read("EGFR may activate AKT.", "EGFR", "AKT")
    assert (r.negated, r.hedged) == (False, True)
    (r,) = read("EGFR activates AKT.", "EGFR", "AKT")
    assert (r.negated, r.hedged) == (False, False)


# -- pair types, binding, association ------------------------------------------------------------------
def test_gene_gene_binding():
    assert triples("MDM2 binds to TP53 in the nucleus.", "MDM2", "TP53") == [("MDM2", 0, "TP53", "Bind")]
    assert triples("PD-1 interacts with PD-L1.", "PD-1", "PD-L1") == [("PD-1", 0, "PD-L1", "Bind")]


def test_association_between_x_and_y():
    assert triples("We found an association between KRAS and lung cancer.", "KRAS", "lung cancer") == [
        ("KRAS", 0, "lung cancer", "Association")]
    assert triples("An inverse correlation between HIF1A and VEGF was seen.", "HIF1A", "VEGF") == [
        ("HIF1A", -1, "VEGF", "Negative_Correlation")]


def test_chemical_gene_and_chemical_disease():
    assert triples("Gefitinib inhibits EGFR.".replace("Gefitinib", "gefitinib"), "gefitinib", "EGFR") == [
        ("gefitinib", -1, "EGFR", "Negative_Correlation")]
    assert triples("Cardiotoxicity induced by doxorubicin limits its use.".replace("Cardiotoxicity", "cardiotoxicity"),
                   "cardiotoxicity", "doxorubicin") == [("doxorubicin", 1, "cardiotoxicity", "Positive_Correlation")]


def test_coordinated_objects_and_subjects():
    assert triples("TNF activates NF-kB, STAT3 and AKT.", "TNF", "NF-kB", "STAT3", "AKT") == [
        ("TNF", 1, "NF-kB", "Positive_Correlation"), ("TNF", 1, "STAT3", "Positive_Correlation"),
        ("TNF", 1, "AKT", "Positive_Correlation")]
    assert sorted(triples("EGFR and KRAS activate AKT.", "EGFR", "KRAS", "AKT")) == [
        ("EGFR", 1, "AKT", "Positive_Correlation"), ("KRAS", 1, "AKT", "Positive_Correlation")]


def test_only_neighbours_relate():
    # "X inhibits Y in Z" says nothing of X and Z
    assert triples("Gefitinib inhibits EGFR in breast cancer.".replace("Gefitinib", "gefitinib"),
                   "gefitinib", "EGFR", "breast cancer") == [("gefitinib", -1, "EGFR", "Negative_Correlation")]


def test_one_assertion_per_pair_per_sentence():
    text = "EGFR activates AKT and AKT inhibits EGFR."
    rs = read(text, "EGFR", "AKT", "AKT", "EGFR")
    assert len(rs) == 1 and (rs[0].subject.text, rs[0].object.text) == ("EGFR", "AKT")
    # two groundings of one span relate as one entity: each concept pair once
    ms = mentions("EGFR activates AKT.", "EGFR", "AKT")
    alt = Mention("a", ms[1].start, ms[1].end, "AKT", Concept(("X:AKT1",), "gene", "AKT1", "test"))
    rs = relations("EGFR activates AKT.", [*ms, alt], (0, 19))
    assert sorted(r.object.concept.curies[0] for r in rs) == ["X:AKT", "X:AKT1"]


def test_clause_breaks_and_sentences_separate():
    assert read("EGFR rose, whereas AKT fell. MYC activates p21.", "EGFR", "AKT", "MYC", "p21")[0].subject.text == "MYC"
    assert len(read("EGFR rose, whereas AKT fell. MYC activates p21.", "EGFR", "AKT", "MYC", "p21")) == 1


# -- RDF -----------------------------------------------------------------------------------------------
def test_assertion_triples_carry_polarity_and_relation_type():
    from kg.rdf.assertions import assertion_triples
    from kg.vocab import KG
    text = "Knockdown of STAT3 reduced IL-6 secretion."
    (r,) = read(text, "STAT3", "IL-6")
    triples_ = list(assertion_triples("1", "pubmed", r, text, "abstract", "HGNC:11364", "HGNC:6018", None))
    objects = {p: o for _, p, o in triples_}
    assert objects[f"<{KG.polarity}>"] == '"positive"'
    assert objects[f"<{KG.relationType}>"] == '"Positive_Correlation"'
    # the direct triple: STAT3 positively regulates IL-6 (RO:0002213), not the reverse
    direct = [(s, o) for s, p, o in triples_ if p == "<http://purl.obolibrary.org/obo/RO_0002213>"]
    assert len(direct) == 1 and "11364" in direct[0][0] and "6018" in direct[0][1]


def test_association_between_a_list_and_one():
    text = "Association between polymorphisms in EGFR, KRAS and AKT and lung cancer."
    rs = read(text, "EGFR", "KRAS", "AKT", "lung cancer")
    assert sorted((r.subject.text, r.object.text, r.relation_type) for r in rs) == [
        ("AKT", "lung cancer", "Association"), ("EGFR", "lung cancer", "Association"),
        ("KRAS", "lung cancer", "Association")]
    assert {r.trigger_text for r in rs} == {"Association between polymorphisms in "}


def test_effect_of_x_on_y():
    assert triples("Effect of metformin on breast cancer in mice.", "metformin", "breast cancer") == [
        ("metformin", 0, "breast cancer", "Association")]


def test_gene_variants_and_a_disease_are_an_association():
    assert triples("KRAS mutations were frequent in lung cancer.", "KRAS", "lung cancer") == [
        ("KRAS", 0, "lung cancer", "Association")]
    assert triples("Mutations in KRAS cause lung cancer.", "KRAS", "lung cancer") == [
        ("KRAS", 0, "lung cancer", "Association")]


def test_biored_conventions_for_gene_disease():
    # a gene-associated disease stays an Association; a gene raising a disease's risk does so by its variants
    assert triples("We studied KRAS-associated lung cancer.", "KRAS", "lung cancer") == [
        ("KRAS", 0, "lung cancer", "Association")]
    assert triples("EGFR increases the risk of lung cancer.", "EGFR", "lung cancer") == [
        ("EGFR", 1, "lung cancer", "Association")]


@pytest.mark.parametrize("text", ["Nephrotoxicity secondary to cisplatin was seen.", "Nephrotoxicity due to cisplatin.",
                                  "Nephrotoxicity resulting from cisplatin was rare."])
def test_caused_by_connectives_make_the_second_the_agent(text):
    assert triples(text.replace("Nephrotoxicity", "nephrotoxicity"), "nephrotoxicity", "cisplatin") == [
        ("cisplatin", 1, "nephrotoxicity", "Positive_Correlation")]


def test_resulting_in():
    assert triples("Cisplatin use resulted in nephrotoxicity.".replace("Cisplatin", "cisplatin"),
                   "cisplatin", "nephrotoxicity") == [("cisplatin", 1, "nephrotoxicity", "Positive_Correlation")]


def test_level_of_a_gene_in_a_disease():
    assert triples("Increased expression of KRAS in lung cancer was seen.", "KRAS", "lung cancer") == [
        ("lung cancer", 1, "KRAS", "Positive_Correlation")]
    assert triples("Expression of KRAS in lung cancer was measured.", "KRAS", "lung cancer") == [
        ("lung cancer", 0, "KRAS", "Association")]


def test_disease_then_gene_variants():
    assert triples("Lung cancer associated with mutations in KRAS.".replace("Lung", "lung"), "lung cancer", "KRAS") == [
        ("KRAS", 0, "lung cancer", "Association")]


def test_list_with_slash_names():
    text = "Association between variants in EGFR/B, KRAS and lung cancer."
    assert {r.subject.text for r in read(text, "EGFR", "KRAS", "lung cancer")} == {"EGFR", "KRAS"}


def test_effect_of_a_list_on_one():
    text = "Effect of metformin and gefitinib on lung cancer."
    assert sorted(triples(text, "metformin", "gefitinib", "lung cancer")) == [
        ("gefitinib", 0, "lung cancer", "Association"), ("metformin", 0, "lung cancer", "Association")]


def test_conjoined_verb_phrase_keeps_its_own_subject():
    # "gefitinib reduced EGFR and decreased AKT": EGFR is not the subject of "decreased"
    assert triples("Gefitinib reduced EGFR and decreased AKT.".replace("Gefitinib", "gefitinib"),
                   "gefitinib", "EGFR", "AKT") == [("gefitinib", -1, "EGFR", "Negative_Correlation")]


@pytest.mark.parametrize("text,names", [
    ("The EGFR inhibitor gefitinib was given.", ("EGFR", "gefitinib")),
    ("We gave gefitinib, a selective EGFR inhibitor, to mice.", ("gefitinib", "EGFR"))])
def test_drug_role_towards_a_gene(text, names):
    assert triples(text, *names) == [("gefitinib", -1, "EGFR", "Negative_Correlation")]


def test_signed_associations():
    assert triples("KRAS was positively correlated with lung cancer.", "KRAS", "lung cancer") == [
        ("KRAS", 1, "lung cancer", "Positive_Correlation")]
    assert triples("Upregulation of KRAS is associated with lung cancer.", "KRAS", "lung cancer") == [
        ("KRAS", 1, "lung cancer", "Positive_Correlation")]
    assert triples("Lung cancer is associated with decreased EGFR expression.".replace("Lung", "lung"),
                   "lung cancer", "EGFR") == [("lung cancer", -1, "EGFR", "Negative_Correlation")]
    assert triples("KRAS is associated with lung cancer.", "KRAS", "lung cancer") == [
        ("KRAS", 0, "lung cancer", "Association")]


@pytest.mark.parametrize("text", ["We gave metformin plus gefitinib.", "Metformin in combination with gefitinib.",
                                  "A combination of metformin and gefitinib was used.",
                                  "Treatment with metformin and gefitinib was used."])
def test_cotreatment(text):
    assert triples(text.replace("Metformin", "metformin"), "metformin", "gefitinib") == [
        ("metformin", 0, "gefitinib", "Cotreatment")]


def test_two_drugs_that_interact():
    assert triples("An interaction between metformin and gefitinib was found.", "metformin", "gefitinib") == [
        ("metformin", 0, "gefitinib", "Drug_Interaction")]


@pytest.mark.parametrize("text", ["Patients with diabetes treated with metformin were followed.",
                                  "Metformin therapy for diabetes is common.",
                                  "Metformin treatment in patients with diabetes lowered weight."])
def test_drug_treating_a_disease(text):
    assert triples(text.replace("Metformin", "metformin"), *(("diabetes", "metformin") if text[0] == "P" else
                                                             ("metformin", "diabetes"))) == [
        ("metformin", -1, "diabetes", "Negative_Correlation")]


def test_treated_with_is_no_relation_between_other_types():
    assert read("STAT3 cells were treated with metformin.", "STAT3", "metformin") == []


def test_action_on_a_compound_reaches_its_head():
    # "metformin reversed cisplatin-induced nephrotoxicity": metformin lowers the nephrotoxicity too
    rs = triples("Metformin reversed cisplatin-induced nephrotoxicity.".replace("Metformin", "metformin"),
                 "metformin", "cisplatin", "nephrotoxicity")
    assert sorted(rs) == [("cisplatin", 1, "nephrotoxicity", "Positive_Correlation"),
                          ("metformin", -1, "cisplatin", "Negative_Correlation"),
                          ("metformin", -1, "nephrotoxicity", "Negative_Correlation")]


def test_gene_variant_manifesting_as_a_disease():
    assert triples("A novel KRAS mutation manifests as lung cancer.", "KRAS", "lung cancer") == [
        ("KRAS", 0, "lung cancer", "Association")]


def test_lower_risk_and_including_lists():
    text = "Metformin is associated with decreased risks of several cancers, including lung cancer and breast cancer."
    assert triples(text.replace("Metformin", "metformin"), "metformin", "cancers", "lung cancer", "breast cancer") == [
        ("metformin", -1, "cancers", "Negative_Correlation"), ("metformin", -1, "lung cancer", "Negative_Correlation"),
        ("metformin", -1, "breast cancer", "Negative_Correlation")]


def test_list_members_share_the_modifiers_of_the_member_next_to_the_trigger():
    # "knockdown of A and B reduced C": both A and B raise C
    assert sorted(triples("Knockdown of EGFR and AKT reduced MYC.", "EGFR", "AKT", "MYC")) == [
        ("AKT", 1, "MYC", "Positive_Correlation"), ("EGFR", 1, "MYC", "Positive_Correlation")]


def test_kg_tag_prints_polarity_and_type():
    import json

    from click.testing import CliRunner

    from kg.cli import main
    text = "Knockdown of STAT3 reduced IL-6 secretion."
    r = CliRunner().invoke(main, ["tag", "--relations", "--format", "json", text])
    assert r.exit_code == 0, r.output
    (rel,) = json.loads(r.output)["relations"]
    assert (rel["subject"], rel["object"], rel["polarity"], rel["type"]) == (
        ["HGNC:11364"], ["HGNC:6018"], 1, "Positive_Correlation")


def test_bound_as_a_transitive_verb():
    assert triples("MDM2 bound TP53 in vitro.", "MDM2", "TP53") == [("MDM2", 0, "TP53", "Bind")]
