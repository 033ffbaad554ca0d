"""kg: turn the oncology literature into a validated, queryable RDF knowledge graph.

The pipeline, one package per arrow::

    kg.ingest (records) -> kg.rdf (quads) -> kg.validation (report) -> kg.stores (named graphs) -> kg.queries (rows)
"""

__version__ = "0.1.0"
