"""SHACL validation of everything `kg` writes: shapes are data (`shapes/*.ttl`), two engines check them.

The compiled checker (engine `fast`, the default) turns the shapes graph into a small SHACL-core evaluator
that works on one named graph at a time straight from N-Quads text, so `kg ingest` can check every article
before it is stored; pySHACL (engine `pyshacl`) is the full reference, used by `kg validate --engine pyshacl`
and by the tests that hold the compiled checker to it. See docs/decisions/0004-shapes-and-fast-validation.md
and docs/decisions/0023-validation-package-and-engines.md.

The parts, in the order a check runs:
    loading   shapes files by name, compiled once per set (`compiled`)
    compile   the shapes graph as Python closures (`ShapesGraph`), refusing what it does not implement
    checks    SHACL constraint components and the quick check
    mirrors   kg's own SPARQL constraints answered in Python, keyed by shape IRI
    terms, data, model   N-Triples terms, indexed data graphs and paths, compiled shapes and results
    api       graphs, stores and files through the compiled checker
    engines   `ENGINES` (fast, pyshacl), `validate_store`, `validate_files`
    report    results grouped into the text / JSON / Turtle report
    ingest    the parallel validator `kg ingest` runs per batch
"""

from __future__ import annotations

from ..errors import ShapesError
from .api import (MESHV_ALLOWABLE, file_graphs, mesh_context, pmid_of, store_graphs, validate_fast,
                  validate_graphs)
from .compile import ShapesGraph
from .data import Data, Path_, parse_nquads
from .engines import ENGINES, validate_files, validate_pyshacl, validate_store
from .ingest import IngestValidator, ingest_validator
from .loading import (CORE_SHAPES, MESH_VOCABULARY_SHAPES, compiled, load_shapes_graph, shape_names, shape_set,
                      shapes_for)
from .mirrors import NATIVE_SPARQL
from .model import Context, NativeSparql, Result, Shape, SparqlConstraint, query_digest
from .report import SHAPES_NS, Report
from .terms import (RDF_LANGSTRING, SH, SUPPORTED, XSD, XSD_STRING, literal_parts, nt_term, term_string,
                    well_formed)

__all__ = [
    "CORE_SHAPES", "Context", "Data", "ENGINES", "IngestValidator", "MESHV_ALLOWABLE", "MESH_VOCABULARY_SHAPES",
    "NATIVE_SPARQL", "NativeSparql", "Path_", "RDF_LANGSTRING", "Report", "Result", "SH", "SHAPES_NS", "SUPPORTED",
    "Shape", "ShapesError", "ShapesGraph", "SparqlConstraint", "XSD", "XSD_STRING", "compiled", "file_graphs",
    "ingest_validator", "literal_parts", "load_shapes_graph", "mesh_context", "nt_term", "parse_nquads", "pmid_of",
    "query_digest", "shape_names", "shape_set", "shapes_for", "store_graphs", "term_string", "validate_fast",
    "validate_files", "validate_graphs", "validate_pyshacl", "validate_store", "well_formed",
]
