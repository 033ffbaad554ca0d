"""An `AnnotatedDocument` (PubTator/BioC) to the quads of its graph ``iris.article_graph(pmid, "pubtator")``.

Shape (W3C Web Annotation for mentions, reified Biolink associations for relations)::

    <mention> a oa:Annotation, kg:Mention ; oa:motivatedBy oa:identifying ;
        oa:hasBody <entity> ;                       # one; a composite mention is one annotation per identifier
        oa:hasTarget <target> ; kg:entityType biolink:Gene ; kg:matchedText "..." ; kg:sectionType "abstract" ;
        dcterms:creator <PubTator3> .
    <entity> kg:entityType biolink:Gene .
    <target> a oa:SpecificResource ; oa:hasSource <article> ;
        oa:hasSelector <target/pos>, <target/quote> .
    <target/pos> a oa:TextPositionSelector ; oa:start 27 ; oa:end 37 .
    <target/quote> a oa:TextQuoteSelector ; oa:exact "depression" .

    <assoc> a biolink:Association ; biolink:subject <s> ; biolink:predicate biolink:associated_with ;
        biolink:object <o> ; biolink:original_predicate "Association" ; biolink:publications <article> ;
        biolink:knowledge_level "knowledge_assertion" ; biolink:agent_type "text_mining_agent" ;
        kg:confidence 0.99 ; prov:wasAttributedTo <PubTator3> .
    <s> biolink:associated_with <o> .              # the direct triple, for simple queries

Offsets are PubTator's: into the document text (title, one space, abstract), which may differ from the
PubMed record's text by whitespace; the quote selector carries the exact string so a consumer can
re-anchor. Node IRIs come from PMID and document order (never blank nodes), so re-importing the same
file yields the same graph. Entity identifiers are normalised here (records keep them raw).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterator
from urllib.parse import quote

from .. import iris
from ..records import AnnotatedDocument, DocumentAnnotation, DocumentPassage, DocumentRelation, Span
from ..vocab import BIOLINK, DCTERMS, KG, KGID, MESH, OA, OBO, PROV, RDF
from .nt import XSD_DECIMAL, graph_text, integer, iri, lit, typed
from .provenance import graph_triples

Triple = tuple[str, str, str]

PUBTATOR3 = "https://www.ncbi.nlm.nih.gov/research/pubtator3/"
"""The agent PubTator's mentions and assertions are attributed to."""

NCBIGENE = "http://identifiers.org/ncbigene/"
NCBITAXON = OBO + "NCBITaxon_"
CELLOSAURUS = "http://identifiers.org/cellosaurus/"
DBSNP = "http://identifiers.org/dbsnp/"
OMIM = "http://identifiers.org/omim/"
CHEBI = OBO + "CHEBI_"

# PubTator/BioRED/BC5CDR/tmVar entity types -> Biolink category.
CATEGORIES = {
    "gene": "Gene", "geneorgeneproduct": "Gene", "disease": "Disease",
    "diseaseorphenotypicfeature": "DiseaseOrPhenotypicFeature", "chemical": "ChemicalEntity",
    "chemicalentity": "ChemicalEntity", "species": "OrganismTaxon", "organismtaxon": "OrganismTaxon",
    "cellline": "CellLine", "variant": "SequenceVariant", "sequencevariant": "SequenceVariant",
    "proteinmutation": "SequenceVariant", "dnamutation": "SequenceVariant", "snp": "SequenceVariant",
    "proteinallele": "SequenceVariant", "dnaallele": "SequenceVariant", "acidchange": "SequenceVariant",
    "mutation": "SequenceVariant",
}
_VARIANT = {k for k, v in CATEGORIES.items() if v == "SequenceVariant"}
_TAXON = {"species", "organismtaxon"}

# PubTator3 / BioRED / BC5CDR relation types -> Biolink predicate. Types without a close Biolink
# predicate (Cotreatment, Comparison, Conversion) map to related_to; the original type is always kept
# in biolink:original_predicate, so a later alignment loses nothing.
PREDICATES = {
    "association": "associated_with",
    "positive_correlation": "positively_correlated_with",
    "negative_correlation": "negatively_correlated_with",
    "bind": "directly_physically_interacts_with",  # biolink:binds is deprecated in favour of this
    "drug_interaction": "physically_interacts_with",  # Biolink maps DRUGBANK:drug-interaction here
    "cotreatment": "related_to",
    "comparison": "related_to",
    "conversion": "related_to",
    "cid": "causes",  # BC5CDR chemical-induced disease
}

_MESH_UI = re.compile(r"^[DC][0-9]{6,9}$")
_DIGITS = re.compile(r"^[0-9]+$")
_CVCL = re.compile(r"^CVCL[_:]([A-Z0-9]{4})$", re.I)
_RS = re.compile(r"^(?:RS#:|RSID:|rs)?(?:rs)?([0-9]+)$", re.I)
_NONE = {"", "-", "-1", "none", "null", "na", "n/a"}


def _kind(entity_type: str | None) -> str:
    return (entity_type or "").replace(" ", "").lower()


def _minted(entity_type: str | None, raw: str) -> str:
    """A kg IRI for an identifier no public namespace gives (tmVar forms, unknown prefixes)."""
    return f"{KGID}pubtator/{quote(_kind(entity_type) or 'entity', safe='')}/{quote(raw, safe='')}"


def _variant_iri(raw: str, entity_type: str | None) -> str:
    parts = [p.strip() for p in raw.split(";") if p.strip()]
    for p in parts:  # PubTator3: "tmVar:p|SUB|S|161|A;HGVS:p.S161A;...;RS#:123"
        m = _RS.match(p)
        if m and (p.lower().startswith(("rs", "rsid:"))):
            return DBSNP + "rs" + m.group(1)
    first = parts[0] if parts else raw
    if first.lower().startswith("tmvar:"):
        first = first[6:]
    # tmVar forms ("p|SUB|V|1763|M") are not global identifiers: scope them by gene where PubTator3 gives it.
    gene = next((p.split(":", 1)[1] for p in parts if p.startswith("CorrespondingGene:")), None)
    scope = f"ncbigene/{quote(gene, safe='')}/" if gene and _DIGITS.match(gene) else ""
    return f"{KGID}variant/{scope}{quote(first, safe='')}"


def _one_iri(raw: str, entity_type: str | None) -> str | None:
    raw = raw.strip()
    if raw.lower() in _NONE:
        return None
    kind = _kind(entity_type)
    prefix, _, local = raw.partition(":") if ":" in raw else ("", "", raw)
    p = prefix.lower()
    if p in ("mesh", "msh"):
        return MESH + local if _MESH_UI.match(local) else _minted(entity_type, raw)
    if p in ("ncbigene", "gene", "entrezgene", "ncbi_gene"):
        return NCBIGENE + local if _DIGITS.match(local) else _minted(entity_type, raw)
    if p in ("ncbitaxon", "taxonomy", "ncbi_taxonomy", "taxid"):
        return NCBITAXON + local if _DIGITS.match(local) else _minted(entity_type, raw)
    if p == "chebi":
        return CHEBI + local if _DIGITS.match(local) else _minted(entity_type, raw)
    if p in ("omim", "mim"):
        return OMIM + local if _DIGITS.match(local) else _minted(entity_type, raw)
    if p in ("cellosaurus", "cvcl"):
        m = _CVCL.match(raw if p == "cvcl" else local)
        return CELLOSAURUS + "CVCL_" + m.group(1).upper() if m else _minted(entity_type, raw)
    if p in ("rsid", "rs#", "dbsnp"):
        m = _RS.match(local)
        return DBSNP + "rs" + m.group(1) if m else _minted(entity_type, raw)
    if prefix:
        try:  # the project's prefix policy (kg.prefixes), where it knows the prefix
            from ..prefixes import normalize
            found = normalize(raw, default_prefix=None)
        except ImportError:
            found = None
        return found or _minted(entity_type, raw)
    if _MESH_UI.match(raw):
        return MESH + raw
    m = _CVCL.match(raw)
    if m:
        return CELLOSAURUS + "CVCL_" + m.group(1).upper()
    if re.match(r"^rs[0-9]+$", raw, re.I):
        return DBSNP + raw.lower()
    if _DIGITS.match(raw):
        if kind in _TAXON:
            return NCBITAXON + raw
        if kind == "cellline":
            return _minted(entity_type, raw)
        return NCBIGENE + raw  # genes are the only bare numeric ids PubTator gives outside species
    return _minted(entity_type, raw)


def entity_iris(raw: str | None, entity_type: str | None) -> tuple[str, ...]:
    """The canonical IRIs of one raw identifier: composite ids ("D058186|D017093", "6239;252961") split.

    >>> entity_iris("D058186|D017093", "Disease")
    ('http://id.nlm.nih.gov/mesh/D058186', 'http://id.nlm.nih.gov/mesh/D017093')
    >>> entity_iris("MESH:D009369", "Disease")
    ('http://id.nlm.nih.gov/mesh/D009369',)
    >>> entity_iris("4792", "Gene"), entity_iris("9606", "Species")
    (('http://identifiers.org/ncbigene/4792',), ('http://purl.obolibrary.org/obo/NCBITaxon_9606',))
    >>> entity_iris("CVCL_2737", "CellLine"), entity_iris("rs1799971", "SequenceVariant")
    (('http://identifiers.org/cellosaurus/CVCL_2737',), ('http://identifiers.org/dbsnp/rs1799971',))
    >>> entity_iris("-1", "Chemical")
    ()
    """
    if raw is None or raw.strip().lower() in _NONE:
        return ()
    if _kind(entity_type) in _VARIANT or raw.lower().startswith("tmvar:") or re.match(r"^[cpgrm]\|", raw):
        return (_variant_iri(raw, entity_type),)
    out: list[str] = []
    for part in re.split(r"[|;,]", raw):
        found = _one_iri(part, entity_type)
        if found and found not in out:
            out.append(found)
    return tuple(out)


def category(entity_type: str | None) -> str | None:
    name = CATEGORIES.get(_kind(entity_type))
    return BIOLINK + name if name else None


def predicate(relation_type: str) -> str:
    return BIOLINK + PREDICATES.get(relation_type.strip().lower(), "related_to")


def _annotation_bodies(a: DocumentAnnotation) -> tuple[str, ...]:
    bodies = entity_iris(a.identifier, a.type)
    if _kind(a.type) in _VARIANT:
        for x in a.xrefs:  # tmVar's RSID column: dbSNP is the public identity of the variant
            rs = entity_iris(x.replace("RSID:", "rs").replace("RS#:", "rs"), a.type)
            if rs and rs[0].startswith(DBSNP):
                return rs
    return bodies


P_TYPE = iri(RDF.type)
_OA = {n: iri(OA.term(n)) for n in ("Annotation", "SpecificResource", "TextPositionSelector", "TextQuoteSelector",
                                     "hasBody", "hasTarget", "hasSource", "hasSelector", "start", "end", "exact",
                                     "motivatedBy", "identifying", "tagging")}
C_MENTION, P_ENTITY_TYPE, P_MATCHED = iri(KG.Mention), iri(KG.entityType), iri(KG.matchedText)
P_SECTION, P_CONFIDENCE = iri(KG.sectionType), iri(KG.confidence)
P_CREATOR, P_ATTRIBUTED = iri(DCTERMS.creator), iri(PROV.wasAttributedTo)
AGENT = iri(PUBTATOR3)
_BL = {n: iri(BIOLINK + n) for n in ("Association", "subject", "predicate", "object", "original_predicate",
                                     "publications", "knowledge_level", "agent_type")}


def document_triples(doc: AnnotatedDocument) -> Iterator[Triple]:
    """Mentions and assertions of one document (provenance of the graph is added by `pubtator_nquads`)."""
    pmid = doc.pmid
    article = iri(iris.article(pmid))
    by_ref: dict[str, tuple[str, tuple[str, ...]]] = {}
    types_of: dict[str, str] = {}
    passages = sorted(doc.passages, key=lambda p: p.offset)
    yield AGENT, P_TYPE, iri(PROV.SoftwareAgent)
    for i, a in enumerate(doc.annotations):
        node = iris.node(pmid, "pubtator", "mention", i)
        m = iri(node)
        bodies = _annotation_bodies(a)
        if a.id:
            by_ref.setdefault(a.id, (node, bodies))
        if a.identifier and a.type:
            types_of.setdefault(a.identifier, a.type)
        # A composite mention ("breast and ovarian cancer": two IDs) is one annotation per entity on the
        # shared target, as kg.rdf.mentions does for compound names: each annotation has one body.
        parts = [(m, bodies)] if len(bodies) <= 1 else [(iri(f"{node}/{n + 1}"), (b,)) for n, b in enumerate(bodies)]
        cat = category(a.type)
        for pm, pb in parts:
            yield pm, P_TYPE, _OA["Annotation"]
            yield pm, P_TYPE, C_MENTION
            yield pm, _OA["motivatedBy"], _OA["identifying"] if pb else _OA["tagging"]
            for b in pb:
                yield pm, _OA["hasBody"], iri(b)
            if cat:  # on the mention, and on the entity as kg.rdf.mentions does
                yield pm, P_ENTITY_TYPE, iri(cat)
            yield pm, P_MATCHED, lit(a.text)
            if a.section:
                yield pm, P_SECTION, lit(a.section)
            yield pm, P_CREATOR, AGENT
        if cat:
            for b in bodies:
                yield iri(b), P_ENTITY_TYPE, iri(cat)
        for j, span in enumerate(a.spans):
            t = iri(f"{node}/target/{j}")
            pos, quo = iri(f"{node}/target/{j}/pos"), iri(f"{node}/target/{j}/quote")
            for pm, _ in parts:
                yield pm, _OA["hasTarget"], t
            yield t, P_TYPE, _OA["SpecificResource"]
            yield t, _OA["hasSource"], article
            yield t, _OA["hasSelector"], pos
            yield t, _OA["hasSelector"], quo
            yield pos, P_TYPE, _OA["TextPositionSelector"]
            yield pos, _OA["start"], integer(span.start)
            yield pos, _OA["end"], integer(span.end)
            yield quo, P_TYPE, _OA["TextQuoteSelector"]
            yield quo, _OA["exact"], lit(_exact(passages, span, a.text if len(a.spans) == 1 else None))
    for k, r in enumerate(doc.relations):
        yield from _relation_triples(pmid, article, k, r, by_ref, types_of)


def _exact(passages: list[DocumentPassage], span: Span, own: str | None) -> str:
    """The quoted text: the annotation's own text for one span, else the passage text under the span.

    The annotation's text wins because passage offsets are not always right (BC5CDR's BioC XML counts
    ``&apos;`` as six characters in PMID 2224762, shifting the whole abstract by five).
    """
    if own:
        return own
    for p in passages:
        if p.text and p.offset <= span.start and span.end <= p.offset + len(p.text):
            return p.text[span.start - p.offset:span.end - p.offset]
    return ""


def _argument(raw: str | None, typ: str | None, ref: str | None,
              by_ref: dict[str, tuple[str, tuple[str, ...]]], types_of: dict[str, str]) -> str | None:
    if raw:
        found = entity_iris(raw, typ or types_of.get(raw))
        if len(found) == 1:
            return found[0]
        return _minted(typ or types_of.get(raw), raw) if found else None  # a composite argument: one node
    if ref is not None and ref in by_ref:
        node, bodies = by_ref[ref]
        return bodies[0] if len(bodies) == 1 else node  # an ungrounded mention stands for itself
    return None


def _relation_triples(pmid: str, article: str, k: int, r: DocumentRelation,
                      by_ref: dict[str, tuple[str, tuple[str, ...]]], types_of: dict[str, str]) -> Iterator[Triple]:
    a = iri(iris.node(pmid, "pubtator", "relation", k))
    pred = predicate(r.type)
    s = _argument(r.subject, r.subject_type, r.subject_ref, by_ref, types_of)
    o = _argument(r.object, r.object_type, r.object_ref, by_ref, types_of)
    yield a, P_TYPE, _BL["Association"]
    yield a, _BL["predicate"], iri(pred)
    yield a, _BL["original_predicate"], lit(r.type)
    if s:
        yield a, _BL["subject"], iri(s)
    if o:
        yield a, _BL["object"], iri(o)
    if s and o:
        yield iri(s), iri(pred), iri(o)
    yield a, _BL["publications"], article
    yield a, _BL["knowledge_level"], lit("knowledge_assertion")
    yield a, _BL["agent_type"], lit("text_mining_agent" if r.score is not None else "not_provided")
    if r.score is not None:
        yield a, P_CONFIDENCE, typed(format(Decimal(str(r.score)), "f"), XSD_DECIMAL)
    yield a, P_ATTRIBUTED, AGENT


def pubtator_nquads(doc: AnnotatedDocument, *, path: str, generated: str) -> tuple[str, str, int]:
    """(graph IRI, N-Quads text, quad count) of one annotated document, provenance included."""
    graph = iris.article_graph(doc.pmid, "pubtator")
    g = iri(graph)
    lines = dict.fromkeys(f"{s} {p} {o} {g} .\n" for s, p, o in document_triples(doc))  # 2 relations, 1 direct triple
    lines.update(dict.fromkeys(f"{s} {p} {o} {g} .\n" for s, p, o in
                               graph_triples(graph, path=path, fmt=doc.source_format,
                                             article=iris.article(doc.pmid), generated=generated)))
    return (graph, *graph_text(lines))
