"""One IRI policy for every external identifier, built on `curies`.

A built-in prefix map (below) decides the one IRI of each identifier `kg` writes: MeSH keeps NLM's own
non-versioned IRIs (`http://id.nlm.nih.gov/mesh/D015179`), OBO ontologies their PURLs, genes and
pathways their identifiers.org forms. Every synonym a source uses (`MESH:`, `mesh:`, `MeSH:`,
`identifiers.org/mesh/`, the year-versioned `http://id.nlm.nih.gov/mesh/2024/D015179`, `NCI:`,
`EntrezGene:`, a bare `R-HSA-` id) normalises to that one form.

Bioregistry's much larger context is loaded only when asked for (`bioregistry_converter()`), never at
import or CLI start-up: the built-in map covers everything `kg` writes, and Bioregistry is a fallback
for resolving unusual user input.

>>> parse_identifier("MESH:D015179")
'http://id.nlm.nih.gov/mesh/D015179'
>>> parse_identifier("D015179")
'http://id.nlm.nih.gov/mesh/D015179'
>>> parse_identifier("http://id.nlm.nih.gov/mesh/2024/D015179")
'http://id.nlm.nih.gov/mesh/D015179'
>>> curie("http://purl.obolibrary.org/obo/MONDO_0005335")
'MONDO:0005335'
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from .errors import IdentifierError

if TYPE_CHECKING:  # curies imports pydantic: keep it off the CLI start-up path
    import curies

MESH_BASE = "http://id.nlm.nih.gov/mesh/"
OBO = "http://purl.obolibrary.org/obo/"

# (canonical prefix, canonical IRI prefix, prefix synonyms, IRI prefix synonyms). Canonical prefixes are
# Bioregistry's preferred capitalisation, so CURIEs we print read as Bioregistry's do.
_BUILTIN: list[tuple[str, str, list[str], list[str]]] = [
    ("mesh", MESH_BASE, ["MESH", "MeSH", "MSH", "Mesh"], [
        "https://id.nlm.nih.gov/mesh/", "http://identifiers.org/mesh/", "https://identifiers.org/mesh/",
        "http://identifiers.org/mesh:", "https://identifiers.org/mesh:", "http://purl.bioontology.org/ontology/MESH/",
        "https://meshb.nlm.nih.gov/record/ui?ui=", "http://www.ncbi.nlm.nih.gov/mesh/",
        "https://www.ncbi.nlm.nih.gov/mesh/"]),
    ("NCBIGene", "http://identifiers.org/ncbigene/", ["ncbigene", "NCBIgene", "EntrezGene", "ENTREZ", "GeneID",
                                                      "NCBI_Gene", "NCBI_GENE", "NCBIGENE"], [
        "https://identifiers.org/ncbigene/", "http://identifiers.org/ncbigene:", "https://identifiers.org/ncbigene:",
        "https://www.ncbi.nlm.nih.gov/gene/", "http://www.ncbi.nlm.nih.gov/gene/",
        "http://purl.obolibrary.org/obo/NCBIGene_"]),
    ("HGNC", "http://identifiers.org/hgnc/", ["hgnc"], [
        "https://identifiers.org/hgnc/", "http://identifiers.org/hgnc:", "https://identifiers.org/hgnc:",
        "https://identifiers.org/HGNC:", "http://identifiers.org/HGNC:",
        "https://www.genenames.org/cgi-bin/gene_symbol_report?hgnc_id=", "http://purl.obolibrary.org/obo/HGNC_"]),
    ("GO", OBO + "GO_", ["go", "obo:GO"], ["http://identifiers.org/GO:", "https://identifiers.org/GO:",
                                         "http://identifiers.org/go/GO:", "https://identifiers.org/go/GO:"]),
    ("CL", OBO + "CL_", ["cl"], ["http://identifiers.org/CL:", "https://identifiers.org/CL:"]),
    ("UBERON", OBO + "UBERON_", ["uberon", "Uberon"], ["http://identifiers.org/UBERON:",
                                                       "https://identifiers.org/UBERON:"]),
    ("MONDO", OBO + "MONDO_", ["mondo"], ["http://identifiers.org/MONDO:", "https://identifiers.org/MONDO:"]),
    ("DOID", OBO + "DOID_", ["doid", "DO"], ["http://identifiers.org/DOID:", "https://identifiers.org/DOID:"]),
    ("NCIT", OBO + "NCIT_", ["ncit", "NCI", "NCIt", "NCI_Thesaurus", "NCITm"], [
        "http://identifiers.org/ncit/", "https://identifiers.org/ncit/", "http://identifiers.org/ncit:",
        "https://identifiers.org/ncit:",
        "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl#"]),
    ("CHEBI", OBO + "CHEBI_", ["chebi", "ChEBI"], ["http://identifiers.org/CHEBI:", "https://identifiers.org/CHEBI:",
                                                  "http://identifiers.org/chebi/CHEBI:"]),
    ("cellosaurus", "https://www.cellosaurus.org/", ["Cellosaurus", "CVCL", "RRID"], [
        "http://identifiers.org/cellosaurus/", "https://identifiers.org/cellosaurus/",
        "https://identifiers.org/cellosaurus:", "https://web.expasy.org/cellosaurus/"]),
    ("EFO", "http://www.ebi.ac.uk/efo/EFO_", ["efo"], ["http://identifiers.org/efo/", "https://identifiers.org/efo/",
                                                      "http://purl.obolibrary.org/obo/EFO_"]),
    ("uniprot", "http://purl.uniprot.org/uniprot/", ["UniProt", "UniProtKB", "uniprotkb", "UP"], [
        "https://purl.uniprot.org/uniprot/", "http://identifiers.org/uniprot/", "https://identifiers.org/uniprot/",
        "https://www.uniprot.org/uniprot/", "https://www.uniprot.org/uniprotkb/"]),
    ("reactome", "http://identifiers.org/reactome/", ["REACT", "Reactome", "REACTOME"], [
        "https://identifiers.org/reactome/", "http://identifiers.org/reactome:", "https://identifiers.org/reactome:",
        "https://reactome.org/content/detail/", "http://reactome.org/content/detail/",
        "https://www.reactome.org/content/detail/"]),
]

# OBO PURLs and identifiers.org forms keep the local id after the prefix; some sources repeat it.
_REPEATED_LOCAL = {"GO": "GO:", "CL": "CL:", "UBERON": "UBERON:", "MONDO": "MONDO:", "DOID": "DOID:",
                   "CHEBI": "CHEBI:"}

# NLM publishes year-versioned IRIs (`/mesh/2024/D015179`); the non-versioned one is the stable identity.
_MESH_VERSIONED = re.compile(r"^https?://id\.nlm\.nih\.gov/mesh/(?:19|20)[0-9]{2}/([A-Z0-9.]+)$")
MESH_UI_RE = re.compile(r"^(?:[DQCM][0-9]{6,9}(?:Q[0-9]{6})?|T[0-9]{6,9})$")
MESH_TREE_RE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9]{3})*$")
_REACTOME_RE = re.compile(r"^R-[A-Z]{3}-[0-9]+(\.[0-9]+)?$")
_BARE_HGNC = re.compile(r"^HGNC:[0-9]+$", re.I)
# Local-id patterns (checked after normalisation): a bad local part is an error, not a silent odd IRI.
_LOCAL_PATTERNS = {
    "mesh": re.compile(MESH_UI_RE.pattern + "|" + MESH_TREE_RE.pattern), "NCBIGene": re.compile(r"^[0-9]+$"), "HGNC": re.compile(r"^[0-9]+$"),
    "GO": re.compile(r"^[0-9]{7}$"), "CL": re.compile(r"^[0-9]{7}$"), "UBERON": re.compile(r"^[0-9]{7}$"),
    "MONDO": re.compile(r"^[0-9]{7}$"), "DOID": re.compile(r"^[0-9]+$"), "NCIT": re.compile(r"^C[0-9]+$"),
    "CHEBI": re.compile(r"^[0-9]+$"), "reactome": _REACTOME_RE, "cellosaurus": re.compile(r"^CVCL_[A-Z0-9]{4}$"),
    "EFO": re.compile(r"^[0-9]{7}$"), "uniprot": re.compile(r"^[A-Z0-9]{6,10}(-[0-9]+)?$"),
}

CANONICAL = {p: base for p, base, _, _ in _BUILTIN}
_IRI_OK = re.compile(r'^https?://[^\x00-\x20<>"{}|^`\\]+$')
_PROJECT_PREFIXES = {"pubmed": "http://rdf.ncbi.nlm.nih.gov/pubmed/", "kgid": "https://w3id.org/oncokg/id/",
                     "kg": "https://w3id.org/oncokg/vocab/"}


@functools.lru_cache(maxsize=1)
def converter() -> "curies.Converter":
    """The built-in converter (cheap: a dozen records; curies itself is imported on first use)."""
    import curies

    records = [curies.Record(prefix=p, uri_prefix=u, prefix_synonyms=ps, uri_prefix_synonyms=us)
               for p, u, ps, us in _BUILTIN]
    return curies.Converter(records)


@functools.lru_cache(maxsize=1)
def bioregistry_converter() -> "curies.Converter | None":
    """Bioregistry's full context, loaded on first call only.

    Uses the `bioregistry` package when it is installed (offline). Without it there is no fallback: `kg`
    never fetches a prefix map from the network behind the user's back.
    """
    try:
        import curies

        return curies.get_bioregistry_converter(web=False)
    except Exception:  # bioregistry not installed, or its data unreadable
        return None


def known_prefixes() -> list[str]:
    return [p for p, *_ in _BUILTIN]


def _check_local(prefix: str, local: str, original: str) -> None:
    pat = _LOCAL_PATTERNS.get(prefix)
    if pat is not None and not pat.match(local):
        raise IdentifierError(f"{original!r}: {local!r} is not a valid {prefix} identifier")


def _normalise_local(prefix: str, local: str) -> str:
    rep = _REPEATED_LOCAL.get(prefix)
    if rep and local.upper().startswith(rep):
        local = local[len(rep):]
    if prefix == "NCIT" and local[:1] == "c":
        local = "C" + local[1:]
    return local


def parse_identifier(value: str, *, default_prefix: str | None = "mesh", extended: bool = False) -> str:
    """The canonical IRI of a user identifier: a bare MeSH UI, a CURIE, or a full IRI.

    `default_prefix` says how a bare local id is read (MeSH UIs by default; a bare `R-HSA-` id is
    always Reactome). With `extended=True`, prefixes the built-in map does not know are looked up in
    Bioregistry (loaded then, not before). An unknown prefix raises `IdentifierError`.
    """
    original = value
    value = value.strip()
    if not value:
        raise IdentifierError("empty identifier")
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if value.startswith(("identifiers.org/", "www.")):
        value = "https://" + value
    conv = converter()
    if "://" in value:
        m = _MESH_VERSIONED.match(value)
        if m:
            value = MESH_BASE + m.group(1)
        ref = conv.compress(value)  # also accepts every IRI-prefix synonym
        if ref is None:
            for canonical, base in CANONICAL.items():
                if value.startswith(base):
                    ref = f"{canonical}:{value[len(base):]}"
                    break
        if ref is None:
            # An IRI outside the external-identifier namespaces (an article, a kg node, any other
            # vocabulary) is unambiguous: kept as given once it is a well-formed IRI.
            if _IRI_OK.match(value):
                return value
            raise IdentifierError(f"{original!r} is not a well-formed IRI")
        prefix, local = ref.split(":", 1)
        local = _normalise_local(prefix, local)
        _check_local(prefix, local, original)
        return CANONICAL[prefix] + local
    if _REACTOME_RE.match(value):
        return CANONICAL["reactome"] + value
    if ":" not in value:
        if default_prefix is None:
            raise IdentifierError(f"{original!r}: give a CURIE (PREFIX:ID) or a full IRI")
        std = conv.standardize_prefix(default_prefix) or default_prefix
        if std == "mesh":
            value = value.upper() if value[:1].islower() else value
        _check_local(std, _normalise_local(std, value), original)
        return CANONICAL[std] + _normalise_local(std, value)
    prefix, local = value.split(":", 1)
    std = conv.standardize_prefix(prefix)
    if std is None:
        std = conv.standardize_prefix(prefix.upper()) or conv.standardize_prefix(prefix.lower())
    if std is None and prefix in _PROJECT_PREFIXES and _IRI_OK.match(_PROJECT_PREFIXES[prefix] + local):
        return _PROJECT_PREFIXES[prefix] + local  # pubmed:35246503, kgid:..., the project's own prefixes
    if std is None:
        if extended:
            br = bioregistry_converter()
            if br is not None:
                iri = br.expand(value)
                if iri:
                    return iri
        raise IdentifierError(
            f"{original!r}: unknown prefix {prefix!r}; kg knows {', '.join(known_prefixes())} "
            "(and their usual synonyms such as MESH, NCI, EntrezGene)")
    if _BARE_HGNC.match(local):  # "HGNC:HGNC:11998"
        local = local.split(":", 1)[1]
    local = _normalise_local(std, local)
    _check_local(std, local, original)
    return CANONICAL[std] + local


def normalize(value: str, *, default_prefix: str | None = "mesh") -> str | None:
    """`parse_identifier` for data (ontology xrefs, mapping tables): None instead of an error."""
    try:
        return parse_identifier(value, default_prefix=default_prefix)
    except IdentifierError:
        return None


def curie(iri: str) -> str | None:
    """The canonical CURIE of a canonical (or synonym) IRI, or None."""
    try:
        canonical = parse_identifier(iri, default_prefix=None)
    except IdentifierError:
        return None
    return converter().compress(canonical)


def mesh_ui(value: str) -> str:
    """The bare MeSH UI of a MeSH identifier in any accepted form; IdentifierError otherwise."""
    iri = parse_identifier(value, default_prefix="mesh")
    if not iri.startswith(MESH_BASE):
        raise IdentifierError(f"{value!r} is not a MeSH identifier")
    return iri[len(MESH_BASE):]


def prefix_map() -> dict[str, str]:
    """Canonical prefix -> IRI prefix, for the header of exported files and for queries."""
    return dict(CANONICAL)


def is_canonical_mesh(iri: str) -> bool:
    """False for a MeSH IRI not in NLM's non-versioned form (identifiers.org, https, year-versioned)."""
    if iri.startswith(MESH_BASE):
        return not _MESH_VERSIONED.match(iri)
    return not iri.lower().startswith(_NONCANONICAL_MESH)


_NONCANONICAL_MESH = tuple(u.lower() for u in _BUILTIN[0][3])
