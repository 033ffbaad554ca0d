"""Article graphs for the shapes tests: real records (fatcat's baseline sample) renumbered to any size,
with about 1% of the articles broken in many different ways, plus valid and broken mentions and
assertions (issue 3's model) so those shapes see both kinds of data.

Each mutation edits one article's N-Quads lines the way a mapping bug or a hand-edited file would.
`MUTATIONS` is the catalogue; `make_graphs` applies three different ones to each broken article.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Callable

KG = "https://w3id.org/oncokg/vocab/"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA = "http://www.w3.org/ns/oa#"
BL = "https://w3id.org/biolink/vocab/"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def base_articles(shared_data: Path, *, nlp: bool = False) -> list[tuple[str, list[str]]]:
    """(pmid, N-Quads lines) of every article of fatcat's baseline sample, as `kg ingest` maps them
    (with `nlp`, including the tagger's mentions and assertions, as `kg ingest --nlp` writes them)."""
    from kg.pipeline import article_nquads
    from kg.ingest import read_paths
    from kg.records import Article
    out = []
    for path, rec in read_paths([str(shared_data / "fatcat" / "pubmedsample_2019.xml.gz")], None):
        if isinstance(rec, Article):
            _, text, _ = article_nquads(rec, path=path, fmt="pubmed", generated="2026-01-01T00:00:00Z", nlp=nlp)
            out.append((rec.pmid, text.splitlines(keepends=True)))
    return out


def renumber(lines: list[str], old: str, new: str) -> list[str]:
    rx = re.compile(rf"/pubmed/{old}(?=[/>])")
    lit = f'"{old}"'
    return [rx.sub(f"/pubmed/{new}", ln).replace(f"{lit} ", f'"{new}" ') if old in ln else ln for ln in lines]


# ---- helpers over one article's lines ------------------------------------------------------------------
def _g(lines):  # the graph term
    return lines[0].rsplit(" ", 2)[-2]


def _art(lines):
    """The article term: from the graph IRI, so it survives mutations of the article's own triples."""
    pm = re.search(r"/pubmed/(\d+)>", _g(lines)).group(1)
    return f"<http://rdf.ncbi.nlm.nih.gov/pubmed/{pm}>"


def _drop(lines, pred, subj_part=""):
    return [ln for ln in lines if not (f" {pred} " in ln and subj_part in ln.split(" ", 1)[0])]


def _add(lines, s, p, o):
    if s is None:
        return lines
    return lines + [f"{s} {p} {o} {_g(lines)} .\n"]


def _replace_obj(lines, pred, new, subj_part="", count=1):
    out, n = [], 0
    for ln in lines:
        s, p, rest = ln.split(" ", 2)
        if p == pred and subj_part in s and n < count:
            n += 1
            ln = f"{s} {p} {new} {_g(lines)} .\n"
        out.append(ln)
    return out


def _first_subject(lines, cls):
    return next((ln.split(" ", 1)[0] for ln in lines if f" {TYPE} {cls} " in ln), None)


P = {n: f"<{KG}{n}>" for n in ("descriptor", "descriptorMajorTopic", "descriptorName", "pairTerm", "qualifier",
                               "authorPosition", "orcid", "nlmCategory", "text", "pmidVersion", "grantId",
                               "grantAgency", "issnLinking", "qualifierTerm", "position", "confidence",
                               "polarity", "negated", "sectionType")}
TITLE = "<http://purl.org/dc/terms/title>"
PMID = "<http://purl.org/spar/fabio/hasPubMedId>"
DATE = "<http://prismstandard.org/namespaces/basic/2.0/publicationDate>"
CREATOR = "<http://purl.org/dc/terms/creator>"
FAMILY = "<http://xmlns.com/foaf/0.1/familyName>"
PART_OF = "<http://purl.org/dc/terms/isPartOf>"
JOURNAL = "<http://purl.org/spar/fabio/Journal>"
GEN = "<http://www.w3.org/ns/prov#generatedAtTime>"
PRIMARY = "<http://www.w3.org/ns/prov#hadPrimarySource>"
LANG = "<http://purl.org/dc/terms/language>"
SUBJECT = "<http://purl.org/spar/fabio/hasSubjectTerm>"
ISSN = "<http://prismstandard.org/namespaces/basic/2.0/issn>"


def _own_journal(lines):
    """Give the article a journal IRI of its own, so breaking it cannot show up in other graphs."""
    pm = re.search(r"/pubmed/(\d+)", _art(lines)).group(1)
    out = []
    for ln in lines:
        ln = re.sub(r"<https://w3id\.org/oncokg/id/journal/[^>]+>", f"<https://w3id.org/oncokg/id/journal/nlm/9{pm}>", ln)
        out.append(ln)
    return out


def m_no_title(l): return _drop(l, TITLE, "/pubmed/")
def m_two_titles(l): return _add(l, _art(l), TITLE, '"A second title"')
def m_empty_title(l): return _replace_obj(l, TITLE, '""', "rdf.ncbi")
def m_bad_pmid(l): return _replace_obj(l, PMID, '"0123"')
def m_no_pmid(l): return _drop(l, PMID)
def m_bad_date(l): return _drop(l, DATE) + [f'{_art(l)} {DATE} "2001-02-30"^^<{XSD}date> {_g(l)} .\n']
def m_string_date(l): return _add(_drop(l, DATE), _art(l), DATE, '"Spring 1999"')
def m_two_dates(l): return _add(l, _art(l), DATE, f'"1999"^^<{XSD}gYear>')
def m_no_date(l): return _drop(_drop(l, DATE), "<http://purl.org/spar/fabio/hasPublicationYear>")
def m_no_authors(l): return [x for x in l if f" {CREATOR} " not in x]
def m_author_literal(l): return _add(l, _art(l), CREATOR, '"Smith J"')
def m_author_no_name(l): return _drop(l, FAMILY, "/author/1>")
def m_author_pos(l): return _replace_obj(l, P["authorPosition"], f'"0"^^<{XSD}integer>')
def m_author_pos_text(l): return _replace_obj(l, P["authorPosition"], '"first"')
def m_author_untyped(l):
    s = next((x.split(" ", 3)[2] for x in l if f" {CREATOR} " in x), None)
    return [x for x in l if not (s and x.startswith(s + f" {TYPE} "))]
def m_orcid(l):
    s = next((x.split(" ", 3)[2] for x in l if f" {CREATOR} " in x), None)
    return _add(l, s, P["orcid"], "<https://orcid.org/0000-0002-1825>")
def m_no_journal(l): return [x for x in l if f" {PART_OF} " not in x]
def m_journal_untyped(l):
    l = _own_journal(l)
    return [x for x in l if f" {TYPE} {JOURNAL} " not in x]
def m_bad_issn(l):
    l = _own_journal(l)
    j = next((x.split(" ", 3)[2] for x in l if f" {PART_OF} " in x), None)
    return _add(l, j, ISSN, '"12345-678"')
def m_versioned_descriptor(l):
    return [re.sub(r"(/mesh/1> <https://w3id\.org/oncokg/vocab/descriptor> <http://id\.nlm\.nih\.gov/mesh/)", r"\g<1>2019/", x) for x in l]
def m_major_yes(l): return _replace_obj(l, P["descriptorMajorTopic"], f'"yes"^^<{XSD}boolean>')
def m_heading_no_name(l): return _drop(l, P["descriptorName"], "/mesh/1>")
def m_pair_mismatch(l): return _replace_obj(l, P["pairTerm"], "<http://id.nlm.nih.gov/mesh/D000001Q000235>")
def m_pair_multi(l): return _replace_obj(l, P["pairTerm"], "<http://id.nlm.nih.gov/mesh/D009369Q000235Q000473>")
def m_qualifier_two_headings(l):
    q = next((x.split(" ", 3)[2] for x in l if f" {P['qualifier']} " in x), None)
    return _add(l, "<https://w3id.org/oncokg/id/pubmed/1/mesh/1>", P["qualifier"], q) if q else l
def m_no_generated(l): return _drop(l, GEN)
def m_bad_generated(l): return _replace_obj(l, GEN, f'"yesterday"^^<{XSD}dateTime>')
def m_no_primary(l): return _drop(l, PRIMARY)
def m_language(l): return _add(l, _art(l), LANG, '"english"')
def m_subject_literal(l): return _add(l, _art(l), SUBJECT, '"Neoplasms"')
def m_subject_bad_iri(l): return _add(l, _art(l), SUBJECT, "<http://id.nlm.nih.gov/mesh/2019/D009369>")
def m_version(l): return _replace_obj(l, P["pmidVersion"], f'"-1"^^<{XSD}integer>')
def m_category(l): return _replace_obj(l, P["nlmCategory"], '"INTRO"')
def m_grant_empty(l):
    g = "<https://w3id.org/oncokg/id/pubmed/%s/grant/99>" % re.search(r"/pubmed/(\d+)", _art(l)).group(1)
    return _add(_add(l, _art(l), f"<{KG}grant>", g), g, TYPE, f"<{KG}Grant>")
def m_position_string(l): return _replace_obj(l, P["position"], '"1"', "/mesh/")


MUTATIONS: dict[str, Callable[[list[str]], list[str]]] = {
    k[2:]: v for k, v in globals().items() if k.startswith("m_") and callable(v)
}


# ---- mentions and assertions ------------------------------------------------------------------------------
def annotation_lines(lines: list[str], *, broken: bool, rng: random.Random) -> list[str]:
    """One mention (annotation, span, two selectors over a passage) and one assertion, valid or broken."""
    g = _g(lines)
    art = _art(lines)
    pm = re.search(r"/pubmed/(\d+)", art).group(1)
    base = f"https://w3id.org/oncokg/id/pubmed/{pm}"
    passage = f"<{base}/passage/abstract/1>"
    ann, tgt = f"<{base}/mention/0-5>", f"<{base}/mention/0-5/target>"
    pos, quote = f"<{base}/mention/0-5/pos>", f"<{base}/mention/0-5/quote>"
    assoc = f"<{base}/assertion/1>"
    text = "c-MET promotes liver metastasis."
    start, end, exact = 0, 5, "c-MET"
    body = "<http://identifiers.org/hgnc/7029>"
    conf, polarity = '"0.8"^^<%sdecimal>' % XSD, '"positive"'
    obj = "<http://purl.obolibrary.org/obo/MONDO_0005335>"
    if broken:
        kind = rng.choice(["offsets", "order", "body", "quote", "assertion"])
        if kind == "offsets":
            end = 7
        elif kind == "order":
            start, end, exact = 5, 5, ""
        elif kind == "body":
            body = "<http://example.org/gene/MET>"
        elif kind == "quote":
            exact = "cMET!"
        else:
            conf, polarity, obj = '"1.5"^^<%sdecimal>' % XSD, '"up"', None
    t = [
        (passage, TYPE, f"<{KG}Passage>"), (passage, P["text"], f'"{text}"'),
        (ann, TYPE, f"<{OA}Annotation>"), (ann, f"<{OA}hasBody>", body), (ann, f"<{OA}hasTarget>", tgt),
        (ann, "<http://purl.org/dc/terms/creator>", "<https://w3id.org/oncokg/id/software/kg-tagger/0.1.0>"),
        (ann, f"<{OA}motivatedBy>", f"<{OA}identifying>"),
        (tgt, TYPE, f"<{OA}SpecificResource>"), (tgt, f"<{OA}hasSource>", passage),
        (tgt, f"<{OA}hasSelector>", pos), (tgt, f"<{OA}hasSelector>", quote), (tgt, P["sectionType"], '"abstract"'),
        (pos, TYPE, f"<{OA}TextPositionSelector>"), (pos, f"<{OA}start>", f'"{start}"^^<{XSD}nonNegativeInteger>'),
        (pos, f"<{OA}end>", f'"{end}"^^<{XSD}nonNegativeInteger>'),
        (quote, TYPE, f"<{OA}TextQuoteSelector>"), (quote, f"<{OA}exact>", f'"{exact}"'),
        (assoc, TYPE, f"<{BL}Association>"), (assoc, f"<{BL}subject>", body),
        (assoc, f"<{BL}predicate>", f"<{BL}positively_correlated_with>"),
        (assoc, f"<{BL}knowledge_level>", f"<{BL}not_provided>"), (assoc, f"<{BL}agent_type>", f"<{BL}text_mining_agent>"),
        (assoc, f"<{BL}publications>", art), (assoc, "<http://www.w3.org/ns/prov#wasAttributedTo>",
                                               "<https://w3id.org/oncokg/id/software/kg/0.1.0>"),
        (assoc, P["confidence"], conf), (assoc, P["polarity"], polarity), (assoc, P["negated"], f'"false"^^<{XSD}boolean>'),
    ]
    if obj:
        t.append((assoc, f"<{BL}object>", obj))
    return [f"{s} {p} {o} {g} .\n" for s, p, o in t]


def make_graphs(base: list[tuple[str, list[str]]], n: int, *, broken_fraction: float = 0.01,
                annotated_fraction: float = 0.05, seed: int = 4,
                mined: list[tuple[str, list[str]]] | None = None) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """`n` article graphs (graph IRI, N-Quads); returns also {pmid: mutation names} of the broken ones.

    With `mined` (the same articles mapped with text mining), the annotated articles carry the tagger's
    real mentions and assertions as well as the hand-made ones."""
    rng = random.Random(seed)
    names = sorted(MUTATIONS)
    n_broken = max(1, round(n * broken_fraction))
    broken_idx = set(rng.sample(range(n), n_broken))
    graphs, applied = [], {}
    k = 0
    for i in range(n):
        pmid0, lines = base[i % len(base)]
        annotated = rng.random() < annotated_fraction
        if annotated and mined is not None:
            lines = mined[i % len(base)][1]
        new = str(10_000_000 + i)
        lines = renumber(lines, pmid0, new)
        ann_broken = False
        if i in broken_idx:
            chosen = [names[(k * 3 + j) % len(names)] for j in range(3)]
            k += 1
            for name in chosen:
                lines = MUTATIONS[name](lines)
            applied[new] = chosen
            ann_broken = rng.random() < 0.5
            if ann_broken:
                applied[new].append("annotation")
        if ann_broken or annotated:
            lines = lines + annotation_lines(lines, broken=ann_broken, rng=rng)
        graph = _g(lines)[1:-1]
        graphs.append((graph, "".join(lines)))
    return graphs, applied
