"""Vocabularies are sources like any other: each reader turns its files into N-Triples lines for one named
graph and writes them through the one Store interface (`kg.stores.base.Store`).

- `mesh`: NLM MeSH (RDF, XML or a tree-number table) -> the MeSH graph, replaced whole.
- `ontologies`: OBO, OWL (Turtle, RDF/XML) and Reactome pathway lists -> one graph per ontology.
- `sssom`: SSSOM mapping tables -> one mapping set each, in the shared mappings graph.
"""
